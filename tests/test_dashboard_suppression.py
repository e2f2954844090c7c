"""Small-number suppression, checked against an oracle that shares no code with it.

A hidden cell is disclosed when the published cells and the table's relations (total = sum of
parts) leave it only one possible value. The oracle decides that with exact fractions, and
proves "nothing is disclosed" by a witness: another true table, consistent with every relation,
that publishes exactly the same cells and has a different value in every hidden cell. Checking
a witness is plain substitution, so a wrong oracle can only make a test fail, never pass.
"""
from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldapp.dashboard.exports import COUNTS, street_table
from fieldapp.dashboard.suppression import COMPLEMENTARY, PRIMARY, Table, solvable, suppress

CHANNELS = ("rally", "klus", "loket", "visit", "event")


# --- the oracle --------------------------------------------------------------------------------

def _reduced_relations(hidden: list, groups) -> dict:
    """The relations as equations in the hidden cells' unknown changes, in reduced row echelon
    form over the rationals: {pivot cell: {cell: coefficient}} (the pivot's coefficient is 1)."""
    order = {cell: i for i, cell in enumerate(hidden)}
    equations = []
    for total, parts in groups:
        equation: dict = {}
        for cell, sign in [(total, 1), *((part, -1) for part in parts)]:
            if cell in order:
                equation[cell] = equation.get(cell, 0) + Fraction(sign)
        equations.append({cell: value for cell, value in equation.items() if value})
    reduced: dict = {}
    for pivot in hidden:
        row = next((eq for eq in equations if eq.get(pivot)), None)
        if row is None:
            continue
        equations.remove(row)
        row = {cell: value / row[pivot] for cell, value in row.items()}
        for other in [*equations, *reduced.values()]:
            factor = other.get(pivot)
            if factor:
                for cell, value in row.items():
                    other[cell] = other.get(cell, 0) - factor * value
                for cell in [cell for cell, value in other.items() if not value]:
                    del other[cell]
        reduced[pivot] = row
    return reduced


def disclosed(hidden: set, groups) -> set:
    """Hidden cells whose change is forced to zero: their equation names no free cell."""
    return {pivot for pivot, row in _reduced_relations(sorted(hidden), groups).items() if len(row) == 1}


def another_table(rows: list[dict], hidden: set, groups) -> dict | None:
    """Values for the hidden cells, each different from the true one, that keep every relation
    with the published cells unchanged; None when some hidden cell is disclosed."""
    reduced = _reduced_relations(sorted(hidden), groups)
    if any(len(row) == 1 for row in reduced.values()):
        return None
    free = [cell for cell in sorted(hidden) if cell not in reduced]
    # Free cells change by t**0, t**1, ...; a pivot then changes by a nonzero polynomial in t of
    # degree < len(free), so each pivot rules out fewer than len(free) values of t: among the
    # len(free) * (len(reduced) + 1) + 1 values tried, one makes every change nonzero.
    for t in range(2, len(free) * (len(reduced) + 1) + 3):
        change = {cell: Fraction(t) ** power for power, cell in enumerate(free)}
        for pivot, row in reduced.items():
            change[pivot] = -sum(value * change[cell] for cell, value in row.items() if cell != pivot)
        if all(change.values()):
            return {(i, key): rows[i][key] + change[(i, key)] for i, key in hidden}
    raise AssertionError("unreachable: a polynomial has more roots than its degree")


def publishes_the_same(rows: list[dict], hidden: set, groups, other: dict) -> bool:
    """The witness check: `other` differs in every hidden cell and keeps every relation."""
    def value(cell):
        return other[cell] if cell in hidden else rows[cell[0]][cell[1]]

    return (set(other) == set(hidden)
            and all(other[(i, key)] != rows[i][key] for i, key in hidden)
            and all(value(total) == sum(value(part) for part in parts) for total, parts in groups))


