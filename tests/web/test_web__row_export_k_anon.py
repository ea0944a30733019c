"""The M&E officer's row export cannot undo the small-cell suppression (a tester recounted the
dashboard's hidden « 0–14 ans < 5 » cell: one child, singled out by the exact opening day, the
region and a child-protection need). For a role outside the case team: dates to the month, needs
and open steps masked, every region/sex/age/month combination on at least k rows (k = the SOP's
suppression threshold) or generalised, else withheld; a note says it, in French and English. The
supervisor's exports and the aggregates are unchanged (docs/indicators.md, "Export ligne à ligne")."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import pytest

from ..engine.copies import BEST_INTERESTS, CHILD
from ..engine.copies import CONSENT as CHILD_CONSENT
from .helpers import CONSENT, IDENT, MARIAM

WORDS = {
    "fr": {"region": "Région", "sex": "Sexe", "age": "Tranche d'âge", "opened": "Ouvert en",
           "closed": "Clos en", "needs": "Besoins", "masked": "masqué", "child": "0–14 ans",
           "note": "Protection des données", "withheld": "Dossiers retenus"},
    "en": {"region": "Region", "sex": "Sex", "age": "Age group", "opened": "Opened in",
           "closed": "Closed in", "needs": "Needs", "masked": "hidden", "child": "0–14 years",
           "note": "Data protection", "withheld": "Cases withheld"},
}
DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _world(wf, adults: int) -> str:
    """``adults`` women of 18–24 in Kadiogo and one boy of 11 in Kadiogo with a child-protection
    referral, all opened on 2 June 2025 and consenting to statistics; the boy's reference."""
    for _i in range(adults):
        ref = wf.create_case("mnr_bf", MARIAM)
        wf.fire(ref, "register", MARIAM, IDENT)
        wf.fire(ref, "record_consent", MARIAM, CONSENT)
    boy = wf.create_case("mnr_bf", MARIAM)
    wf.fire(boy, "register", MARIAM, {**CHILD, "sex": "male"})
    wf.fire(boy, "record_consent", MARIAM, {**CHILD_CONSENT, "purposes": ["referral", "statistics"]})
    wf.fire(boy, "record_best_interests", MARIAM, BEST_INTERESTS)
    return boy


def _csv(client, url: str, lang: str) -> list[list[str]]:
    client.get(f"/langue/{lang}")
    r = client.get(url)
    assert r.status_code == 200, r.text[:300]
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))


def _data(rows: list[list[str]]) -> tuple[list[dict[str, str]], list[list[str]]]:
    end = rows.index([]) if [] in rows else len(rows)
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:end]], rows[end + 1:]


def _withheld(note: list[list[str]], w: dict) -> int:
    line = next(r[0] for r in note if r and r[0].startswith(w["withheld"]))
    return int(line.rsplit(" ", 1)[-1])


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_me_export_does_not_single_out_the_child(live, lang):
    w = WORDS[lang]
    boy = _world(live.wf, adults=4)
    rows = _csv(live.client("suivi.evaluation"), "/tableau-de-bord/export.csv", lang)
    body = "\n".join(";".join(r) for r in rows)
    cells, note = _data(rows)
    assert len(cells) == 5, cells  # 4 women + the boy, generalised together (5 = k)
    assert boy not in body and "child_protection" not in body and "gbv" not in body, body
    assert not DAY.search(body), body  # no exact day
    assert w["child"] not in body, body
    combos = Counter((c["code_region"], c["code_sexe"], c[w["age"]], c[w["opened"]], c[w["closed"]])
                     for c in cells)
    assert min(combos.values()) >= 5, combos  # no combination on fewer than k rows
    assert {c["codes_besoins"] for c in cells} == {"*"} and {c[w["needs"]] for c in cells} == {w["masked"]}
    assert {c["codes_etapes"] for c in cells} == {"*"}  # « best_interests » would tell a child
    assert {c[w["opened"]] for c in cells} == {"2025Q2"}, cells
    text = "\n".join(r[0] for r in note)
    assert w["note"] in text and _withheld(note, w) == 0, text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_child_alone_is_withheld_and_the_adults_keep_their_detail(live, lang):
    w = WORDS[lang]
    boy = _world(live.wf, adults=6)
    rows = _csv(live.client("suivi.evaluation"), "/tableau-de-bord/export.csv", lang)
    body = "\n".join(";".join(r) for r in rows)
    cells, note = _data(rows)
    assert len(cells) == 6 and boy not in body and "child_protection" not in body, body
    assert {(c["code_region"], c["code_sexe"], c[w["opened"]]) for c in cells} == {("kadiogo", "female",
                                                                                      "2025-06")}
    assert w["child"] not in body and not DAY.search(body), body
    text = "\n".join(r[0] for r in note)
    assert w["note"] in text and _withheld(note, w) == 1, text


def test_supervisor_export_and_aggregates_unchanged(live):
    boy = _world(live.wf, adults=4)
    sup = live.client("idrissa.sanou")
    named, _ = _data(_csv(sup, "/tableau-de-bord/export.csv?noms=1", "fr"))
    row = next(c for c in named if c["Référence"] == boy)
    assert row["Ouvert le"] == "2025-06-02" and row["Tranche d'âge"] == "0–14 ans"
    assert "child_protection" in row["codes_besoins"] and row["code_region"] == "kadiogo"
    pseudo = _csv(sup, "/tableau-de-bord/export.csv", "fr")
    assert [] not in pseudo and len(pseudo) == 6 and "Ouvert le" in pseudo[0]  # no note, every case
    assert any(r[pseudo[0].index("codes_besoins")] == "child_protection" for r in pseudo[1:])
    # the aggregates still count the boy: the « 0–14 ans » cell the tester recounted, hidden « < 5 »
    me = live.client("suivi.evaluation")
    table = _csv(me, "/tableau-de-bord/indicateurs.csv?periode=2025Q2", "fr")
    assert ["Personnes identifiées et enregistrées", "PERSONS_REGISTERED", "Tranche d'âge", "age_group",
            "0–14 ans", "0-14", "< 5"] in [r[:7] for r in table], table
    assert ["PERSONS_REGISTERED", "", "5"] in [[r[1], r[3], r[6]] for r in table], table  # the total
