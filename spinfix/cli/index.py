"""`spinfix index build|add|search`: find the source of a spun text among many clean articles."""
from __future__ import annotations

import json
import logging
import sys
from enum import Enum
from typing import Annotated, Any

import typer

from spinfix.cli import options
from spinfix.cli.app import EXIT_CLEAN, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_SPUN, app, emit, error
from spinfix.errors import SpinfixError
from spinfix.io.inputs import STDIN_NAME
from spinfix.io.reading import DEFAULT_MAX_BYTES, read_text
from spinfix.io.writing import unicode_stream

logger = logging.getLogger(__name__)

index_app = typer.Typer(
    help=(
        "Find the source of a spun text among many clean articles.\n\n"
        "`build` indexes a corpus (a folder of .txt files, a JSONL file or folder of them with "
        "`id` and `text` fields, or Parquet with the same columns); `add` adds more documents to "
        "it; `search` lists the indexed articles most likely to be a suspect's source, by signals "
        "a spinner does not break (its numbers and names in order, its sentences' meaning), and "
        "with --verify checks the best ones with the reference check of `spinfix compare`."
    ),
    no_args_is_help=True,
)
app.add_typer(index_app, name="index")

IndexDirOption = Annotated[str, typer.Option("--index", "-i", metavar="DIR", help="The index folder.", show_default=False)]
SEARCH_EXIT_CODES_HELP = (
    "Exit codes: 0 = searched (with --verify: no hit was derived); 1 = with --verify, a hit the "
    "suspect was derived from; 2 = error (an unreadable input, no index, a bad option)."
)


class Signal(str, Enum):
    combined = "combined"
    immutables = "immutables"
    embedding = "embedding"
    words = "words"


class SearchFormat(str, Enum):
    text = "text"
    json = "json"


class Engine(str, Enum):
    local = "local"
    ray = "ray"


EngineOption = Annotated[
    Engine,
    typer.Option("--engine", case_sensitive=False, help="local: this process. ray: the shards' features on a Ray cluster's actors."),
]
RayAddressOption = Annotated[
    str | None,
    typer.Option(
        "--ray-address", metavar="HOST:PORT", help="With --engine ray: the cluster (default: $RAY_ADDRESS, else a Ray started here)."
    ),
]
ActorsOption = Annotated[int | None, typer.Option("--actors", min=1, help="With --engine ray: how many actors.")]


def _build(corpus: str, index: str, add: bool, embed: bool, engine: Engine, address: str | None, actors: int | None) -> None:
    from spinfix.index import IndexSettings, build

    try:
        run_on = None
        if engine is Engine.ray:
            from spinfix.batch.ray_engine import RaySettings
            from spinfix.index.ray_build import ray_features

            run_on = ray_features(RaySettings(address=address, actors=actors))
        from spinfix.batch.progress import JobProgress

        with JobProgress(description="indexing") as progress:
            summary = build(corpus, index, None if add else IndexSettings(embed=embed), add=add, engine=run_on, progress=progress)
    except KeyboardInterrupt:
        error("interrupted: the index holds the segments written before (index.json names them)")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except (SpinfixError, OSError) as exc:
        error(str(exc))
        raise typer.Exit(EXIT_ERROR) from None
    d = summary.to_dict()
    typer.echo(
        f"{'added' if add else 'indexed'} {d['added']} document(s); {d['documents']} in {index}"
        + (f"; skipped {d['errors']} unreadable" if d["errors"] else "")
        + (f", {d['duplicates']} already indexed" if d["duplicates"] else ""),
        err=True,
    )
    for line in d["first_errors"]:
        typer.echo(f"  skipped: {line}", err=True)
    raise typer.Exit(EXIT_ERROR if d["errors"] else EXIT_CLEAN)


@index_app.command("build", help="Index the documents of CORPUS into a new index folder.")
def build_cmd(
    corpus: Annotated[
        str, typer.Argument(metavar="CORPUS", help="A folder of .txt files, a JSONL file or folder, or Parquet.", show_default=False)
    ],
    index: IndexDirOption,
    embed: Annotated[
        bool,
        typer.Option("--embed/--no-embed", help="Also index each document's sentence-embedding vector (slower to build)."),
    ] = True,
    engine: EngineOption = Engine.local,
    ray_address: RayAddressOption = None,
    actors: ActorsOption = None,
) -> None:
    _build(corpus, index, False, embed, engine, ray_address, actors)