def test_the_oracle_on_tables_worked_out_by_hand():
    rows = [{"t": 10, "a": 8, "b": 2, "u": 12, "c": 4, "v": 6}]
    a, b, c, t, u, v = ((0, key) for key in "abctuv")
    # t = a + b alone: a and b hidden can still be 9 and 1.
    assert disclosed({a, b}, [(t, [a, b])]) == set()
    other = another_table(rows, {a, b}, [(t, [a, b])])
    assert publishes_the_same(rows, {a, b}, [(t, [a, b])], other)
    # a+b = 10, a+c = 12, b+c = 6: with all three hidden, a = (10 + 12 - 6) / 2.
    groups = [(t, [a, b]), (u, [a, c]), (v, [b, c])]
    assert disclosed({a, b, c}, groups) == {a, b, c} and another_table(rows, {a, b, c}, groups) is None
    # ... and with t hidden too, only a - b (= u - v) is known, neither a nor b.
    assert disclosed({a, b, c, t}, groups) == set()
    assert publishes_the_same(rows, {a, b, c, t}, groups, another_table(rows, {a, b, c, t}, groups))
    # A witness that breaks a relation, or leaves a hidden cell as it was, is refused.
    assert not publishes_the_same(rows, {a, b}, [(t, [a, b])], {a: 9, b: 2})
    assert not publishes_the_same(rows, {a, b}, [(t, [a, b])], {a: 8, b: 2})


# --- suppression of the street table ----------------------------------------------------------

@st.composite
def street_rows(draw):
    """Figures as the dashboard makes them: ladders add up to households, channels to records."""
    n = draw(st.integers(min_value=1, max_value=6))
    small = st.one_of(st.integers(0, 12), st.integers(0, 60))
    streets = []
    for i in range(n):
        ladder = {str(s): draw(small) for s in range(1, 6)}
        reached = sum(ladder.values())
        ladder["0"] = draw(small)
        channels = {c: {"records": draw(small), "addresses": 0} for c in CHANNELS}
        records = sum(c["records"] for c in channels.values())
        row = {
            "street_id": i + 1, "name": f"S{i}", "households": reached + ladder["0"], "reached": reached,
            "coverage": reached / (reached + ladder["0"]) if reached + ladder["0"] else None,
            "anonymous_contacts": draw(small), "records": records, "refusals": draw(small),
            "trust_index": 50.0 if reached else None, "ladder": ladder, "channels": channels,
            "taalcoach_records": draw(small), "koppelkansen": draw(small), "referrals_open": draw(small),
            "referrals_overdue": draw(small), "median_response_days": draw(st.none() | st.floats(0, 30)),
        }
        streets.append(row)
    totals = {"ladder": {}, "channels": {c: {"records": 0, "addresses": 0} for c in CHANNELS}}
    for key in ("households", "reached", "anonymous_contacts", "records", "refusals", "taalcoach_records",
                "koppelkansen", "referrals_open", "referrals_overdue"):
        totals[key] = sum(r[key] for r in streets)
    for s in range(6):
        totals["ladder"][str(s)] = sum(r["ladder"][str(s)] for r in streets)
    for c in CHANNELS:
        totals["channels"][c]["records"] = sum(r["channels"][c]["records"] for r in streets)
    totals["coverage"] = totals["reached"] / totals["households"] if totals["households"] else None
    totals["trust_index"] = 50.0 if totals["reached"] else None
    totals["median_response_days"] = 3.0
    return {"streets": streets, "totals": totals}


