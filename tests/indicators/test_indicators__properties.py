"""Property tests of the indicators (issue 20): for random event histories, each indicator equals a
brute-force recomputation from the events; additive tables sum to the total before suppression;
suppressed tables never let a reader find a hidden small cell through totals."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mno_workflow.indicators import periods, suppress
from mno_workflow.indicators.compute import Computer
from mno_workflow.indicators.present import present
from mno_workflow.sop.loader import load_file  # noqa: E402

from ..conftest import BF_SOP
from .synth import histories

SOP = load_file(BF_SOP).model
TZ = ZoneInfo(SOP.calendar.timezone)
NOW = datetime(2025, 12, 31, tzinfo=UTC)
PERIODS = st.sampled_from(["2025Q1", "2025Q2", "2025-04", "2025", "2025-03-25..2025-05-10"])
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _day(at):
    return at.astimezone(TZ).date()


def brute_value(h, form, fld):
    """Latest value of form.field anywhere in the case (for case-level dimensions)."""
    v = None
    for e in h.events:
        if isinstance(e.data.get(form), dict) and fld in e.data[form]:
            v = e.data[form][fld]
    return v


def brute_counts(ind, hs, period):
    """Counts of cases / events / items by brute force over the raw events."""
    m = ind.events
    total, by_sex = 0, {}
    for h in hs:
        hits = [
            e
            for e in h.events
            if e.action == "fire"
            and e.step == m.step
            and (not m.triggers or e.trigger in m.triggers)
            and (not m.to or e.to_state in m.to)
            and _day(e.at) in period
        ]
        if ind.count == "cases":
            hits = hits[:1]
        for e in hits:
            n = 1
            if ind.count == "items":
                form, _, fld = ind.items.partition(".")
                latest = None
                for x in h.events:
                    if x.seq <= e.seq and isinstance(x.data.get(form), dict) and fld in x.data[form]:
                        latest = x.data[form][fld]
                n = len(latest or [])
            total += n
            sex = brute_value(h, "identification", "sex") or "unknown"
            by_sex[sex] = by_sex.get(sex, 0) + n
    return total, by_sex


def brute_deadlines(ind, hs, period, now):
    m = ind.events
    num = den = 0
    for h in hs:
        for i, e in enumerate(h.events):
            for eff in e.effects:
                d = eff.get("deadline") if isinstance(eff, dict) else None
                if not d:
                    continue
                step, _, key = d["instance"].partition(":")
                if step != m.step or d["state"] not in m.to:
                    continue
                due = datetime.fromisoformat(d["due_at"])
                left = next(
                    (
                        x.at
                        for x in h.events[i + 1 :]
                        if x.step == step
                        and x.key == key
                        and x.from_state == d["state"]
                        and x.to_state != d["state"]
                    ),
                    None,
                )
                if left is None and due > now:
                    continue
                ok = left is not None and left <= due
                if _day(left if ok else due) in period:
                    num += ok
                    den += 1
    return num, den


def brute_durations(ind, hs, period):
    """Per referral instance: first entry into an end state, from the latest start entry before."""
    out = []
    for h in hs:
        ends = {}
        for e in h.events:
            if (
                e.action == "fire"
                and e.step == ind.end.step
                and e.to_state in ind.end.to
                and e.to_state != e.from_state
            ):
                ends.setdefault(e.key, e)
        for key, end in ends.items():
            starts = [
                e
                for e in h.events
                if e.seq < end.seq
                and e.step == ind.start.step
                and e.key == key
                and e.to_state in ind.start.to
                and e.to_state != e.from_state
            ]
            if starts and _day(end.at) in period:
                out.append((end.at - starts[-1].at).total_seconds() / 86400)
    return sorted(out)


def by_code(code):
    return next(i for i in SOP.indicators.list_ if i.code == code)


@SETTINGS
@given(hs=histories(SOP), ptext=PERIODS)
def test_counts_equal_brute_force(hs, ptext):
    period = periods.parse(ptext)
    comp = Computer(SOP, hs, period, NOW)
    for ind in SOP.indicators.list_:
        if ind.count not in ("cases", "events", "items"):
            continue
        res = comp.compute(ind)
        total, by_sex = brute_counts(ind, hs, period)
        assert res.total == total, ind.code
        sex_table = next((t for t in res.tables if t.dims == ("sex",)), None)
        if sex_table is not None:
            assert {k[0]: v for k, v in sex_table.cells.items()} == by_sex, ind.code


@SETTINGS
@given(hs=histories(SOP), ptext=PERIODS)
def test_deadlines_and_durations_equal_brute_force(hs, ptext):
    period = periods.parse(ptext)
    comp = Computer(SOP, hs, period, NOW)
    for ind in SOP.indicators.list_:
        if ind.count == "within_deadline":
            assert comp.compute(ind).total == brute_deadlines(ind, hs, period, NOW), ind.code
    ind = by_code("DAYS_SENT_TO_ACCEPTED")
    got = comp.compute(ind).total
    want = brute_durations(ind, hs, period)
    assert got == want
    if want:
        assert comp.compute(ind).total and statistics.median(got) == statistics.median(want)


@SETTINGS
@given(hs=histories(SOP), ptext=PERIODS)
def test_additive_tables_sum_to_total(hs, ptext):
    comp = Computer(SOP, hs, periods.parse(ptext), NOW)
    for res in comp.all():
        for t in res.tables:
            if not t.additive:
                continue
            if res.indicator.count in ("cases", "events", "items"):
                assert sum(t.cells.values()) == res.total, (res.indicator.code, t.dims)
            elif res.indicator.count == "within_deadline":
                assert tuple(map(sum, zip(*t.cells.values(), strict=True))) in ((), res.total) or not t.cells
                if t.cells:
                    assert tuple(map(sum, zip(*t.cells.values(), strict=True))) == res.total
            else:
                assert sorted(x for v in t.cells.values() for x in v) == res.total


def _reader_can_pin(grid, k):
    """An independent check: first the numbers a reader can compute (an equation with a single
    unknown, repeated), then for each equation enumerate the hidden cells' possible values
    (primary 1..k-1, complementary k..total, unpublished 0..total) and see if a primary one has a
    single possible value."""

    nodes = grid.nodes
    value = {key: n.value for key, n in nodes.items() if n.hidden is None}
    grew = True
    while grew:
        grew = False
        for total, parts in grid.equations:
            missing = [x for x in [total, *parts] if x not in value]
            if len(missing) == 1:
                value[missing[0]] = nodes[missing[0]].value  # the reader computes it
                grew = True
    if any(nodes[key].hidden == suppress.PRIMARY for key in value):
        return True
    for total, parts in grid.equations:
        if total not in value:
            continue
        hidden = [p for p in parts if p not in value]
        if not any(nodes[p].hidden == suppress.PRIMARY for p in hidden) or len(hidden) > 6:
            continue
        rest = value[total] - sum(value[p] for p in parts if p in value)
        ranges = [
            range(1, k)
            if nodes[p].hidden == suppress.PRIMARY
            else range(k, rest + 1)
            if nodes[p].hidden == suppress.COMPLEMENTARY
            else range(0, rest + 1)
            for p in hidden
        ]
        # The sums of independent integer ranges fill a whole interval, so a cell can take v
        # exactly when the other cells can make up rest - v: lo_others <= rest - v <= hi_others
        # (the same answer as enumerating every combination, without its (total+1)**6 cost).
        if any(len(r) == 0 for r in ranges):
            seen: dict[int, set] = {i: set() for i in range(len(hidden))}
        else:
            lo, hi = sum(r[0] for r in ranges), sum(r[-1] for r in ranges)
            seen = {
                i: {v for v in r if lo - r[0] <= rest - v <= hi - r[-1]} for i, r in enumerate(ranges)
            }
        for i, p in enumerate(hidden):
            if nodes[p].hidden == suppress.PRIMARY and len(seen[i]) < 2:
                return True
    return False


@settings(max_examples=200, deadline=None)
@given(
    a=st.dictionaries(st.sampled_from("abcd"), st.integers(0, 12), min_size=1, max_size=4),
    b=st.lists(st.integers(0, 12), min_size=1, max_size=4),
    k=st.integers(3, 5),
)
def test_suppression_of_two_tables_sharing_the_total(a, b, k):
    total = sum(a.values())
    b = [*b[:-1], 0]
    b[-1] = max(0, total - sum(b[:-1]))
    if sum(b) != total:
        return
    g = suppress.protect(
        suppress.count_grid(
            total,
            [
                (("x",), {(c,): v for c, v in a.items()}, True),
                (("y",), {(str(i),): v for i, v in enumerate(b)}, True),
            ],
        ),
        k,
    )
    assert not _reader_can_pin(g, k)


@settings(max_examples=300, deadline=None)
@given(
    cells=st.dictionaries(st.sampled_from("abcdefg"), st.integers(0, 30), min_size=1, max_size=7),
    k=st.integers(2, 6),
)
def test_suppression_never_pins_a_small_cell(cells, k):
    table = {(c,): v for c, v in cells.items()}
    g = suppress.protect(suppress.count_grid(sum(cells.values()), [(("x",), table, True)]), k)
    for key, n in g.nodes.items():
        if 0 < n.value < k:
            assert n.hidden is not None, key  # every small cell is hidden
    assert not _reader_can_pin(g, k)


@settings(max_examples=150, deadline=None)
@given(
    cells=st.dictionaries(
        st.tuples(st.sampled_from("abc"), st.sampled_from("xyz")), st.integers(0, 12), min_size=1, max_size=9
    ),
    k=st.integers(3, 5),
)
def test_suppression_of_cross_tables_with_published_margins(cells, k):
    rows: dict = {}
    for (r, _c), v in cells.items():
        rows[(r,)] = rows.get((r,), 0) + v
    g = suppress.protect(
        suppress.count_grid(sum(cells.values()), [(("r",), rows, True), (("r", "c"), cells, True)]), k
    )
    for n in g.nodes.values():
        if 0 < n.value < k and n.hidden != suppress.UNKNOWN:
            assert n.hidden is not None
    assert not _reader_can_pin(g, k)


@SETTINGS
@given(hs=histories(SOP), ptext=PERIODS)
def test_presented_tables_show_no_small_count(hs, ptext):
    comp = Computer(SOP, hs, periods.parse(ptext), NOW)
    k = SOP.indicators.suppression_threshold
    for res in comp.all():
        shown = present(SOP, res, "fr")
        for row in [shown.total] + [r for _d, _l, rows in shown.tables for r in rows]:
            for v in (row.value, row.numerator, row.denominator, row.n):
                if isinstance(v, int) and not isinstance(v, bool) and res.indicator.count != "duration":
                    assert v == 0 or v >= k, (res.indicator.code, row)


def test_period_parsing_table():
    cases = {
        "2025Q2": (date(2025, 4, 1), date(2025, 6, 30), "2025Q2"),
        "2025-02": (date(2025, 2, 1), date(2025, 2, 28), "202502"),
        "202412": (date(2024, 12, 1), date(2024, 12, 31), "202412"),
        "2024": (date(2024, 1, 1), date(2024, 12, 31), "2024"),
        "2024-02-28..2024-03-01": (date(2024, 2, 28), date(2024, 3, 1), None),
    }
    for text, (a, b, iso) in cases.items():
        p = periods.parse(text)
        assert (p.start, p.end, p.iso) == (a, b, iso)
    assert [m.iso for m in periods.months(periods.parse("2025Q2"))] == ["202504", "202505", "202506"]
    for bad in ("2025Q5", "2025-13", "x", "2025-03-01..2025-02-01"):
        try:
            periods.parse(bad)
        except periods.PeriodError as e:
            assert "2025Q2" in str(e) or "fin" in str(e)
        else:
            raise AssertionError(bad)
