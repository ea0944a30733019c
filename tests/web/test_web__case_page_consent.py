"""Tryout 2, findings 14, 20 and 33 on the case page (French and English):
- consent withdrawn: the referral box, the referrals table and the notes box say the provider no
  longer sees the referral nor the notes, and what to do; no « visible par l'autre partie » then;
- the consent data block marked « retiré le … », the steps bar never paints a withdrawn or refused
  consent as done, no data heading without data, no step that cannot apply (alert, best interests);
- answers recorded in the place of a provider that uses the platform set apart as exceptional."""

from __future__ import annotations

import html as markup
import re
from zoneinfo import ZoneInfo

import pytest

from .helpers import IDENT, IDRISSA, MARIAM, case_with_referrals, provider

WORDS = {
    "fr": {"lost": "Consentement retiré : le prestataire ne voit plus ce référencement ni vos notes.",
           # the labels of what the reader may do there, from the SOP (was a fixed sentence)
           "todo": ("Que faire : « ", "« Clore sans service »", "« Annuler le référencement »",
                    "Si la personne consent à nouveau : « Enregistrer le consentement »."),
           "visible": "Écrire une note (visible par l'autre partie)",
           "blind_label": "Écrire une note (le prestataire ne la verra pas)",
           "mark": "retiré le 02/06/2025",
           "behalf": "Répondre à la place du prestataire (exceptionnel)"},
    "en": {"lost": "Consent withdrawn: the provider no longer sees this referral or your notes.",
           "todo": ("What to do: “", "“Close without service”", "“Revoke the referral”",
                    "If the person consents again: “Record consent”."),
           "visible": None,
           "blind_label": "Write a note (the provider will not see it)",
           "mark": "withdrawn on 02/06/2025",
           "behalf": "Answer in the provider's place (exceptional)"},
}
WITHDRAWAL = {"withdrawn_on": "2025-06-02", "expressed_by": "self"}


def page(live, ref: str, lang: str, user: str = "mariam.kabore") -> str:
    c = live.client(user)
    if lang == "en":
        c.get("/langue/en")
    r = c.get(f"/dossiers/{ref}")
    assert r.status_code == 200
    return markup.unescape(r.text)  # apostrophes as typed, whichever way the template escapes them


def box(html: str, anchor: str) -> str:
    """The step box ``id=anchor`` up to the next one (or the action panel)."""
    part = html[html.index(f'id="{anchor}"'):]
    ends = [i for i in (part.find('class="step-box"', 1), part.find('id="action-panel"')) if i > 0]
    return part[: min(ends)]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_withdrawn_consent_said_in_referral_and_notes_boxes(live, lang):
    w = WORDS[lang]
    ref = case_with_referrals(live.wf)
    live.wf.fire(ref, "accept", provider("org-masn"), instance="referral:cash")
    before = box(page(live, ref, lang), "step-referral-cash")
    assert "data-provider-blind" not in before
    if w["visible"]:
        assert w["visible"] in before  # the promise holds while the consent covers the provider
    live.wf.fire(ref, "withdraw_consent", MARIAM, WITHDRAWAL)
    html = page(live, ref, lang)
    cash = box(html, "step-referral-cash")
    head = cash[: cash.index('id="notes-referral-cash"')]
    assert w["lost"] in head and all(x in head for x in w["todo"]), head  # in the referral box itself
    assert "annuler le référencement ou le clore" not in head and "revoke the referral or" not in head
    notes = cash[cash.index('id="notes-referral-cash"'):]
    assert w["lost"] in notes and w["blind_label"] in notes
    assert "autre partie" not in notes and "other party" not in notes
    table = html[html.index("<table class=\"data\">"):]
    assert w["lost"] in table[: table.index("</table>")]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_consent_block_and_steps_bar_after_withdrawal(live, lang):
    w = WORDS[lang]
    ref = case_with_referrals(live.wf)
    html = page(live, ref, lang)
    assert re.search(r'<li class="done"[^>]*data-step="consent"', html)
    assert "data-consent-mark" not in html
    # no data heading without data (plan approved without comment), no step that cannot apply
    assert not re.search(r"<h3>[^<]*</h3>\s*</section>", html)
    assert 'data-step="alert"' not in html and 'data-step="best_interests"' not in html
    assert 'data-step="referral"' in html and 'data-step="closure"' in html
    live.wf.fire(ref, "withdraw_consent", MARIAM, WITHDRAWAL)
    html = page(live, ref, lang)
    li = re.search(r'<li class="(\w+)"[^>]*data-step="consent">(.*?)</li>', html)
    assert li and li.group(1) == "stopped", li
    mark = re.search(r"<h3>([^<]*) <span class=\"tag late\" data-consent-mark>([^<]*)</span></h3>", html)
    assert mark and mark.group(2) == w["mark"]


