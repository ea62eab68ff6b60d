"""Find the source: a spin-robust search index over a collection of clean articles.

    spinfix index build CORPUS --index DIR      # spinfix.index.builder.build
    spinfix index search SUSPECT --index DIR    # Index.open(DIR).search(text, k)
"""
from spinfix.index.builder import BuildSummary, build
from spinfix.index.search import Hit, Index
from spinfix.index.settings import IndexSettings

__all__ = ["BuildSummary", "Hit", "Index", "IndexSettings", "build"]
