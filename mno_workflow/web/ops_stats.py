"""Small-cell suppression of the operational aggregates of :func:`.queries.dashboard` (cases per
status, open step instances per state, overdue instances per step, median days per step, referral
states per provider and per region), for every path that shows them: the REST API's ``/stats``
and the dashboard's summary line, « Goulots d'étranglement », overdue and per-state charts.

Same rule as the indicators (:mod:`mno_workflow.indicators.suppress`, threshold from the SOP's
``indicators.suppression_threshold``, default 5): counts from 1 to k-1 are hidden (primary);
counts a reader could use to recompute them are hidden too (complementary). The referral tables
by provider and by region are two margins of the same counts: for each referral state, the sum
over providers equals the sum over regions (that total is not published, but a reader can
compute it from one table and subtract in the other), so both tables are protected together.
A median is shown only when the number of durations it is computed on is at least k.

:func:`dashboard_counts` caches the counts of :func:`.queries.dashboard` with the invalidation of
the indicator cache (:mod:`mno_workflow.indicators.cache`): the audit mark (cases, instances and
deadlines change only with an audit event; an extension writes one too) and the next running
deadline that falls due (the overdue counts change then, without an event).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..indicators import cache, suppress

DEFAULT_THRESHOLD = 5
PRIMARY, COMPLEMENTARY, FEW_VALUES = "primary", "complementary", "few_values"


def threshold_of(sop) -> int:
    """The SOP's suppression threshold (``indicators.suppression_threshold``), else 5."""
    ind = getattr(sop, "indicators", None)
    return ind.suppression_threshold if ind is not None else DEFAULT_THRESHOLD


@dataclass
class OpsStats:
    """The protected aggregates. ``grid`` holds every count (keys below); ``median`` the medians
    (days) of steps whose number of values is shown; ``few`` the steps whose median is hidden.

    Keys: ``("totals", status)``, ``("open", step, state)``, ``("overdue", step)``,
    ``("provider", recipient, state)``, ``("region", region, state)``."""

    k: int
    grid: suppress.Grid
    median: dict[str, float] = field(default_factory=dict)
    few: list[str] = field(default_factory=list)

    def value(self, key: tuple) -> int | None:
        """The count, or None when it is hidden."""
        n = self.grid.nodes[key]
        return n.value if n.hidden is None else None

    def text(self, key: tuple) -> str | int:
        """The count, « < 5 » (primary) or « s » (complementary); 0 for a key without rows."""
        if key not in self.grid.nodes:
            return 0
        return suppress.display(self.grid, key, self.k)

    def chart_item(self, label: str, key: tuple) -> tuple[str, int, str | None]:
        """``(label, value, text)`` for :func:`.charts.bar_chart`: a hidden cell is drawn as 0
        with its mark."""
        v = self.value(key)
        return (label, v or 0, None if v is not None else str(self.text(key)))

    def keys(self, kind: str) -> list[tuple]:
        return [key for key in self.grid.nodes if key[0] == kind]

    def suppressed(self) -> list[dict[str, Any]]:
        """``[{"path": [...], "reason": "primary" | "complementary" | "few_values"}]``: every
        hidden number of the API answer, by its path in the JSON body."""
        field_of = {
            "totals": "totals",
            "open": "open_by_step_state",
            "overdue": "overdue_by_step",
            "provider": "referrals_by_provider",
            "region": "referrals_by_region",
        }
        out = []
        for key, n in self.grid.nodes.items():
            if key[0] in field_of and n.hidden in (suppress.PRIMARY, suppress.COMPLEMENTARY):
                out.append({"path": [field_of[key[0]], *map(str, key[1:])], "reason": n.hidden})
        out += [{"path": ["median_days_by_step", step], "reason": FEW_VALUES} for step in self.few]
        return out


