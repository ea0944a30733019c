"""The public holidays of Burkina Faso for 2025-2027 as the pinned ``holidays`` release computes them
(issue 17): a ``holidays`` upgrade that moves, adds or removes one — and so moves computed
deadlines — fails here loudly; then check the new dates, update this list and the pin together."""

from __future__ import annotations

import holidays

RECORDED = """
2025-01-01 2025-01-03 2025-03-08 2025-03-30 2025-04-21 2025-05-01 2025-05-29 2025-06-06 2025-08-05
2025-08-15 2025-09-04 2025-10-31 2025-11-01 2025-12-11 2025-12-25 2026-01-01 2026-01-03 2026-03-08
2026-03-09 2026-03-20 2026-04-06 2026-05-01 2026-05-14 2026-05-27 2026-08-05 2026-08-15 2026-08-25
2026-10-31 2026-11-01 2026-11-02 2026-12-11 2026-12-25 2027-01-01 2027-01-03 2027-01-04 2027-03-08
2027-03-09 2027-03-29 2027-05-01 2027-05-06 2027-05-16 2027-08-05 2027-08-14 2027-08-15 2027-08-16
2027-10-31 2027-11-01 2027-12-11 2027-12-25
""".split()


def test_burkina_faso_holidays_2025_2027_are_the_recorded_ones():
    computed = sorted(str(d) for d in holidays.country_holidays("BF", years=range(2025, 2028)))
    assert computed == RECORDED, (
        f"holidays {holidays.__version__} changed the BF list: "
        f"added {sorted(set(computed) - set(RECORDED))}, removed {sorted(set(RECORDED) - set(computed))}")
