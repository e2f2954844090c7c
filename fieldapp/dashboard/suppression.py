"""Small-number suppression for tables that leave the app (funder reports).

Primary: every count 0 < n < 10 is hidden and shown as "<10".
Complementary: a table carries additive relations ("groups": a total cell and the cells that add
up to it: a row's ladder steps to its households, its channels to its records, each column to
the totals row). A hidden cell is disclosed when some combination of those relations isolates
it, the simplest case being a group with exactly one hidden cell (the total minus the visible
cells). So more cells are hidden until no hidden cell can be solved for: first the cheap rule
(no group with exactly one hidden cell), then an exact check by Gaussian elimination over the
hidden cells. Complementary cells are shown as "x": they are not necessarily small.
Derived figures (a rate or an index computed from hidden counts) are hidden with their inputs.
Limitation: only exact (linear) disclosure is prevented, not narrow ranges.
"""
from __future__ import annotations

from dataclasses import dataclass, field

SMALL = 10
PRIMARY = "<10"
COMPLEMENTARY = "x"
_P = (1 << 61) - 1  # a prime: exact elimination on small integers without Fractions

Cell = tuple[int, str]  # (row index, column key)


@dataclass
class Table:
    rows: list[dict]  # column key -> value
    counts: tuple[str, ...]  # the columns holding counts (the others are labels or derived)
    groups: list[tuple[Cell, list[Cell]]] = field(default_factory=list)  # (total, parts): total = sum(parts)
    derived: dict[str, tuple[str, ...]] = field(default_factory=dict)  # derived column -> its inputs


def is_small(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < SMALL


def solvable(hidden: set[Cell], groups: list[tuple[Cell, list[Cell]]]) -> set[Cell]:
    """Hidden cells whose value follows from the published cells and the relations."""
    pivots: dict[Cell, dict[Cell, int]] = {}
    for total, parts in groups:
        row: dict[Cell, int] = {}
        for cell, sign in [(total, 1)] + [(p, -1) for p in parts]:
            if cell in hidden:
                row[cell] = (row.get(cell, 0) + sign) % _P
        row = {c: v for c, v in row.items() if v}
        for col in [c for c in row if c in pivots]:
            factor = row.get(col, 0)
            if factor:
                for c, v in pivots[col].items():
                    row[c] = (row.get(c, 0) - factor * v) % _P
                row = {c: v for c, v in row.items() if v}
        if not row:
            continue
        col = min(row)
        inverse = pow(row[col], _P - 2, _P)
        row = {c: v * inverse % _P for c, v in row.items()}
        for other in pivots.values():
            factor = other.get(col, 0)
            if factor:
                for c, v in row.items():
                    other[c] = (other.get(c, 0) - factor * v) % _P
                for c in [c for c, v in other.items() if not v]:
                    del other[c]
        pivots[col] = row
    return {col for col, row in pivots.items() if len(row) == 1}


def suppress(table: Table) -> tuple[list[dict], set[Cell], set[Cell]]:
    """The rows as published (hidden cells replaced) and the primary and complementary cells."""
    value = lambda cell: table.rows[cell[0]][cell[1]]  # noqa: E731
    primary: set[Cell] = {
        (i, key) for i, row in enumerate(table.rows) for key in table.counts if is_small(row.get(key))
    }
    hidden = set(primary)
    members = [[total, *parts] for total, parts in table.groups]

    def hide_one_more(group: list[Cell]) -> bool:
        visible = [cell for cell in group if cell not in hidden]
        if not visible:
            return False
        nonzero = [cell for cell in visible if value(cell) != 0]
        hidden.add(min(nonzero or visible, key=lambda cell: (value(cell), cell)))
        return True

    while True:
        lonely = next((g for g in members if sum(cell in hidden for cell in g) == 1), None)
        if lonely is not None:
            hide_one_more(lonely)
            continue
        exposed = solvable(hidden, table.groups)
        if not exposed:
            break
        cell = min(exposed)
        touching = [g for g in members if cell in g] + [g for g in members if hidden.intersection(g)]
        if not any(hide_one_more(g) for g in touching):
            break  # everything around it is hidden already: nothing more to do
    complementary = hidden - primary
    published = []
    for i, row in enumerate(table.rows):
        out = dict(row)
        for key in row:
            if (i, key) in primary:
                out[key] = PRIMARY
            elif (i, key) in complementary:
                out[key] = COMPLEMENTARY
        for key, inputs in table.derived.items():
            if key in out and any((i, k) in hidden for k in inputs):
                out[key] = COMPLEMENTARY
        published.append(out)
    return published, primary, complementary
