"""pyproject.toml declares what fieldapp imports, and imports what it declares.

An undeclared import works on a developer's machine where something else pulled it in and
breaks on a clean install; a declared package nothing imports is weight and attack surface.
"""
from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib

from helpers import ROOT

# Run as programs, not imported: gunicorn serves fieldapp.wsgi:app (README, bench/).
PROGRAMS = {"gunicorn"}


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {_normalise(re.split(r"[\[<>=!~; ]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_top_levels() -> set[str]:
    names = set()
    for path in (ROOT / "fieldapp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names and name != "fieldapp"}


def _distributions_of(top_levels: set[str]) -> dict[str, set[str]]:
    owners = importlib.metadata.packages_distributions()
    return {name: {_normalise(dist) for dist in owners.get(name, [])} for name in top_levels}


def test_every_import_is_declared():
    declared = _declared()
    undeclared = {name: dists for name, dists in _distributions_of(_imported_top_levels()).items()
                  if not dists & declared}
    assert not undeclared, f"imported but not in pyproject.toml's dependencies: {undeclared}"


def test_every_declared_package_is_imported():
    imported = set().union(*_distributions_of(_imported_top_levels()).values())
    unused = _declared() - imported - PROGRAMS
    assert not unused, f"declared but never imported: {sorted(unused)}"


def test_marshmallow_is_pinned_to_the_major_fastload_reads():
    from importlib.metadata import version

    spec = next(s for s in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
                if s.startswith("marshmallow"))
    assert ">=4" in spec and "<5" in spec, spec
    assert version("marshmallow").split(".")[0] == "4"
