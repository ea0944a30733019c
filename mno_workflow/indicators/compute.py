"""Computes the SOP's indicators from case histories (audit events): one observation per counted
event, item, deadline or duration, broken down by the indicator's dimensions. No state name is
written here: what counts is the SOP's ``indicators:`` section.

Values before suppression; :mod:`.suppress` makes them fit to show.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..sop.schema import SOP
from .history import CaseHistory, Event
from .periods import Period
from .schema import Dimension, FieldStart, Indicator, Match

UNKNOWN = "unknown"
OrgType = Callable[[str], str | None]


@dataclass
class Obs:
    """One observation: the case, the day it counts on, its value (1 for a count; ``(ok, 1)`` for a
    deadline; days for a duration) and its dimension values (each a list: multi-valued fields)."""

    case_id: int
    day: date
    value: Any
    dims: dict[str, list[str]]


@dataclass
class Table:
    """Cells of one breakdown: ``{(value, ...): aggregate}``. ``additive``: the cells sum to the
    total (no multi-valued dimension)."""

    dims: tuple[str, ...]
    cells: dict[tuple[str, ...], Any]
    additive: bool


@dataclass
class Result:
    """An indicator's total and tables. Counts: ints; ``within_deadline``: ``(numerator,
    denominator)``; ``duration``: the list of days (see :func:`median`). ``ignored_filters``:
    filters on dimensions this indicator has no value for."""

    indicator: Indicator
    total: Any
    tables: list[Table]
    ignored_filters: list[str] = field(default_factory=list)


def median(days: list[float]) -> float | None:
    """The median in days (one decimal), None without values."""
    return round(statistics.median(days), 1) if days else None


def matches(m: Match, e: Event) -> bool:
    """Whether audit event ``e`` is a transition that ``m`` selects."""
    return (
        e.action == "fire"
        and e.step == m.step
        and (not m.triggers or e.trigger in m.triggers)
        and (not m.to or e.to_state in m.to)
        and (not m.from_ or e.from_state in m.from_)
    )


def _age(value: Any, at: date) -> int | None:
    try:
        born = date.fromisoformat(str(value))
    except ValueError:
        return None
    return at.year - born.year - ((at.month, at.day) < (born.month, born.day))


def age_years(dim: Dimension, h: CaseHistory) -> int | None:
    """Age in whole years at registration: from the birth date (on the day of the first event that
    recorded it), else the estimated age; after a retention purge, the ``age_years`` the purge
    event kept (so anonymous figures do not change when personal fields are purged)."""
    a = dim.age
    if a is None:
        return None
    form, _, fld = a.birth_date.partition(".")
    born = h.value(form, fld)
    if born:
        first = next(
            (e.at for e in h.events if isinstance(e.data.get(form), dict) and fld in e.data[form]), None
        )
        years = _age(born, first.date()) if first is not None else None
        if years is not None:
            return years
    if a.estimated:
        form, _, fld = a.estimated.partition(".")
        est = h.value(form, fld)
        if isinstance(est, int) and not isinstance(est, bool):
            return est
    kept = next((e.data.get("age_years") for e in reversed(h.events) if e.action == "purge"), None)
    return kept if isinstance(kept, int) else None


def age_group(dim: Dimension, h: CaseHistory) -> str:
    """The age group code at registration (see :func:`age_years`), ``unknown`` without an age."""
    years = age_years(dim, h)
    a = dim.age
    if years is None or years < 0 or a is None:
        return UNKNOWN
    return next((g for g, hi in zip(a.groups(), a.bands, strict=False) if years < hi), a.groups()[-2])


class Computer:
    """Computes :class:`Result` for the indicators of ``sop`` over ``histories`` in ``period``.

    ``filters``: ``{dimension: value}``; ``now``: the instant deadlines not yet due are ignored at;
    ``org_type``: the directory's organisation type of a provider id (for ``directory`` dims)."""

    def __init__(
        self,
        sop: SOP,
        histories: Iterable[CaseHistory],
        period: Period,
        now: datetime,
        filters: dict[str, str] | None = None,
        org_type: OrgType | None = None,
    ):
        self.sop, self.period, self.now = sop, period, now
        self.section = sop.indicators
        self.histories = list(histories)
        self.filters = {k: v for k, v in (filters or {}).items() if v}
        self.org_type = org_type or (lambda _org: None)
        self.tz = ZoneInfo(sop.calendar.timezone)

    def day(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    # -- dimension values -----------------------------------------------------------------------
    def dim_values(
        self,
        name: str,
        h: CaseHistory,
        *,
        day: date,
        seq: int | None,
        step: str | None,
        key: str | None,
        event: Event | None,
        item: dict | None,
    ) -> list[str] | None:
        """Values of dimension ``name`` for one observation; None when it does not apply."""
        dim = self.section.dimensions[name]
        if dim.age is not None:
            return [age_group(dim, h)]
        if dim.item is not None:
            it = item if item is not None else h.items.get((step or "", key or ""))
            if it is None:
                return None
            v = it.get(dim.item)
            return [str(v)] if v not in (None, "") else [UNKNOWN]
        form, _, fld = (dim.field or "").partition(".")
        v = h.value(form, fld, seq, step=step, key=key, event=event, also=dim.or_fields)
        if dim.directory:
            v = self.org_type(str(v)) if v else None
        if isinstance(v, list):
            return [str(x) for x in v] or [UNKNOWN]
        return [str(v)] if v not in (None, "") else [UNKNOWN]

    def _obs(
        self,
        ind: Indicator,
        h: CaseHistory,
        day: date,
        value: Any,
        *,
        seq=None,
        step=None,
        key=None,
        event=None,
        item=None,
    ) -> Obs | None:
        names = {n for b in ind.breakdowns() for n in b} | set(self.filters)
        dims: dict[str, list[str]] = {}
        for n in names:
            if n not in self.section.dimensions:
                continue
            vals = self.dim_values(n, h, day=day, seq=seq, step=step, key=key, event=event, item=item)
            if vals is not None:
                dims[n] = vals
        for n, want in self.filters.items():
            if n in dims and want not in dims[n]:
                return None
        return Obs(h.case_id, day, value, dims)

    # -- observations per kind ------------------------------------------------------------------
    def observations(self, ind: Indicator) -> list[Obs]:
        out: list[Obs] = []
        for h in self.histories:
            out.extend(o for o in self._case_obs(ind, h) if o is not None)
        return out

    def _case_obs(self, ind: Indicator, h: CaseHistory):
        if ind.count in ("cases", "events", "items"):
            seen = False
            for e in h.events:
                if not matches(ind.events, e) or self.day(e.when) not in self.period:
                    continue
                if ind.count == "cases":
                    if seen:
                        continue
                    seen = True
                if ind.count == "items":
                    form, _, fld = ind.items.partition(".")
                    items = h.value(form, fld, e.seq) or []
                    for it in items if isinstance(items, list) else []:
                        if isinstance(it, dict):
                            yield self._obs(
                                ind, h, self.day(e.when), 1, seq=e.seq, step=e.step, key=e.key, event=e,
                                item=it,
                            )
                    continue
                yield self._obs(ind, h, self.day(e.when), 1, seq=e.seq, step=e.step, key=e.key, event=e)
        elif ind.count == "within_deadline":
            m = ind.events
            for en in h.entries(self.sop):
                if en.step != m.step or (m.to and en.state not in m.to) or en.due_at is None:
                    continue
                if en.left_at is None and en.due_at > self.now:
                    continue  # not answered and not yet due: no outcome yet
                known = en.left_at if en.left_at is not None and en.left_at <= en.due_at else en.due_at
                if self.day(known) not in self.period:
                    continue
                ok = 1 if en.left_at is not None and en.left_at <= en.due_at else 0
                yield self._obs(ind, h, self.day(known), (ok, 1), seq=en.seq, step=en.step, key=en.key)
        elif ind.count == "duration":
            yield from self._durations(ind, h)

    def _durations(self, ind: Indicator, h: CaseHistory):
        entries = h.entries(self.sop)
        end_m = ind.end

        def is_end(en):
            return en.step == end_m.step and (not end_m.to or en.state in end_m.to)

        if isinstance(ind.start, FieldStart):
            form, _, fld = ind.start.field.partition(".")
            try:
                start_day = date.fromisoformat(str(h.value(form, fld)))
            except ValueError:
                return
            starts = [(None, datetime(start_day.year, start_day.month, start_day.day, tzinfo=self.tz), -1)]
        else:
            sm = ind.start
            starts = [
                (en, en.at, en.seq)
                for en in entries
                if en.step == sm.step and (not sm.to or en.state in sm.to)
            ]
        if ind.per == "case":
            if not starts:
                return
            _en, start_at, seq = starts[0]
            end = next((en for en in entries if is_end(en) and en.seq > seq and en.at >= start_at), None)
            pairs = [(start_at, end)] if end is not None else []
        else:  # per instance: its first end, from the latest start before it (re-referrals)
            pairs = []
            for key in dict.fromkeys((en.step, en.key) for en in entries if is_end(en)):
                end = next(en for en in entries if is_end(en) and (en.step, en.key) == key)
                before = [
                    s for s in starts if s[2] < end.seq and (s[0] is None or (s[0].step, s[0].key) == key)
                ]
                if before:
                    pairs.append((before[-1][1], end))
        for start_at, end in pairs:
            if self.day(end.at) not in self.period:
                continue
            days = (end.at - start_at).total_seconds() / 86400
            yield self._obs(ind, h, self.day(end.at), days, seq=end.seq, step=end.step, key=end.key)

    # -- aggregation ----------------------------------------------------------------------------
    def compute(self, ind: Indicator) -> Result:
        if ind.count == "directory_verified":
            raise ValueError("directory_verified is computed by indicators.directory")
        obs = self.observations(ind)
        agg = _AGG[ind.count]
        tables = []
        for dims in ind.breakdowns():
            cells: dict[tuple, list] = {}
            additive = True
            for o in obs:
                keys: list[tuple] = [()]
                for d in dims:
                    vals = o.dims.get(d) or [UNKNOWN]
                    additive = additive and len(vals) == 1
                    keys = [k + (v,) for k in keys for v in vals]
                for k in keys:
                    cells.setdefault(k, []).append(o.value)
            multi = any(
                self.section.dimensions[d].field and _is_multi(self.sop, self.section.dimensions[d])
                for d in dims
            )
            tables.append(Table(dims, {k: agg(v) for k, v in sorted(cells.items())}, additive and not multi))
        ignored = [n for n in self.filters if obs and all(n not in o.dims for o in obs)]
        return Result(ind, agg([o.value for o in obs]), tables, ignored)

    def all(self) -> list[Result]:
        return [self.compute(i) for i in self.section.list_ if i.count != "directory_verified"]


def _is_multi(sop: SOP, dim: Dimension) -> bool:
    from ..sop.lint import field_index

    f = field_index(sop).get(dim.field or "")
    return f is not None and str(getattr(f.type, "value", f.type)) == "multi"


_AGG: dict[str, Callable[[list], Any]] = {
    "cases": len,
    "events": len,
    "items": len,
    "within_deadline": lambda v: (sum(a for a, _ in v), sum(b for _, b in v)),
    "duration": lambda v: sorted(v),
}