def test_refused_consent_not_done_and_child_has_best_interests(live):
    ref = live.wf.create_case("mnr_bf", MARIAM)
    child = dict(IDENT, birth_date="2012-01-01", vulnerabilities=["unaccompanied_child"])
    live.wf.fire(ref, "register", MARIAM, child)
    live.wf.fire(ref, "record_refusal", MARIAM, {"refused_on": "2025-06-02", "given_by": "self"})
    html = page(live, ref, "fr")
    assert re.search(r'<li class="stopped"[^>]*data-step="consent">Consentement éclairé<br>'
                     r"<small>Consentement refusé</small>", html)
    assert 'data-step="best_interests"' in html and 'data-step="alert"' not in html


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_on_behalf_apart_for_platform_providers(live, lang):
    w = WORDS[lang]
    ref = case_with_referrals(live.wf)  # cash → org-masn (uses the platform), medical → org-csps (not)
    for user in ("mariam.kabore", IDRISSA.user):
        html = page(live, ref, lang, user)
        cash = box(html, "step-referral-cash")
        assert 'data-action="record_acceptance"' in cash
        ordinary, _, apart = cash.partition("data-on-behalf")
        assert apart and w["behalf"] in apart
        for trig in ("record_acceptance", "record_decline"):
            assert f'data-action="{trig}"' in apart and f'data-action="{trig}"' not in ordinary
        medical = box(html, "step-referral-medical")  # off the platform: an ordinary action
        assert 'data-action="record_acceptance"' in medical and "data-on-behalf" not in medical
    live.wf.fire(ref, "accept", provider("org-masn"), instance="referral:cash")
    cash = box(page(live, ref, lang), "step-referral-cash")
    ordinary, _, apart = cash.partition("data-on-behalf")
    assert 'data-action="record_delivery"' in apart and 'data-action="record_delivery"' not in ordinary
    # the server stays authoritative: the exceptional answer still goes through
    c = live.client("mariam.kabore")
    form = c.get(f"/dossiers/{ref}/actions/referral:cash/record_delivery")
    assert form.status_code == 200


def test_refusal_and_withdrawal_dates_open_with_today(live):
    """Tryout 2, findings 4 and 16 (BF SOP 2026.4): the date of a refusal and of a withdrawal open
    with today in the SOP's time zone (dd/mm/yyyy), as the consent date always did; the other event
    dates (plan revision, service review, proposed closure) have the same ``default: today``."""
    from mno_workflow.sop.loader import load_file
    from tests.conftest import BF_SOP
    sop = load_file(BF_SOP).model
    defaults = {f.id for form in sop.forms.values() for f in form.fields if f.default == "today"}
    assert {"refused_on", "withdrawn_on", "revised_on", "reviewed_on", "closed_on"} <= defaults
    today = live.clock.now().astimezone(ZoneInfo(sop.calendar.timezone)).strftime("%d/%m/%Y")
    c = live.client("mariam.kabore")
    fresh = live.wf.create_case("mnr_bf", MARIAM)
    live.wf.fire(fresh, "register", MARIAM, IDENT)
    form = c.get(f"/dossiers/{fresh}/actions/consent:1/record_refusal").text
    assert re.search(rf'name="refused_on"[^>]*value="{re.escape(today)}"', form), form[:3000]
    ref = case_with_referrals(live.wf)
    form = c.get(f"/dossiers/{ref}/actions/consent:1/withdraw_consent").text
    assert re.search(rf'name="withdrawn_on"[^>]*value="{re.escape(today)}"', form)
