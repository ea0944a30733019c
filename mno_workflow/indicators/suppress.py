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


def _range(n: Node, k: int) -> tuple[float, float]:
    if n.hidden is None:
        return (n.value, n.value)
    if n.hidden == UNKNOWN:
        return (0, math.inf)
    return (1, k - 1) if n.hidden == PRIMARY else (k, math.inf)


def pinned(grid: Grid, eq: tuple[Any, list[Any]], k: int) -> bool:
    """Whether a reader who knows the rule can find the exact value of a primary hidden number of
    equation ``eq`` (total = sum of parts) by interval reasoning."""
    total, parts = eq
    terms = [(total, -1)] + [(p, 1) for p in parts]  # sum(parts) - total = 0
    for key, sign in terms:
        n = grid.nodes[key]
        if n.hidden != PRIMARY:
            continue
        lo_o = hi_o = 0.0  # bounds of sum over others of (their sign * value), isolating key
        for other, s in terms:
            if other == key:
                continue
            lo, hi = _range(grid.nodes[other], k)
            lo_o += s * (lo if s > 0 else hi)
            hi_o += s * (hi if s > 0 else lo)
        # sign * x = -(others) → x in [-hi_o, -lo_o] * sign
        a, b = (-hi_o, -lo_o) if sign > 0 else (lo_o, hi_o)
        lo, hi = max(1, a), min(k - 1, b)
        if hi - lo < 1:
            return True
    return False


def protect(grid: Grid, k: int) -> Grid:
    """Apply primary then complementary suppression to ``grid`` in place; returns it."""
    for n in grid.nodes.values():
        if n.hidden is None and 0 < n.value < k:
            n.hidden = PRIMARY
    changed = True
    while changed:
        changed = False
        for eq in grid.equations:
            if not pinned(grid, eq, k):
                continue
            total, parts = eq
            shown = [x for x in [*parts, total] if grid.nodes[x].hidden is None and grid.nodes[x].value > 0]
            if not shown:
                continue  # every number hidden or zero: nothing left to hide
            pick = min(shown, key=lambda x: (grid.nodes[x].value, x == total))
            grid.nodes[pick].hidden = COMPLEMENTARY
            changed = True
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
