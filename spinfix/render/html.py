"""Reports as one self-contained HTML page for a person: the verdict, the text with the spun
phrases marked, the suggestions, the restored text as a diff, and for a comparison the two
texts side by side.

    render_report(report)          detect / restore: one text
    render_reports(reports)        several texts on one page (`spinfix detect a.txt b.txt --format html`)
    render_comparison(cmp, names)  compare: a `Comparison` (spinfix.reference; taken by its to_dict)
    render_batch(records, ...)     a batch job's folder (`spinfix report OUT`)
    render_batch_view(view)        the same from its view (html_batch.batch)

The page fetches nothing: its style and script are inline, and its Content-Security-Policy
allows those two (by hash) and nothing else, so even a text that slipped past escaping could
neither run a script nor load anything. Every text goes through jinja2's autoescaping.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import importlib.metadata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import jinja2
from markupsafe import Markup

from spinfix.render.html_article import EVIDENCE_WORDS, article
from spinfix.render.html_batch import MAX_PAGES, BatchView, RecordLike, batch
from spinfix.render.html_compare import KIND_HELP, KIND_NAMES, comparison
from spinfix.render.html_text import LEVEL_NAMES
from spinfix.report import Report

SORT_WORDS = {
    "flagged": "the share of sentences flagged, then the highest sentence probability",
    "probability": "the highest sentence probability",
    "derived": "the probability of derivation from the reference",
    "input": "their order in the input",
}


def _version() -> str:
    try:
        return importlib.metadata.version("spinfix")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "(development)"


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates (spinfix/render/templates), autoescaped whatever their names."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("spinfix.render", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails the render, not the page
    )
    loader = env.loader
    assert loader is not None
    style, _, _ = loader.get_source(env, "style.css")
    script, _, _ = loader.get_source(env, "script.js")
    env.globals.update(
        style=Markup(style), script=Markup(script), version=_version(),
        csp=(f"default-src 'none'; style-src '{_sha256(style)}'; script-src '{_sha256(script)}'; "
             "img-src data:; base-uri 'none'; form-action 'none'"),
        level_names=LEVEL_NAMES, evidence_words=EVIDENCE_WORDS, kind_names=KIND_NAMES, kind_help=KIND_HELP,
        sort_words=SORT_WORDS,
    )
    return env


def _models(models: Mapping[str, str] | None) -> list[tuple[str, str]]:
    return [(str(k), str(v)) for k, v in (models or {}).items()]


def render_report(report: Report, models: Mapping[str, str] | None = None) -> str:
    """The page of one report (detect or restore). `models`: what to say about the models
    besides the report's own `model` (e.g. {"Detector version": "0.6.0"})."""
    return render_reports([report], models)


def render_reports(reports: Sequence[Report], models: Mapping[str, str] | None = None) -> str:
    """One page for several reports, a section each (one report: the same as render_report)."""
    if not reports:
        raise ValueError("no report to render")
    several = len(reports) > 1  # ids get a prefix each, so that the texts' marks do not clash
    articles = [article(r.to_dict(include_text=True), prefix=f"t{n + 1}-" if several else "", name=r.source) for n, r in enumerate(reports)]
    title = f"spinfix: {articles[0].name}" if len(articles) == 1 else f"spinfix: {len(articles)} texts"
    return environment().get_template("report.html.j2").render(articles=articles, models=_models(models), title=title)


def render_comparison(cmp: Any, names: Sequence[str] | None = None, models: Mapping[str, str] | None = None) -> str:
    """The page of a `Comparison` (spinfix.reference.compare; anything with its `to_dict`), or of
    its dict. `names`: the references' names (file names), in order."""
    d = cmp if isinstance(cmp, Mapping) else cmp.to_dict(include_text=True)
    view = comparison(d, names=names)
    return environment().get_template("comparison.html.j2").render(
        c=view, models=_models(models), title=f"spinfix: {view.article.name} against {', '.join(view.references)}",
    )


def render_batch(
    records: Iterable[RecordLike], manifest: Mapping[str, Any] | None = None, summary: Mapping[str, Any] | None = None,
    sort: str = "auto", max_pages: int = MAX_PAGES,
) -> str:
    """The page of a batch job: its documents in a table sorted by `sort` (auto: derivation for a
    compare job, else the share of sentences flagged), and a section for each of the first
    `max_pages`."""
    return render_batch_view(batch(records, manifest, summary, sort=sort, max_pages=max_pages))


def render_batch_view(view: BatchView) -> str:
    """The page of a batch job's view (html_batch.batch), for a caller that reads the view too."""
    return environment().get_template("batch.html.j2").render(b=view, title=f"spinfix: batch of {len(view.rows):,} documents")
