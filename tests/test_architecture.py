"""The package's shape: imports run one way along the data flow, and nothing reaches into another
module's private names.

    text ─► lexicon, lm ─► detect, restore (, reference) ─► pipeline ─► cli, batch, serve
                                                                          (render, io around them)
    eval and train sit on top: the figures and the models; no inference code imports them.

Every import counts, those inside functions and under TYPE_CHECKING too.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "spinfix"

BASE = {"errors", "report", "paths", "settings", "loading"}
INFERENCE = BASE | {"text", "lexicon", "lm", "detect", "restore", "reference", "pipeline", "api"}
AROUND = {"render", "io"}
# What each part of the package may import besides itself.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "report": set(),
    "paths": set(),
    "settings": {"errors"},
    "loading": {"errors"},  # resolve_device refuses a missing GPU with a ModelError
    "text": BASE,
    "lexicon": BASE | {"text"},
    "lm": BASE | {"text"},
    "detect": BASE | {"text", "lexicon", "lm"},
    "restore": BASE | {"text", "lexicon", "lm"},
    "reference": BASE | {"text", "lexicon", "lm", "detect", "restore"},
    "pipeline": BASE | {"text", "lexicon", "lm", "detect", "restore", "reference"},
    "api": BASE | {"pipeline", "index"},  # spinfix/__init__.py: load(), Index and the public names
    "render": BASE | {"text"},
    "io": BASE | {"text", "render"},
    "cli": INFERENCE | AROUND | {"batch", "index", "serve"},  # `spinfix batch`, `index`, `serve`: commands over them
    "index": INFERENCE | AROUND | {"batch"},  # builds read corpora as the batch engine does
    "batch": INFERENCE | AROUND,
    "serve": INFERENCE | AROUND,
    "eval": INFERENCE | AROUND,
    "train": INFERENCE | AROUND | {"eval"},
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _part(module: str) -> str:
    """The part of the package a module belongs to: its subpackage, or its own name at the top."""
    bits = module.split(".")
    if bits[0] != "spinfix":
        raise ValueError(module)
    if len(bits) == 1:
        return "api"
    return bits[1]


def _is_submodule(name: str) -> bool:
    return (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").exists()


def _imports(path: Path, here: str) -> list[tuple[int, str, list[str]]]:
    """(line, imported spinfix module, names taken from it) for every import in a file, the file
    of module `here` ("" for a script)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name, []) for a in node.names if a.name.split(".")[0] == "spinfix"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                package = here.split(".") if path.name == "__init__.py" else here.split(".")[:-1]
                base = package[: len(package) - node.level + 1]
                mod = ".".join([*base, *([node.module] if node.module else [])])
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "spinfix":
                continue
            names = [a.name for a in node.names]
            if mod == "spinfix":  # `from spinfix import render`: a subpackage, or the package's own names
                subs = [n for n in names if _is_submodule(n)]
                out += [(node.lineno, f"spinfix.{n}", []) for n in subs]
                rest = [n for n in names if n not in subs]
                if rest:
                    out.append((node.lineno, "spinfix", rest))
            else:
                out.append((node.lineno, mod, names))
    return out


def layer_violations(path: Path, module: str) -> list[str]:
    """The imports of `path` (the file of spinfix module `module`) that go against ALLOWED."""
    part = _part(module)
    if part not in ALLOWED:
        return [f"{part!r} is a new part of the package; give it its place in ALLOWED"]
    return [
        f"line {line}: {part} imports {mod}"
        for line, mod, _ in _imports(path, module)
        if _part(mod) != part and _part(mod) not in ALLOWED[part]
    ]


def private_imports(path: Path, module: str | None) -> list[str]:
    """The names starting with "_" that `path` (module `module`, None for a script) imports from
    another module."""
    return [
        f"line {line}: {name} from {mod}"
        for line, mod, names in _imports(path, module or "")
        for name in names
        if name.startswith("_") and not name.startswith("__") and mod != module
    ]


PACKAGE_FILES = sorted(PACKAGE.rglob("*.py"))
SCRIPT_FILES = sorted([*(ROOT / "scripts").glob("*.py"), *(ROOT / "experiments").glob("*.py")])


@pytest.mark.parametrize("path", PACKAGE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_one_way_along_the_data_flow(path: Path) -> None:
    wrong = layer_violations(path, _module_name(path))
    assert not wrong, f"{path.relative_to(ROOT)} imports against the data flow:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", PACKAGE_FILES + SCRIPT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_name_is_imported_from_another_module(path: Path) -> None:
    module = _module_name(path) if path.is_relative_to(PACKAGE) else None
    wrong = private_imports(path, module)
    assert not wrong, f"{path.relative_to(ROOT)} imports private names:\n" + "\n".join(wrong)


def test_inference_never_imports_training_or_evaluation() -> None:
    # Said by ALLOWED already; spelled out because it is the rule that matters most.
    for part, allowed in ALLOWED.items():
        if part in INFERENCE:
            assert not allowed & {"train", "eval", "cli", "batch", "serve"}, part


def test_the_checker_sees_wrong_imports(tmp_path: Path) -> None:
    # A module of the lexicon that imports the pipeline, and one that takes a private name.
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from spinfix.pipeline import Spinfix\n    from spinfix.text.document import _split_line\n")
    assert layer_violations(probe, "spinfix.lexicon.probe") == ["line 2: lexicon imports spinfix.pipeline"]
    assert private_imports(probe, "spinfix.lexicon.probe") == ["line 3: _split_line from spinfix.text.document"]
    relative = tmp_path / "relative.py"
    relative.write_text("from ..restore.candidates import CandidateGenerator\nfrom . import thesaurus\n")
    assert layer_violations(relative, "spinfix.lexicon.relative") == ["line 1: lexicon imports spinfix.restore.candidates"]
