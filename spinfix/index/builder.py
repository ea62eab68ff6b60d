"""Building an index from a corpus, and adding to it: the corpus is read shard by shard (a
folder of text files, JSONL or Parquet: spinfix.batch.plan), each shard's features computed, and
a segment written every `segment_size` documents; index.json names a segment only once it is
whole, so an interrupted build leaves the index as it was before.

Documents that cannot be read (an empty text, a bad JSONL line) are skipped and counted; a
document whose id the index already holds is skipped too (an `add` never holds an id twice).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from spinfix.batch.docs import Doc
from spinfix.batch.plan import Plan, plan_input, read_shard
from spinfix.batch.progress import JobProgress
from spinfix.batch.sources import open_source
from spinfix.errors import InputError
from spinfix.index.features import Features, Featurizer
from spinfix.index.settings import IndexSettings
from spinfix.index.store import META, Meta, Segment, read_meta, write_meta, write_segment

logger = logging.getLogger(__name__)

SHARD_DOCS = 500  # documents read and featurised at a time


@dataclass
class BuildSummary:
    """What a build or an add did."""

    added: int = 0
    skipped_errors: list[str] = field(default_factory=list)  # "where: why", the first 20
    errors: int = 0
    duplicates: int = 0
    segments: int = 0
    documents: int = 0  # in the index afterwards

    def to_dict(self) -> dict:
        return {
            "added": self.added, "errors": self.errors, "duplicates": self.duplicates,
            "segments_written": self.segments, "documents": self.documents, "first_errors": self.skipped_errors,
        }


def local_features(plan: Plan, settings: IndexSettings, featurizer: Featurizer | None = None) -> Iterator[tuple[list[Doc], Features]]:
    """The local engine: each shard's documents and the features of those that are readable
    (in their order), computed in this process."""
    featurizer = featurizer or Featurizer(settings)
    for task in plan.tasks:
        docs = read_shard(task)
        yield docs, featurizer.features([d.text for d in docs if d.ok and d.text is not None])


def build(
    corpus: str | Path,
    root: str | Path,
    settings: IndexSettings | None = None,
    add: bool = False,
    featurizer: Featurizer | None = None,
    progress: JobProgress | None = None,
    engine: Callable[[Plan, IndexSettings], Iterable[tuple[list[Doc], Features]]] | None = None,
) -> BuildSummary:
    """Index the documents of `corpus` into `root`: a new index (refused where one exists), or
    with `add` more documents into an existing one (its own settings are used). `engine`
    computes the shards' features (default: here, with `featurizer`; spinfix.index.ray_build:
    on a Ray cluster); segments are written here, in input order, whatever the engine."""
    root = Path(root)
    if add:
        meta = read_meta(root)
        if settings is not None and settings != meta.settings:
            raise InputError(f"{root} was built with other settings; add with the index's own")
        settings = meta.settings
    else:
        if (root / META).exists():
            raise InputError(f"{root} already holds an index: use `spinfix index add` to add to it, or another folder")
        if root.exists() and not root.is_dir():
            raise InputError(f"{root} is not a folder")
        settings = settings or IndexSettings()
        open_source(str(corpus))  # a missing or unreadable corpus fails before the folder is made
        root.mkdir(parents=True, exist_ok=True)
        meta = Meta(settings, ())
        write_meta(root, meta)
    seen: set[str] = set()
    for name, _ in meta.segments:
        seen.update(Segment(root, name, settings).ids())
    summary = BuildSummary()
    pending_ids: list[str] = []
    pending_texts: list[str] = []
    pending_feats: list[Features] = []

    def flush() -> None:
        nonlocal meta
        if not pending_ids:
            return
        feats = _concat(pending_feats)
        name = f"seg-{len(meta.segments):06d}"
        write_segment(root, name, pending_ids, pending_texts, feats, settings)
        meta = Meta(settings, (*meta.segments, (name, len(pending_ids))))
        write_meta(root, meta)
        summary.segments += 1
        logger.info("wrote %s: %d documents (%d in the index)", name, len(pending_ids), meta.documents)
        pending_ids.clear()
        pending_texts.clear()
        pending_feats.clear()

    plan = plan_input(str(Path(corpus).resolve()), min(SHARD_DOCS, settings.segment_size))
    if progress:
        progress.start(plan.documents)
    shards = engine(plan, settings) if engine is not None else local_features(plan, settings, featurizer)
    for docs, feats in shards:
        readable = [d for d in docs if d.ok and d.text is not None]
        keep = []
        for d in docs:
            if not d.ok or d.text is None:
                summary.errors += 1
                if len(summary.skipped_errors) < 20:
                    summary.skipped_errors.append(d.error or f"{d.id}: no text")
        for row, d in enumerate(readable):
            if d.id in seen:
                summary.duplicates += 1
            else:
                seen.add(d.id)
                keep.append(row)
                pending_ids.append(d.id)
                pending_texts.append(d.text or "")
        if keep:
            pending_feats.append(_rows(feats, keep))
            summary.added += len(keep)
        if progress:
            progress.shard_done(len(docs))
        if len(pending_ids) >= settings.segment_size:
            flush()
    flush()
    summary.documents = meta.documents
    return summary


def _rows(feats: Features, rows: list[int]) -> Features:
    idx = np.array(rows, dtype=np.int64)
    return Features({f: s[idx] for f, s in feats.signatures.items()}, None if feats.vectors is None else feats.vectors[idx])


def _concat(parts: list[Features]) -> Features:
    sigs = {f: np.concatenate([p.signatures[f] for p in parts]) for f in parts[0].signatures}
    vecs = None if parts[0].vectors is None else np.concatenate([p.vectors for p in parts if p.vectors is not None])
    return Features(sigs, vecs)
