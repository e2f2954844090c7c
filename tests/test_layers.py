"""The packages of fieldapp form layers: a module imports only from its own layer or lower ones.

Every import counts, also one inside a function: it is a dependency all the same, only a later one.
"""
from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "fieldapp"

# Bottom first. A name is a module or subpackage directly under fieldapp/; "fieldapp" is the app
# factory (fieldapp/__init__.py). Names sharing a layer may import each other, but not in a cycle.
LAYERS = (
    # Foundation: knows no domain package. access only reads flask.g; hooks lets a lower
    # package announce events that higher ones act on.
    ("timeutil", "codes", "config", "db", "sqlfuncs", "i18n", "validation",
     "access", "hooks", "audit", "api", "security", "fastload", "workdays"),
    ("streets",),
    ("accounts",),   # users belong to neighbourhoods (streets)
    ("meetings",),   # planned by users for streets; records name the meeting a sign-up was at
    ("records",),    # written by users about addresses; never knows the dashboard
    ("followup",),   # the desk: routes and follows records' referrals
    ("revisits",),   # the revisit queue: reads records; the dashboard shows its conversion
    ("initiatives",),  # koppelkansen: records name them (asked through hooks), their figures read records
    ("savings",),    # what it saved: reads records' measures; the dashboard and public page show it
    ("dashboard",),
    ("public",),     # the public neighbourhood page: reads the dashboard's and the desk's figures
    ("translations_review",),  # suggested wordings: answers i18n's question for accepted ones
    ("privacy",),
    ("field",),
    ("offline",),    # precaches the field app's pages
    ("health",),
    ("models",),     # imports every package's tables, for migrations
    ("migrations",),
    ("demo",),
    ("fieldapp",),
    ("cli", "backup"),  # backup reads the dashboard to check a restore
    ("wsgi",),
)
LAYER_OF = {name: index for index, layer in enumerate(LAYERS) for name in layer}


def module_name(path: Path, package_dir: Path) -> str:
    parts = path.relative_to(package_dir.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def unit_of(module: str) -> str:
    """fieldapp.records.tallies -> records; fieldapp -> fieldapp."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imported_modules(module: str, path: Path, known: set[str]):
    """Each fieldapp module this file imports, anywhere in it, as (line, module)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    root = module.split(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from . import audit` imports the module fieldapp.audit; `from . import create_app`
            # a name of fieldapp itself.
            candidates = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
                          for alias in node.names]
        else:
            continue
        for candidate in candidates:
            if candidate.split(".")[0] != root:
                continue
            while candidate not in known and "." in candidate:
                candidate = candidate.rpartition(".")[0]
            yield node.lineno, candidate


def import_graph(package_dir: Path = PACKAGE_DIR):
    """Every import between fieldapp modules: a list of (importer, line, imported)."""
    files = {module_name(path, package_dir): path for path in sorted(package_dir.rglob("*.py"))}
    return sorted({(module, line, target)
                   for module, path in files.items()
                   for line, target in imported_modules(module, path, set(files))
                   if target != module})


def find_cycle(edges) -> list[str] | None:
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        return error.args[1]
    return None


def layering_problems(package_dir: Path = PACKAGE_DIR) -> list[str]:
    edges = import_graph(package_dir)
    problems = []
    units = {unit_of(module) for module, _line, _target in edges}
    problems += [f"fieldapp/{unit} is in no layer: add it to LAYERS in tests/test_layers.py"
                 for unit in sorted(units - set(LAYER_OF))]
    for module, line, target in edges:
        source_layer, target_layer = LAYER_OF.get(unit_of(module)), LAYER_OF.get(unit_of(target))
        if source_layer is not None and target_layer is not None and target_layer > source_layer:
            problems.append(f"upward import: {module} (line {line}) imports {target}")
    unit_cycle = find_cycle((unit_of(m), unit_of(t)) for m, _line, t in edges if unit_of(m) != unit_of(t))
    if unit_cycle:
        problems.append("packages import each other in a cycle: " + " -> ".join(unit_cycle))
    module_cycle = find_cycle((m, t) for m, _line, t in edges)
    if module_cycle:
        problems.append("modules import each other in a cycle: " + " -> ".join(module_cycle))
    return problems


def test_no_import_runs_upward_or_in_a_cycle():
    assert layering_problems() == []


def test_the_graph_sees_imports_inside_functions():
    edges = {(module, target) for module, _line, target in import_graph()}
    # fieldapp/__init__.py registers the blueprints from inside a function.
    assert ("fieldapp", "fieldapp.streets.blueprint") in edges
    assert ("fieldapp.cli", "fieldapp") in edges  # from . import create_app


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in {"__init__.py": "", **files}.items():
        path = tmp_path / "fieldapp" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "fieldapp"


@pytest.mark.parametrize("files, problem", [
    ({"streets/__init__.py": "", "streets/blueprint.py": "def f():\n    from ..accounts.access import x\n",
      "accounts/__init__.py": "", "accounts/access.py": ""},
     "upward import: fieldapp.streets.blueprint (line 2) imports fieldapp.accounts.access"),
    ({"db.py": "from . import audit\n", "audit.py": "from fieldapp.db import get_session\n"},
     "packages import each other in a cycle"),
    ({"gadgets.py": "from .db import x\n", "db.py": ""}, "fieldapp/gadgets is in no layer"),
])
def test_an_upward_import_a_cycle_or_an_unplaced_package_is_reported(tmp_path, files, problem):
    problems = layering_problems(_package(tmp_path, files))
    assert any(found.startswith(problem) for found in problems), problems