@index_app.command("add", help="Add the documents of CORPUS to an existing index (ids it holds already are skipped).")
def add_cmd(
    corpus: Annotated[str, typer.Argument(metavar="CORPUS", help="As for build.", show_default=False)],
    index: IndexDirOption,
    engine: EngineOption = Engine.local,
    ray_address: RayAddressOption = None,
    actors: ActorsOption = None,
) -> None:
    _build(corpus, index, True, True, engine, ray_address, actors)


@index_app.command("search", help="The indexed articles most likely to be each SUSPECT's source.", epilog=SEARCH_EXIT_CODES_HELP)
def search_cmd(
    suspects: Annotated[list[str], typer.Argument(metavar="SUSPECT...", help="Text files; '-' reads standard input.", show_default=False)],
    index: IndexDirOption,
    top: Annotated[int, typer.Option("--top", "-k", min=1, max=1000, help="Hits per suspect.")] = 10,
    signal: Annotated[
        Signal,
        typer.Option(
            "--signal", case_sensitive=False,
            help="combined: the spin-robust signals fused; or one alone (words: a plagiarism checker's word shingles, for comparison).",
        ),
    ] = Signal.combined,
    verify: Annotated[
        int,
        typer.Option(
            "--verify", min=0, max=100, metavar="N",
            help=(
                "Check the best N hits with the reference check of `spinfix compare` (its evidence, weighed by the "
                "regression fitted for search hits: the probability that the suspect was derived from each), rank them "
                "by it, and call a hit the source at that regression's threshold."
            ),
        ),
    ] = 0,
    fmt: Annotated[
        SearchFormat, typer.Option("--format", "-f", case_sensitive=False, help="text: a line per hit. json: all of it.")
    ] = SearchFormat.text,
    models: options.ModelsOption = None,
    max_bytes: options.MaxBytesOption = DEFAULT_MAX_BYTES,
    output: Annotated[str | None, typer.Option("--output", "-o", metavar="FILE", help="Write the result here instead of stdout.")] = None,
) -> None:
    from spinfix.index import Index

    if suspects.count("-") > 1:
        error("only one input can be '-' (standard input).")
        raise typer.Exit(EXIT_ERROR)
    try:
        texts = [read_text(s, max_bytes=max_bytes) for s in suspects]
        ix = Index.open(index)
    except SpinfixError as exc:
        error(str(exc))
        raise typer.Exit(EXIT_ERROR) from None
    sf = None
    if verify:
        try:
            sf = options.load_models(models, None, True, True)
        except SpinfixError as exc:
            error(f"{exc}" + ("" if models is not None else " Or pass --models PATH."))
            raise typer.Exit(EXIT_ERROR) from None
    results: list[dict[str, Any]] = []  # per suspect: its name and its hits
    derived_any = False
    try:
        all_hits = ix.search_many(texts, top, signal.value)
        for name, text, hits in zip(suspects, texts, all_hits):
            if sf is not None:
                hits = ix.verify(text, hits, sf, verify)
                derived_any |= any(h.is_derived for h in hits)
            results.append({"suspect": STDIN_NAME if name == "-" else name, "hits": [h.to_dict() for h in hits]})
    except KeyboardInterrupt:
        error("interrupted: nothing written")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except SpinfixError as exc:
        error(str(exc))
        raise typer.Exit(EXIT_ERROR) from None
    if fmt is SearchFormat.json:
        out = json.dumps(results if len(results) > 1 else results[0], indent=2, ensure_ascii=not unicode_stream(sys.stdout)) + "\n"
    else:
        lines = []
        for r in results:
            lines.append(f"{r['suspect']}:")
            for n, h in enumerate(r["hits"], 1):
                sig = " ".join(f"{k} {v:.3f}" for k, v in h["signals"].items())
                ver = f"  derived {h['derived']:.3f}{' (DERIVED)' if h['is_derived'] else ''}" if "derived" in h else ""
                lines.append(f"  {n:>3}. {h['id']}  score {h['score']:.4f}  [{sig}]{ver}")
            if not r["hits"]:
                lines.append("  no candidate shares a signal with it")
        out = "\n".join(lines) + "\n"
    emit(out, output)
    raise typer.Exit(EXIT_SPUN if derived_any else EXIT_CLEAN)
