"""Referral matching: coverage order, eligibility, capacity, status, cost, language and region names."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from mno_workflow.directory import MatchError, load_sample, match

TODAY = date(2026, 11, 15)


def ids(candidates) -> list[str]:
    return [c.service_id for c in candidates]


def test_region_first_then_neighbours_then_national(session: Session, build) -> None:
    build.service("national", areas="Burkina Faso")
    build.service("oubri", areas="Oubri")  # borders Kadiogo
    build.service("kadiogo", areas="Kadiogo", cost="paid", amount=5000)  # paid, still first
    build.service("guiriko", areas="Guiriko")  # not a neighbour of Kadiogo
    build.load(session)
    found = match(session, "housing", "Kadiogo", today=TODAY)
    assert ids(found) == ["kadiogo", "oubri", "national"]
    assert [c.coverage for c in found] == ["region", "neighbour", "national"]
    assert found[0].reasons[0] == "Zone : Kadiogo (région du dossier)"
    assert found[1].reasons[0] == "Zone : région voisine Oubri"
    assert found[2].reasons[0] == "Zone : couverture nationale"
    assert "Coût : payant 5 000 FCFA" in found[0].reasons


def test_province_area_counts_for_its_region(session: Session, build) -> None:
    build.service("houet", areas="Houet")
    build.load(session)
    assert ids(match(session, "housing", "Guiriko", today=TODAY)) == ["houet"]


def test_age_eligibility(session: Session, build) -> None:
    build.service("young", types="vocational_training", min_age=18, max_age=35)
    build.load(session)
    assert ids(match(session, "vocational_training", "Kadiogo", age=16, today=TODAY)) == []
    assert ids(match(session, "vocational_training", "Kadiogo", age=36, today=TODAY)) == []
    ok = match(session, "vocational_training", "Kadiogo", age=18, today=TODAY)
    assert ids(ok) == ["young"] and "Âge 18 ans : éligible (18–35 ans)" in ok[0].reasons
    unknown = match(session, "vocational_training", "Kadiogo", today=TODAY)
    assert "Âge à vérifier (18–35 ans)" in unknown[0].reasons


def test_sex_eligibility(session: Session, build) -> None:
    build.service("women", types="mental_health_psychosocial", sex="f")
    build.service("all", types="mental_health_psychosocial")
    build.load(session)
    assert ids(match(session, "psychosocial", "Kadiogo", sex="m", today=TODAY)) == ["all"]
    women = match(session, "psychosocial", "Kadiogo", sex="f", today=TODAY)
    assert set(ids(women)) == {"women", "all"}
    assert "Réservé aux femmes : éligible" in next(c for c in women if c.service_id == "women").reasons
    assert set(ids(match(session, "psychosocial", "Kadiogo", today=TODAY))) == {"women", "all"}


def test_service_at_capacity_is_never_proposed(session: Session, build) -> None:
    build.service("full", available=0)
    build.service("room", available=3)
    build.load(session)
    found = match(session, "housing", "Kadiogo", today=TODAY)
    assert ids(found) == ["room"]
    assert "Capacité disponible — place : 3" in found[0].reasons


def test_inactive_and_defunct_excluded_temporarily_closed_ranked_last(session: Session, build) -> None:
    build.service("inactive", status="inactive")
    build.service("defunct", status="defunct")
    build.service("closed", status="temporarily closed")
    build.service("open")
    build.load(session)
    found = match(session, "housing", "Kadiogo", today=TODAY)
    assert ids(found) == ["open", "closed"]
    assert "Statut : temporairement fermé" in found[1].reasons


def test_free_first_and_primary_type_before_secondary(session: Session, build) -> None:
    build.service("paid", cost="paid", amount=500)
    build.service("shared", cost="shared_cost", amount=1000)
    build.service("free")
    build.service("cash", types="cash_assistance")  # secondary type for housing, free
    build.load(session)
    found = match(session, "housing", "Kadiogo", today=TODAY)
    assert ids(found) == ["free", "shared", "paid", "cash"]
    assert found[0].score - found[1].score == 15
    assert "Type de service : Assistance en espèces (secondaire pour ce besoin)" in found[3].reasons


def test_language_preference(session: Session, build) -> None:
    build.service("french", languages="fr")
    build.service("moore", languages="fr;mos")
    build.load(session)
    found = match(session, "housing", "Kadiogo", language="mos", today=TODAY)
    assert ids(found) == ["moore", "french"]
    assert "Langue : mos" in found[0].reasons


@pytest.mark.parametrize("name", ["Centre", "centre", "CENTRE"])
def test_former_region_name_is_an_alias(session: Session, build, name: str) -> None:
    build.service("kadiogo", areas="Kadiogo")
    build.load(session)
    found = match(session, "housing", name, today=TODAY)
    assert ids(found) == ["kadiogo"] and found[0].coverage == "region"


def test_split_former_region_covers_all_successors(session: Session, build) -> None:
    for region in ("Goulmou", "Sirba", "Tapoa"):
        build.service(region.lower(), areas=region)
    build.service("liptako", areas="Liptako")
    build.load(session)
    found = match(session, "housing", "Est", today=TODAY)
    assert {c.service_id: c.coverage for c in found} == {
        "goulmou": "region",
        "sirba": "region",
        "tapoa": "region",
        "liptako": "neighbour",
    }


@pytest.mark.parametrize("name", ["Kuilsé", "kuilse", "KUILSE", "Kuilse\u0301"])
def test_region_lookup_ignores_case_and_accents(session: Session, build, name: str) -> None:
    build.service("kaya", areas="Kuilsé")
    build.load(session)
    assert ids(match(session, "housing", name, today=TODAY)) == ["kaya"]


def test_service_area_written_with_former_name(session: Session, build) -> None:
    build.service("old-name", areas="Centre-Nord")
    build.load(session)
    assert ids(match(session, "housing", "Kuilsé", today=TODAY)) == ["old-name"]


def test_unknown_need_and_region_raise(session: Session) -> None:
    with pytest.raises(MatchError, match="besoin inconnu « haircut »"):
        match(session, "haircut", "Kadiogo")
    with pytest.raises(MatchError, match="région inconnue « Atlantide »"):
        match(session, "housing", "Atlantide")


def test_limit_and_referral_details(session: Session, build) -> None:
    for i in range(5):
        build.service(f"s{i}")
    build.load(session)
    found = match(session, "housing", "Kadiogo", limit=3, today=TODAY)
    assert len(found) == 3
    assert found[0].focal_point_user_id == "focal.t" and found[0].referral_channel == "system"


def test_sample_full_shelter_is_excluded_and_neighbour_used(session: Session) -> None:
    load_sample(session)
    found = match(session, "housing", "Sahel", today=TODAY)
    assert "svc-apr-abri-dori" not in ids(found)
    assert ids(found)[0] == "svc-masn-kuilse-social"
    assert found[0].coverage == "neighbour"


def test_capacity_shows_its_unit_as_a_label_in_the_reader_language(session: Session) -> None:
    """The unit is the directory's data (« lit (couchage) »): shown as a label before the number,
    never « 12 lit (couchage) » (no plural to agree), and in English through the directory's
    translations."""
    load_sample(session)
    found = match(session, "housing", "Kadiogo", today=TODAY)
    transit = next(c for c in found if c.service_id == "svc-oim-transit")
    assert "Capacité disponible — lit (couchage) : 12" in transit.reasons_in("fr")
    assert "Available capacity — bed (overnight): 12" in transit.reasons_in("en")
    shown = transit.reasons_in("fr") + transit.reasons_in("en")
    assert not any("12 lit" in r or "12 bed" in r for r in shown)


def test_sample_every_need_finds_a_service_somewhere(session: Session) -> None:
    from mno_workflow.directory import default_registry, read_need_mapping

    load_sample(session)
    regions = [r.name for r in default_registry().regions()]
    for need in read_need_mapping():
        assert any(match(session, need, region, sex="f", today=TODAY) for region in regions), need
