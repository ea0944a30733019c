"""The reassignment rule by itself (engine/reassign_rules.py, tryout 8, K2, K3): a case with a
region goes to a case manager of that region only — one without region is of none; a case without
region to any; the new case manager's SOP is checked before their region; the words name the
cases, singular and plural, in French and English."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mno_workflow.engine.reassign_rules import assignee_problem, fits, region_fits


def manager(region=None, sop=None, role="caseworker", active=True):
    return SimpleNamespace(id="old.noregion", display_name="Ancien", role=role, active=active,
                           region=region, sop_id=sop)


@pytest.mark.parametrize("case_region, manager_region, ok", [
    ("kadiogo", "kadiogo", True), ("kadiogo", "yaadga", False), ("kadiogo", None, False),
    ("kadiogo", "", False), (None, None, True), (None, "yaadga", True)])
def test_region_fits(case_region, manager_region, ok):
    assert region_fits(case_region, manager_region) is ok
    assert fits(manager(manager_region), "mnr_bf", case_region) is ok


def test_the_sop_is_checked_before_the_region():
    said = assignee_problem(manager("dakar", "mnr_sn"), "x", [("MNR-BF-000001", "mnr_bf", "kadiogo")])
    assert "travaille sur une autre POS" in said.text("fr") and "works in another SOP" in said.text("en")


@pytest.mark.parametrize("lang, one, many", [
    ("fr", "Ancien n'a pas de région : le dossier MNR-BF-000001 relève d'une région",
     "Ancien n'a pas de région : les dossiers MNR-BF-000001, MNR-TG-000002 relèvent d'une région"),
    ("en", "Ancien has no region: case MNR-BF-000001 belongs to a region",
     "Ancien has no region: cases MNR-BF-000001, MNR-TG-000002 belong to a region")])
def test_a_case_manager_without_region_is_told_why(lang, one, many):
    target = manager()
    assert one in assignee_problem(target, "x", [("MNR-BF-000001", "mnr_bf", "kadiogo"),
                                                 ("MNR-BF-000009", "mnr_bf", None)]).text(lang)
    assert many in assignee_problem(target, "x", [("MNR-BF-000001", "mnr_bf", "kadiogo"),
                                                  ("MNR-TG-000002", None, "maritime")]).text(lang)
    assert assignee_problem(target, "x", [("MNR-BF-000009", "mnr_bf", None)]) is None


def test_only_an_active_case_manager():
    for target in (None, manager("kadiogo", role="supervisor"), manager("kadiogo", active=False)):
        said = assignee_problem(target, "bob", [("MNR-BF-000001", "mnr_bf", "kadiogo")])
        assert "« bob » n'est pas un gestionnaire de cas actif" in said.text("fr")
