"""The house's layering: no module reaches back up the flow of data.

scenario -> member -> population -> sim -> engine -> experiments, with results, plots
and the command line reading what comes before them (member, the data-in
layer reading a member's own LinkedIn export, is read by population and
experiments only); the leaves (errors,
records, seeds, pillars, stats) are used by all. Imports inside functions
and under ``TYPE_CHECKING`` count: the check reads every import statement.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ssisim

PACKAGE = Path(ssisim.__file__).parent

LATER = {
    "leaves": {
        "member",
        "population",
        "sim",
        "engine",
        "experiments",
        "results",
        "plots",
        "cli",
        "report",
        "explore",
    },
    "scenario": {
        "member",
        "population",
        "sim",
        "engine",
        "experiments",
        "results",
        "plots",
        "cli",
        "report",
        "explore",
    },
    "member": {
        "population",
        "sim",
        "engine",
        "experiments",
        "results",
        "plots",
        "cli",
        "report",
        "explore",
    },
    "population": {"sim", "engine", "experiments", "results", "plots", "cli", "report", "explore"},
    "sim": {"engine", "experiments", "results", "plots", "cli", "report", "explore"},
    "engine": {"experiments", "results", "plots", "cli", "report", "explore"},
    "experiments": {"plots", "report", "cli", "explore"},
    "results": {
        "member",
        "population",
        "sim",
        "engine",
        "experiments",
        "plots",
        "cli",
        "report",
        "explore",
    },
    "plots": {"member", "population", "sim", "engine", "experiments", "report", "cli", "explore"},
    "report": {"member", "population", "sim", "engine", "experiments", "cli", "explore"},
    # the browser explorer: a late layer like report, reading every layer before it
    "explore": {"cli"},
    "cli": set(),
}
LEAVES = {"errors", "records", "seeds", "pillars", "stats"}


def _layer(path: Path) -> str:
    part = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    return "leaves" if part in LEAVES or part == "__init__" else part


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m.split(".")[1] for m in found if m.startswith("ssisim.")}


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_reaches_back_up(path: Path) -> None:
    layer = _layer(path)
    assert layer in LATER, f"{path}: a package the layering does not know"
    assert not (_imports(path) & LATER[layer]), f"{path} imports a later layer"


def test_the_check_sees_imports() -> None:
    assert {"results", "scenario"} <= _imports(PACKAGE / "plots" / "redraw.py")
    assert "sim" in _imports(PACKAGE / "engine" / "worker.py")