@settings(max_examples=150, deadline=None)
@given(street_rows())
def test_no_small_count_is_ever_shown_or_derivable(figures):
    table = street_table(figures)
    published, primary, complementary = suppress(table)
    hidden = primary | complementary
    for i, (row, out) in enumerate(zip(table.rows, published)):
        for key in COUNTS:
            if 0 < row[key] < 10:
                assert out[key] == PRIMARY
            elif (i, key) in complementary:
                assert out[key] == COMPLEMENTARY
            else:
                assert out[key] == row[key]  # nothing else is changed
        for derived, inputs in table.derived.items():
            if any((i, k) in hidden for k in inputs):
                assert out[derived] == COMPLEMENTARY
    # No relation has a single hidden cell (total minus visible cells), and no combination of
    # relations solves for any hidden cell: another true table publishes the same, with every
    # hidden cell different.
    for total, parts in table.groups:
        assert sum(cell in hidden for cell in [total, *parts]) != 1
    other = another_table(table.rows, hidden, table.groups)
    assert other is not None, f"disclosed: {sorted(disclosed(hidden, table.groups))}"
    assert publishes_the_same(table.rows, hidden, table.groups, other)
    # The relations are real: each group adds up in the true table.
    for (ti, tk), parts in table.groups:
        assert table.rows[ti][tk] == sum(table.rows[i][k] for i, k in parts)


def test_solvable_finds_a_disclosure_across_relations():
    # a+b = 10 and a+c = 12 and b+c = 6 (3 hidden, no group with one hidden) still gives a = 8.
    rows = [{"t1": 10, "t2": 12, "t3": 6, "a": 8, "b": 2, "c": 4}]
    groups = [((0, "t1"), [(0, "a"), (0, "b")]), ((0, "t2"), [(0, "a"), (0, "c")]), ((0, "t3"), [(0, "b"), (0, "c")])]
    assert solvable({(0, "a"), (0, "b"), (0, "c")}, groups) == {(0, "a"), (0, "b"), (0, "c")}
    published, primary, complementary = suppress(Table(rows, ("t1", "t2", "t3", "a", "b", "c"), groups))
    assert solvable(primary | complementary, groups) == set()
    hidden = primary | complementary
    assert publishes_the_same(rows, hidden, groups, another_table(rows, hidden, groups))


# --- small tables of any shape: the oracle against solvable and suppress ----------------------

@st.composite
def small_tables(draw) -> Table:
    """A grid of counts with row totals, column totals and a grand total, some relations left
    out and some sub-totals added: relations that overlap in the ways real tables do."""
    height, width = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    keys = [f"c{j}" for j in range(width)]
    with_part = width > 2 and draw(st.booleans())
    rows = [{key: draw(st.integers(0, 14)) for key in keys} for _ in range(height)]
    groups = []
    for i, row in enumerate(rows):
        row["sum"] = sum(row[key] for key in keys)
        groups.append(((i, "sum"), [(i, key) for key in keys]))
        if with_part:
            row["part"] = row["c0"] + row["c1"]
            groups.append(((i, "part"), [(i, "c0"), (i, "c1")]))
    total = {key: sum(row[key] for row in rows) for key in rows[0]}
    groups += [((height, key), [(i, key) for i in range(height)]) for key in total]
    rows.append(total)
    kept = draw(st.lists(st.booleans(), min_size=len(groups), max_size=len(groups)))
    return Table(rows, tuple(total), [group for group, keep in zip(groups, kept) if keep])


@settings(max_examples=300, deadline=None)
@given(small_tables(), st.data())
def test_solvable_finds_exactly_the_disclosed_cells(table, data):
    cells = sorted((i, key) for i, row in enumerate(table.rows) for key in table.counts)
    hidden = data.draw(st.sets(st.sampled_from(cells)), label="hidden")
    assert solvable(hidden, table.groups) == disclosed(hidden, table.groups)
    other = another_table(table.rows, hidden, table.groups)
    assert (other is None) == bool(disclosed(hidden, table.groups))
    assert other is None or publishes_the_same(table.rows, hidden, table.groups, other)


@settings(max_examples=300, deadline=None)
@given(small_tables())
def test_suppressing_a_small_table_discloses_nothing(table):
    published, primary, complementary = suppress(table)
    hidden = primary | complementary
    assert primary == {(i, key) for i, row in enumerate(table.rows) for key in table.counts if 0 < row[key] < 10}
    other = another_table(table.rows, hidden, table.groups)
    assert other is not None, f"disclosed: {sorted(disclosed(hidden, table.groups))}"
    assert publishes_the_same(table.rows, hidden, table.groups, other)
