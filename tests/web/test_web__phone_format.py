"""Phone numbers in one format on every page (tryout 2, finding 22): the provider's inbox and
referral page gave the case manager's number as stored (« +22670102031 »), the case page the
person's as typed (« +226 70 99 88 77 »); both now in the international form of phonenumbers."""

from __future__ import annotations

from html import unescape

from mno_workflow.i18n.phones import phone_text
from mno_workflow.store.models import User

from .helpers import IDENT, case_with_referrals


def test_phone_text_is_the_international_form():
    assert phone_text("+22670102031") == "+226 70 10 20 31"
    assert phone_text("+226 70 99 88 77") == "+226 70 99 88 77"
    assert phone_text("70 99 88 77") == "70 99 88 77"  # no country code: as written
    assert phone_text(None) == "" and phone_text("") == ""


def test_the_same_format_in_the_inbox_the_referral_page_and_the_case(live):
    ref = case_with_referrals(live.wf, ident={**IDENT, "phone": "+22670998877"})
    with live.wf.sessions.begin() as s:
        s.get(User, "mariam.kabore").phone = "+22670102031"
    masn = live.client("focal.masn")
    for page in (masn.get("/prestataire").text, masn.get(f"/prestataire/{ref}/referral:cash").text):
        page = unescape(page)
        assert "+226 70 10 20 31" in page and "+22670102031</a>" not in page
        assert 'href="tel:+22670102031"' in page  # the link dials the same number
    case = unescape(live.client("mariam.kabore").get(f"/dossiers/{ref}").text)
    assert "+226 70 99 88 77" in case and "+22670998877" not in case
