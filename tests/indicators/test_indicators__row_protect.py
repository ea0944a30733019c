"""The steps of :mod:`mno_workflow.indicators.row_protect` (the M&E officer's row export): rows
whose exact combination is on k rows keep it; the others are counted again among themselves at
the quarter, then with the region, age group, sex masked; a row still alone is withheld. Every
combination printed is on at least k rows."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from mno_workflow.indicators.row_protect import Record, data_rows, levels, protect


def _rec(n: int, region: str, sex: str, age: str, opened: datetime, closed: datetime | None = None):
    return [Record([f"p{n:03}"] + [""] * 15, region, sex, age, opened, closed)]


def _world() -> list[Record]:
    june, may, april = datetime(2025, 6, 2), datetime(2025, 5, 20), datetime(2025, 4, 3)
    out: list[Record] = []
    n = iter(range(100))
    out += [r for _ in range(5) for r in _rec(next(n), "kadiogo", "female", "18-24", june)]  # step 0
    out += [r for _ in range(3) for r in _rec(next(n), "kadiogo", "male", "18-24", may)]  # step 1
    out += [r for _ in range(2) for r in _rec(next(n), "kadiogo", "male", "18-24", april)]
    out += [r for reg in ("yaadga", "liptako", "guiriko", "nakambe", "djoro")  # step 2
            for r in _rec(next(n), reg, "male", "25-59", june, datetime(2025, 6, 20))]
    out += _rec(next(n), "kadiogo", "male", "0-14", datetime(2025, 12, 3))  # alone: withheld
    return out


def test_each_row_at_the_first_step_where_k_rows_share_its_combination():
    recs = _world()
    given, withheld = levels(recs, 5)
    assert [given[i] for i in range(15)] == [0] * 5 + [1] * 5 + [2] * 5
    assert withheld == [15]


def test_every_printed_combination_is_on_k_rows_and_no_day_is_printed():
    rows = list(protect(["h"] * 16, _world(), 5, "fr"))
    assert data_rows(rows) == 15 and rows[16] == []
    data = rows[1:16]
    combos = Counter((r[2], r[4], r[5], r[8], r[9]) for r in data)
    assert min(combos.values()) == 5, combos
    assert {r[8] for r in data} == {"2025-06", "2025Q2"}
    assert {r[13] for r in data} == {"*"}
    assert rows[-1][0].endswith(" 1")  # one case withheld
    assert [r[0] for r in data] == sorted(r[0] for r in data)  # pseudonym order


def test_a_lower_threshold_keeps_more_detail():
    given, withheld = levels(_world(), 2)
    assert set(given.values()) == {0, 2} and withheld == [15]
