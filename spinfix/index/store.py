"""The index on disk: index.json and a folder per segment.

    DIR/index.json        format, settings, the segments and their document counts
    DIR/seg-000000/       one build or `add`: its documents, their signatures and vectors
        docs.jsonl        {"id", "text"} a line; offsets.npy: each line's byte offset (n + 1);
                          ids.json: the ids alone
        sig-FAMILY.npy    (n, num_perm) uint32 MinHash signatures
        lsh-FAMILY.npy    (bands, n) uint64 band keys, each band sorted; lsh-FAMILY-rows.npy
                          (bands, n) uint32: the document (row) of each key
        vectors.faiss     the documents' vectors, 8-bit scalar-quantised, inner product

A segment is written in a temporary folder and renamed into place, and index.json is replaced
last (write, fsync, rename): an interrupted build or `add` leaves the index as it was. Arrays are
memory-mapped when opened, so opening costs the metadata only; vectors are read whole.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from spinfix.errors import InputError
from spinfix.index.features import EMBED_DIM, Features
from spinfix.index.minhash import band_keys
from spinfix.index.settings import IndexSettings

FORMAT = 1
META = "index.json"


def _faiss() -> Any:
    try:
        import faiss
    except ImportError as exc:  # an optional extra: say how to get it
        raise InputError("spinfix index needs faiss: pip install 'spinfix[index]' (faiss-cpu)") from exc
    return faiss


@dataclass(frozen=True)
class Meta:
    settings: IndexSettings
    segments: tuple[tuple[str, int], ...]  # (folder name, documents)

    @property
    def documents(self) -> int:
        return sum(n for _, n in self.segments)


def read_meta(root: Path) -> Meta:
    path = root / META
    if not path.is_file():
        raise InputError(f"{root} is not a spinfix index (no {META}); build one with `spinfix index build`")
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
        if d.get("format") != FORMAT:
            raise InputError(f"{path}: index format {d.get('format')!r}, this spinfix reads {FORMAT}")
        return Meta(IndexSettings.from_dict(d["settings"]), tuple((s["name"], int(s["documents"])) for s in d["segments"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path} is damaged: {exc}") from exc


def write_meta(root: Path, meta: Meta) -> None:
    d = {
        "format": FORMAT, "settings": meta.settings.to_dict(),
        "segments": [{"name": n, "documents": k} for n, k in meta.segments], "documents": meta.documents,
    }
    tmp = root / (META + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(d, f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, root / META)


def write_segment(root: Path, name: str, ids: Sequence[str], texts: Sequence[str], feats: Features, settings: IndexSettings) -> None:
    """Write one segment folder atomically (temporary folder, then rename)."""
    final = root / name
    tmp = root / f".{name}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    offsets = [0]
    with open(tmp / "docs.jsonl", "wb") as f:
        for i, t in zip(ids, texts):
            line = (json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n").encode("utf-8")
            f.write(line)
            offsets.append(offsets[-1] + len(line))
    np.save(tmp / "offsets.npy", np.array(offsets, dtype=np.uint64))
    # The ids alone, so that an `add` learns what the index holds without reading its texts.
    (tmp / "ids.json").write_text(json.dumps(list(ids), ensure_ascii=False), encoding="utf-8")
    for fam, sig in feats.signatures.items():
        np.save(tmp / f"sig-{fam}.npy", sig)
        keys = band_keys(sig, settings.rows).T  # (bands, n)
        order = np.argsort(keys, axis=1, kind="stable")
        np.save(tmp / f"lsh-{fam}.npy", np.take_along_axis(keys, order, axis=1))
        np.save(tmp / f"lsh-{fam}-rows.npy", order.astype(np.uint32))
    if feats.vectors is not None:
        faiss = _faiss()
        index = faiss.IndexScalarQuantizer(EMBED_DIM, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
        vec = np.ascontiguousarray(feats.vectors, dtype=np.float32)
        if len(vec):
            index.train(vec)
            index.add(vec)
        faiss.write_index(index, str(tmp / "vectors.faiss"))
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)


class Segment:
    """One segment, opened: memory-mapped arrays, documents read by row on demand."""

    def __init__(self, root: Path, name: str, settings: IndexSettings) -> None:
        self.path = root / name
        try:
            self.offsets = np.load(self.path / "offsets.npy", mmap_mode="r")
            self.signatures = {f: np.load(self.path / f"sig-{f}.npy", mmap_mode="r") for f in settings.families}
            self.lsh = {
                f: (np.load(self.path / f"lsh-{f}.npy", mmap_mode="r"), np.load(self.path / f"lsh-{f}-rows.npy", mmap_mode="r"))
                for f in settings.families
            }
            self.vectors = _faiss().read_index(str(self.path / "vectors.faiss")) if settings.embed else None
        except (OSError, ValueError) as exc:
            raise InputError(f"index segment {self.path} is damaged or incomplete: {exc}") from exc
        self.size = len(self.offsets) - 1

    def document(self, row: int) -> tuple[str, str]:
        """(id, text) of the document at `row`."""
        start, end = int(self.offsets[row]), int(self.offsets[row + 1])
        with open(self.path / "docs.jsonl", "rb") as f:
            f.seek(start)
            d = json.loads(f.read(end - start))
        return d["id"], d["text"]

    def ids(self) -> list[str]:
        path = self.path / "ids.json"
        if not path.exists():  # segments written by spinfix 0.11.0 keep their ids in docs.jsonl only
            return [self.document(row)[0] for row in range(self.size)]
        return list(json.loads(path.read_text(encoding="utf-8")))

    def candidates(self, family: str, query_keys: np.ndarray) -> np.ndarray:
        """Rows sharing at least one band key with the query (query_keys: (bands,))."""
        keys, rows = self.lsh[family]
        found = []
        for b, k in enumerate(query_keys):
            if k == np.uint64(0xFFFFFFFFFFFFFFFF):
                continue
            lo, hi = np.searchsorted(keys[b], k, side="left"), np.searchsorted(keys[b], k, side="right")
            if hi > lo:
                found.append(np.asarray(rows[b, lo:hi]))
        return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.uint32)
