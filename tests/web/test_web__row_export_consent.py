"""The row export of the dashboard, with names (``noms=1``) as well as pseudonymised, lists only
the cases whose consent lists the statistics purpose and whose data were not erased; the others
are counted in the aggregates only (docs/indicators.md; tryout 4, G19: the named export listed a
case without consent, one whose consent did not list statistics, and a withdrawn one)."""

from __future__ import annotations

import csv
import io

from .helpers import CONSENT, IDENT, MARIAM

STATS = {**CONSENT, "purposes": ["referral", "follow_up", "statistics"]}
NO_STATS = {**CONSENT, "purposes": ["referral", "follow_up"]}


def _case(wf, last: str, consent: dict | None, withdraw: bool = False) -> str:
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, {**IDENT, "last_name": last})
    if consent:
        wf.fire(ref, "record_consent", MARIAM, consent)
    if withdraw:
        wf.fire(ref, "withdraw_consent", MARIAM, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    return ref


def _rows(client, query: str) -> list[list[str]]:
    r = client.get(f"/tableau-de-bord/export.csv{query}")
    assert r.status_code == 200, r.text[:300]
    return list(csv.reader(io.StringIO(r.text.lstrip("\ufeff")), delimiter=";"))[1:]


def test_named_and_pseudonymised_row_exports_list_the_same_cases(live):
    wf = live.wf
    shared = _case(wf, "Statistiques", STATS)
    others = [_case(wf, "Orientation", NO_STATS), _case(wf, "Sansconsentement", None),
              _case(wf, "Retrait", STATS, withdraw=True)]
    for who in ("idrissa.sanou", "coord.mnr"):
        c = live.client(who)
        named = _rows(c, "?noms=1")
        text = "\n".join(";".join(r) for r in named)
        assert shared in text and "Statistiques" in text, (who, text)
        for ref in others:
            assert ref not in text, (who, ref)
        for name in ("Orientation", "Sansconsentement", "Retrait"):
            assert name not in text, (who, name)
        assert len(_rows(c, "")) == len(named) == 1, who  # the same cases, pseudonymised