def protect(d: dict[str, Any], k: int) -> OpsStats:
    """Protect the dict of :func:`.queries.dashboard` (``per_state``, ``overdue``, ``median``,
    ``median_n``, ``by_provider``, ``by_region``, ``totals``) with threshold ``k``."""
    g = suppress.Grid()
    for status, n in sorted(d["totals"].items()):
        g.node(("totals", status), n)
    for (step, state), n in sorted(d["per_state"].items()):
        g.node(("open", step, state), n)
    for step, n in sorted(d["overdue"].items()):
        g.node(("overdue", step), n)
    states: set[str] = set()
    for kind, table in (("provider", d["by_provider"]), ("region", d["by_region"])):
        for who, counts in sorted(table.items()):
            for state, n in sorted(counts.items()):
                g.node((kind, who, state), n)
                states.add(state)
    for state in sorted(states):  # the referrals in a state: not published, derivable from either table
        margin = g.node(("referral_state", state), 0)
        parts = {
            kind: [key for key in g.nodes if key[0] == kind and key[2] == state]
            for kind in ("provider", "region")
        }
        g.nodes[margin].value = sum(g.nodes[key].value for key in parts["provider"])
        g.nodes[margin].hidden = suppress.UNKNOWN
        for kind in ("provider", "region"):
            g.equations.append((margin, parts[kind]))
    suppress.protect(g, k)
    out = OpsStats(k, g)
    counts = d.get("median_n", {})
    for step, m in d["median"].items():
        if counts.get(step, 0) >= k:
            out.median[step] = m
        else:
            out.few.append(step)
    return out


def api_body(ops: OpsStats) -> dict[str, Any]:
    """The body of ``GET /api/v1/stats``: same field names as before suppression, hidden counts
    and medians as ``null``, listed in ``suppressed`` with their reason."""
    return {
        "totals": {key[1]: ops.value(key) for key in ops.keys("totals")},
        "open_by_step_state": [
            {"step": key[1], "state": key[2], "count": ops.value(key)} for key in ops.keys("open")
        ],
        "overdue_by_step": {key[1]: ops.value(key) for key in ops.keys("overdue")},
        "median_days_by_step": {
            step: ops.median.get(step) for step in sorted({*ops.median, *ops.few})
        },
        "referrals_by_provider": _nested(ops, "provider"),
        "referrals_by_region": _nested(ops, "region"),
        "suppression_threshold": ops.k,
        "suppressed": ops.suppressed(),
    }


def _nested(ops: OpsStats, kind: str) -> dict[str, dict[str, int | None]]:
    out: dict[str, dict[str, int | None]] = {}
    for key in ops.keys(kind):
        out.setdefault(key[1], {})[key[2]] = ops.value(key)
    return out


_COUNTS: OrderedDict[tuple, tuple[dict[str, Any], datetime | None]] = OrderedDict()
_LOCK = threading.Lock()


def dashboard_counts(session, now: datetime, region: str | None = None, *, with_median: bool = True,
                     sop_id: str | None = None):
    """:func:`.queries.dashboard` of ``region`` (and of the SOP ``sop_id``) at ``now``, from the
    cache while no audit event was added and no running deadline fell due since it was read
    (``MNO_INDICATOR_CACHE=0``: always read)."""
    from sqlalchemy import func, select

    from ..store.models import Deadline
    from . import queries, worklists

    if not cache.enabled():
        return queries.dashboard(session, now, region, with_median=with_median, sop_id=sop_id)
    key = (str(session.get_bind().url), region, with_median, sop_id, cache.mark(session))
    with _LOCK:
        got = _COUNTS.get(key)
        if got is not None and (got[1] is None or now < got[1]):
            _COUNTS.move_to_end(key)
            return got[0]
    d = queries.dashboard(session, now, region, with_median=with_median, sop_id=sop_id)
    next_due = session.scalar(
        select(func.min(Deadline.due_at)).where(
            Deadline.kind == "expiry", Deadline.status.in_(worklists.RUNNING), Deadline.due_at > now
        )
    )
    with _LOCK:
        _COUNTS[key] = (d, next_due)
        while len(_COUNTS) > 64:
            _COUNTS.popitem(last=False)
    return d
