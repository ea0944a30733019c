"""Small-cell suppression of every aggregate shown to M&E or exported.

Primary suppression: a count from 1 to ``threshold - 1`` is hidden and shown as « < 5 » (zero is
shown). Complementary suppression: for every equation a reader can write (a table's total is the
sum of its cells; in a cross-table, each row and column total too), a hidden cell must keep at
least two possible values given what is shown — a primary cell lies in [1, threshold - 1], a
complementary one in [threshold, ∞). While some hidden cell would be pinned, the smallest shown
non-zero number of that equation (cell or total) is hidden too (shown as « s »). Tables with a
multi-valued dimension (a person has several vulnerabilities) are not additive: no equation.

Ratios (numerator/denominator) are shown only when both counts are shown; medians only when the
number of values they are computed on is shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

PRIMARY, COMPLEMENTARY, UNKNOWN = "primary", "complementary", "unknown"  # unknown: not published


@dataclass
class Node:
    """One published number; ``hidden`` is None (shown), ``primary`` or ``complementary``."""

    value: int
    hidden: str | None = None


@dataclass
class Grid:
    """The numbers of one indicator's breakdown (or of the whole indicator) and the equations
    between them: ``(total_node, [part_nodes])``."""

    nodes: dict[Any, Node] = field(default_factory=dict)
    equations: list[tuple[Any, list[Any]]] = field(default_factory=list)

    def node(self, key: Any, value: int) -> Any:
        self.nodes.setdefault(key, Node(int(value)))
        return key


def derived(grid: Grid) -> dict[Any, int]:
    """Hidden numbers a reader can compute exactly: an equation with one unknown gives it, repeated
    until nothing changes (an overall total hidden in one table but equal to a cell of another)."""
    known: dict[Any, int] = {}
    changed = True
    while changed:
        changed = False
        for total, parts in grid.equations:
            nodes = [total, *parts]
            unknown = [x for x in nodes if grid.nodes[x].hidden is not None and x not in known]
            if len(unknown) != 1:
                continue
            x = unknown[0]
            known[x] = grid.nodes[x].value
            changed = True
    return known


def _range(grid: Grid, key: Any, k: int, known: dict[Any, int]) -> tuple[float, float]:
    n = grid.nodes[key]
    if n.hidden is None or key in known:
        return (n.value, n.value)
    if n.hidden == UNKNOWN:
        return (0, math.inf)
    return (1, k - 1) if n.hidden == PRIMARY else (k, math.inf)


def pinned(grid: Grid, eq: tuple[Any, list[Any]], k: int, known: dict[Any, int] | None = None) -> bool:
    """Whether a reader who knows the rule can find the exact value of a primary hidden number of
    equation ``eq`` (total = sum of parts), by the numbers derivable from all equations and interval
    reasoning on this one."""
    known = derived(grid) if known is None else known
    total, parts = eq
    terms = [(total, -1)] + [(p, 1) for p in parts]  # sum(parts) - total = 0
    for key, sign in terms:
        n = grid.nodes[key]
        if n.hidden != PRIMARY:
            continue
        if key in known:
            return True
        lo_o = hi_o = 0.0  # bounds of the others' signed sum
        for other, s in terms:
            if other == key:
                continue
            lo, hi = _range(grid, other, k, known)
            lo_o += s * (lo if s > 0 else hi)
            hi_o += s * (hi if s > 0 else lo)
        a, b = (-hi_o, -lo_o) if sign > 0 else (lo_o, hi_o)
        lo, hi = max(1, a), min(k - 1, b)
        if hi - lo < 1:
            return True
    return False


def _breakers(grid: Grid, eq: tuple[Any, list[Any]], known: dict[Any, int]) -> list[Any]:
    """Shown non-zero numbers whose hiding may unpin ``eq``: its own, then those of equations that
    let a reader derive one of its hidden numbers."""
    total, parts = eq
    nodes = [*parts, total]
    out = [x for x in nodes if grid.nodes[x].hidden is None and grid.nodes[x].value > 0]
    for x in nodes:
        if x in known:
            for t2, p2 in grid.equations:
                if x in (t2, *p2):
                    out += [y for y in (*p2, t2) if grid.nodes[y].hidden is None and grid.nodes[y].value > 0]
    return list(dict.fromkeys(out))


def protect(grid: Grid, k: int) -> Grid:
    """Apply primary then complementary suppression to ``grid`` in place; returns it. When no
    number is left to hide for an equation still pinned, every non-zero number is hidden."""
    for n in grid.nodes.values():
        if n.hidden is None and 0 < n.value < k:
            n.hidden = PRIMARY
    for _ in range(len(grid.nodes) + 1):
        known = derived(grid)
        eq = next((e for e in grid.equations if pinned(grid, e, k, known)), None)
        if eq is None:
            return grid
        cands = _breakers(grid, eq, known)
        if not cands:
            break
        total = eq[0]
        pick = min(cands, key=lambda x: (grid.nodes[x].value, x == total))
        grid.nodes[pick].hidden = COMPLEMENTARY
    for n in grid.nodes.values():  # fallback: nothing would be safe to show
        if n.hidden is None and n.value > 0:
            n.hidden = COMPLEMENTARY
    return grid


def count_grid(total: int, tables: list[tuple[tuple[str, ...], dict[tuple, int], bool]]) -> Grid:
    """A grid of an indicator's counts: the total ``("total",)``, each table's cells
    ``(dims, values)``, equations for additive tables (and rows/columns of two-way tables)."""
    g = Grid()
    g.node(("total",), total)
    for dims, cells, _additive in tables:
        for v, n in cells.items():
            g.node((dims, v), n)
    for dims, cells, additive in tables:
        if not additive:
            continue
        g.equations.append((("total",), [(dims, v) for v in cells]))
        if len(dims) == 2:
            for axis in (0, 1):
                for val in sorted({v[axis] for v in cells}):
                    part = [(dims, v) for v in cells if v[axis] == val]
                    margin = ((dims[axis],), (val,))
                    if margin not in g.nodes:  # a margin not published: unknown to the reader
                        g.node(margin, sum(cells[v] for v in cells if v[axis] == val))
                        g.nodes[margin].hidden = UNKNOWN
                    g.equations.append((margin, part))
    return g


def is_shown(grid: Grid, key: Any) -> bool:
    return grid.nodes[key].hidden is None


def display(grid: Grid, key: Any, k: int) -> str | int:
    """The number to print: the value, « < k » (primary) or « s » (complementary)."""
    n = grid.nodes[key]
    if n.hidden is None or n.hidden == UNKNOWN:
        return n.value
    return f"< {k}" if n.hidden == PRIMARY else "s"
