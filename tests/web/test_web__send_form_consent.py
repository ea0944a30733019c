"""The referral's « Envoyer » form shows the organisations the consent in force does not cover as
not selectable, « — non couvert par le consentement », in the page's language, the same decision
as the engine's refusal on submit (tryout 3, F11)."""

from __future__ import annotations

import re

import pytest

from mno_workflow.engine.errors import GuardNotMet

from .helpers import MARIAM, referral
from .test_web__consent_matrix import FULL, assessed


def _options(page: str, field: str = "provider") -> dict[str, tuple[str, bool]]:
    select = re.search(rf'<select id="f-[\w-]*{field}" name="[\w.]*{field}".*?</select>', page, re.S).group(0)
    return {m.group(1): (m.group(3).strip(), "disabled" in m.group(2))
            for m in re.finditer(r'<option value="([\w-]+)"([^>]*)>([^<]*)</option>', select)}


@pytest.mark.parametrize("lang, mark", [("fr", "non couvert par le consentement"),
                                        ("en", "not covered by the consent")])
def test_the_send_form_marks_the_organisations_the_consent_does_not_cover(live, lang, mark):
    ref = assessed(live.wf, {**FULL, "share_with": ["health"]})
    c = live.client("mariam.kabore")
    c.get(f"/langue/{lang}")
    page = c.get(f"/dossiers/{ref}/actions/referral:medical/send").text
    opts = _options(page)
    assert opts["org-csps"] == (opts["org-csps"][0], False) and mark not in opts["org-csps"][0], opts
    for ngo in ("org-ecoute", "org-droits"):
        label, disabled = opts[ngo]
        assert disabled and label.endswith(mark), (ngo, opts[ngo])
    with pytest.raises(GuardNotMet):  # the engine's decision, which the form now shows beforehand
        live.wf.fire(ref, "send", MARIAM, referral("org-ecoute"), instance="referral:medical")
    wide = assessed(live.wf, FULL)  # covers NGOs and health: those are not greyed
    opts = _options(c.get(f"/dossiers/{wide}/actions/referral:medical/send").text)
    assert not any(opts[o][1] for o in ("org-csps", "org-ecoute", "org-droits")), opts


def test_the_send_form_reads_the_organisation_types_in_one_statement(live):
    """Greying out the organisations asks the directory once, not once per organisation (review of
    F11): the statements selecting ``organization_type`` while the form renders are counted."""
    from sqlalchemy import event

    ref = assessed(live.wf, {**FULL, "share_with": ["health"]})
    c = live.client("mariam.kabore")
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if "organization_type" in statement and "FROM dir_organization" in statement:
            seen.append(statement)

    event.listen(live.wf.db, "before_cursor_execute", count)
    try:
        page = c.get(f"/dossiers/{ref}/actions/referral:medical/send").text
    finally:
        event.remove(live.wf.db, "before_cursor_execute", count)
    assert sum(disabled for _, disabled in _options(page).values()) >= 5  # many were asked about
    assert 1 <= len(seen) <= 2, seen
