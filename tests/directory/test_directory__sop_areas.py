"""The areas a directory search understands for one SOP (tryout 8, K6): Burkina Faso's shipped
registry for its SOP (former names, provinces, neighbours: unchanged), a registry built from the
region options of another country's SOP, and the matching that ranks that SOP's services — a
service without service area by the region of its address, in that country only."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from mno_workflow.directory import MatchError, default_registry, match
from mno_workflow.directory.hsds_io import apply_rows, rows_from_mapping
from mno_workflow.directory.sop_areas import registry_for
from mno_workflow.sop.loader import load_file, load_text

from ..conftest import BF_SOP
from ..web.test_web__directory_sop_regions import TOGO


@pytest.fixture(scope="module")
def togo():
    return load_text(TOGO, "essai_tg.yaml").model


def test_burkina_faso_keeps_its_shipped_registry():
    assert registry_for(load_file(BF_SOP).model) is default_registry()
    assert registry_for(None) is default_registry()


def test_another_country_gets_its_sop_regions(togo):
    reg = registry_for(togo)
    assert reg.country.name == "Togo" and reg.resolve_regions("MARITIME") == {"maritime"}
    assert reg.coverage("Togo") == ("national", set()) and reg.coverage("TG") == ("national", set())
    assert reg.resolve_regions("kadiogo") == set() and reg.coverage("Burkina Faso") is None
    assert default_registry().resolve_regions("maritime") == set()


def _togo_rows(session: Session, build, togo, *, country: str = "TG") -> None:
    build.data["taxonomy_term"].append({"id": "term-health_care", "code": "health_care",
                                        "name": "Soins de santé", "taxonomy_id": "tax"})
    build.service("svc-addr", types="health_care", areas="")  # no service area: its address decides
    build.data["service_area"] = [a for a in build.data["service_area"] if a["name"]]
    build.data["location"] = [{"id": "loc-t", "location_type": "physical", "organization_id": "org-t",
                               "name": "Lomé"}]
    build.data["address"] = [{"id": "adr-t", "location_id": "loc-t", "address_1": "Bè", "city": "Lomé",
                              "region": "Maritime", "country": country, "address_type": "physical"}]
    build.service("svc-kara", types="health_care", areas="Kara")
    sources, problems = rows_from_mapping(build.data)
    assert not problems
    apply_rows(session, sources, actor="test", registry=registry_for(togo))  # the Togo SOP's areas
    session.commit()


def test_match_ranks_the_sop_services_by_area_and_address(session: Session, build, togo):
    _togo_rows(session, build, togo)
    found = match(session, "medical", "maritime", sop=togo)
    assert [c.service_id for c in found] == ["svc-addr"] and found[0].coverage == "region"
    assert "Zone : Maritime (région du dossier, d'après l'adresse du service)" in found[0].reasons
    assert [c.service_id for c in match(session, "medical", "Kara", sop=togo)] == ["svc-kara"]
    with pytest.raises(MatchError, match="région inconnue"):
        match(session, "medical", "maritime")  # Burkina Faso's areas: no Maritime
    with pytest.raises(MatchError, match="besoins de la POS : medical, gbv"):
        match(session, "legal", "maritime", sop=togo)
    with pytest.raises(MatchError, match="aucun type de service"):
        match(session, "gbv", "maritime", sop=togo)  # the SOP's need, unknown to the mapping


def test_an_address_in_another_country_serves_nothing(session: Session, build, togo):
    _togo_rows(session, build, togo, country="BJ")
    assert [c.service_id for c in match(session, "medical", "maritime", sop=togo)] == []


@pytest.mark.parametrize(("country", "found"), [("BF", []), ("TG", ["svc-nat"])])
def test_a_national_word_is_the_country_of_the_organisation(session: Session, build, togo, country, found):
    """« National » on a service of an organisation established in Burkina Faso only covers no
    Togo region; in Togo it covers them all."""
    build.data["taxonomy_term"].append({"id": "term-health_care", "code": "health_care",
                                        "name": "Soins de santé", "taxonomy_id": "tax"})
    build.service("svc-nat", types="health_care", areas="National")
    build.data["location"] = [{"id": "loc-t", "location_type": "physical", "organization_id": "org-t",
                               "name": "Siège"}]
    build.data["address"] = [{"id": "adr-t", "location_id": "loc-t", "address_1": "Siège", "city": "Ville",
                              "region": "", "country": country, "address_type": "physical"}]
    build.load(session)
    hits = match(session, "medical", "maritime", sop=togo)
    assert [c.service_id for c in hits] == found and all(c.coverage == "national" for c in hits)
    assert [c.service_id for c in match(session, "medical", "kadiogo")] == ["svc-nat"]  # BF: as before
