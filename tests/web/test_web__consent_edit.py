"""Consent as it is changed and as it lapses (tryout 4):

- G5: « Modifier la portée du consentement » opens with the consent in force (who gave it, the
  categories, recipients and purposes ticked), its date being the day of the change; another
  internal action (a new immediate need) still opens empty.
- G16: a consent whose expiry day is already past is refused when recorded, at that field, in
  French and English; a consent that lapsed afterwards stops a referral with « Le consentement a
  expiré le 05/06/2025 », not with « ne couvre pas » (which sent the user looking at the scope).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from mno_workflow.engine.errors import FormInvalid, GuardNotMet

from .helpers import CONSENT, IDENT, MARIAM, referral
from .test_web__consent_matrix import FULL, assessed


def _checked(page: str, name: str) -> set[str]:
    return set(re.findall(rf'<input[^>]*name="{name}"[^>]*value="([\w-]+)"[^>]*checked', page))


def test_changing_the_scope_opens_with_the_consent_in_force(live):
    ref = assessed(live.wf, {**FULL, "consent_date": "2025-06-01", "channel": "written"})
    c = live.client("mariam.kabore")
    page = c.get(f"/dossiers/{ref}/actions/consent:1/update_consent").text
    assert _checked(page, "share_with") == set(FULL["share_with"])
    assert _checked(page, "data_categories") == set(FULL["data_categories"])
    assert _checked(page, "purposes") == set(FULL["purposes"])
    assert re.search(r'<option value="written"[^>]*selected', page), "the channel as recorded"
    assert 'value="02/06/2025"' in page and "01/06/2025" not in page  # the day of this change
    link = re.search(r'href="(/dossiers/[^"]+/refer_immediately)"', c.get(f"/dossiers/{ref}").text)
    assert link, "the case page offers « Référer un besoin immédiat »"
    other = c.get(link.group(1)).text  # a new immediate need: nothing of an earlier form chosen
    need = other[other.index('name="need"'):]
    assert not re.search(r"<option [^>]*selected", need[:need.index("</select>")])


@pytest.mark.parametrize("lang, said", [
    ("fr", "La date d'expiration est déjà passée"),
    ("en", "The expiry date has already passed"),
])
def test_a_consent_already_expired_is_refused_when_recorded(live, lang, said):
    ref = live.wf.create_case("mnr_bf", MARIAM)
    live.wf.fire(ref, "register", MARIAM, IDENT)
    with pytest.raises(FormInvalid) as e:
        live.wf.fire(ref, "record_consent", MARIAM,
                     {**CONSENT, "consent_date": "2025-05-01", "expires_on": "2025-05-30"})
    assert said in e.value.errors["expires_on"].text(lang)


@pytest.mark.parametrize("lang, said", [
    ("fr", "Le consentement a expiré le 05/06/2025 : aucun référencement ne peut être envoyé"),
    ("en", "The consent expired on 05/06/2025: no referral can be sent"),
])
def test_a_lapsed_consent_is_said_expired_when_a_referral_is_sent(live, lang, said):
    ref = assessed(live.wf, {**FULL, "expires_on": "2025-06-05"})
    live.clock.set(datetime(2025, 6, 6, 9, 0, tzinfo=UTC))
    with pytest.raises(GuardNotMet) as e:
        live.wf.fire(ref, "send", MARIAM, referral("org-csps"), instance="referral:medical")
    assert said in e.value.text(lang), e.value.text(lang)
    assert e.value.details["condition"] == "data_protection: consent.expired"
    assert "ne couvre pas" not in e.value.text("fr")
