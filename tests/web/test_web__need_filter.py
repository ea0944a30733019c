"""Needs offered by the chosen dimension (issue 18): the pairing worked out from the form's own
rules (web/pairing.py) agrees with the server's check and with the directory's mapping; the page
carries it; Chromium hides the needs of other dimensions, also in « + Ajouter un besoin » rows.
The immediate referral offers only the needs its one-field rule accepts, and the dimensions
holding them (tryout 7, J6)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from mno_workflow.directory.matching import default_mapping
from mno_workflow.engine.errors import FormInvalid
from mno_workflow.engine.forms import validate_form
from mno_workflow.sop.loader import load_file
from mno_workflow.store import repository
from mno_workflow.web.forms import form_views
from mno_workflow.web.pairing import offered, pairings

from .conftest import csrf_of
from .helpers import CONSENT, IDENT, MARIAM
from .test_web__browser import (
    action,
    open_as,
    submit,
)
from .test_web__browser import pytestmark as _browser_mark

SOP = load_file("sops/burkina_faso/mnr.yaml").model
DIMS = list(SOP.options["dimension"])
NEEDS = list(SOP.options["need"])


def server_accepts(form_id: str, dim: str, need: str) -> bool:
    row = {"dimension": dim, "need": need, "referral_needed": True}
    payload = (
        {"assessed_on": "2025-06-02", "risk_level": "low", "needs": [row]}
        if form_id == "needs_assessment"
        else {"revised_on": "2025-06-02", "needs": [row], "reason": "x"}
    )
    try:
        # consent given (issue 13: a refused consent refuses every "referral needed")
        context = {"identification": IDENT, "steps": {"consent": "given"}}
        validate_form(SOP, form_id, payload, context=context, today=date(2025, 6, 2))
    except FormInvalid as e:
        assert set(e.errors) <= {"needs"}, e.errors  # only the pairing rule may refuse
        return False
    return True


@pytest.mark.parametrize("form_id", ["needs_assessment", "plan_revision"])
def test_pairing__same_answer_as_the_server_for_every_dimension_and_need(form_id):
    ctl, allowed = pairings(SOP, form_id, "needs")["need"]
    assert ctl == "dimension"
    for dim in DIMS:
        for need in NEEDS:
            assert (dim in allowed[need]) == server_accepts(form_id, dim, need), (dim, need)


def test_pairing__agrees_with_the_directory_need_mapping():
    _, allowed = pairings(SOP, "needs_assessment", "needs")["need"]
    mapping = default_mapping()
    for need in NEEDS:
        if need in mapping:
            assert allowed[need] == sorted({link.dimension for link in mapping[need]}), need
    assert allowed["cash"] == ["economic"] and allowed["psychosocial"] == ["psychosocial"]
    assert allowed["medical"] == ["social"]


def test_pairing__nothing_when_no_rule_links_the_fields():
    assert pairings(SOP, "identification") == {}
    assert pairings(SOP, "consent") == {}


def test_form_views__each_row_carries_its_own_dimension_field():
    views, _ = form_views(SOP, "needs_assessment", "fr")
    needs = next(v for v in views if v.name == "needs")
    assert len(needs.rows) > 3  # hidden « + Ajouter » rows too
    for i, row in enumerate(needs.rows):
        need = next(c for c in row if c.name.endswith(".need"))
        assert need.pair_with == f"needs.{i}.dimension"
        assert need.allowed["vocational_training"] == "economic"


def test_needs_page__options_carry_their_dimensions(live):
    wf = live.wf
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, IDENT)
    wf.fire(ref, "record_consent", MARIAM, CONSENT)
    c = live.client("mariam.kabore")
    url = re.search(r'href="(/dossiers/[^"]+/submit_assessment)"', c.get(f"/dossiers/{ref}").text).group(1)
    html = c.get(url).text
    assert 'data-pair-with="needs.0.dimension"' in html
    assert 'value="cash" data-allowed="economic"' in html
    # without the script, a wrong pair is still refused by the server, with the input kept
    r = c.post(url, data={
        "csrftoken": csrf_of(html), "version": str(case_of(wf, ref).version), "assessed_on": "02/06/2025",
        "risk_level": "low", "needs.0.dimension": "psychosocial", "needs.0.need": "cash",
        "needs.0.referral_needed": "true"})
    assert "Le besoin ne relève pas de la dimension choisie" in r.text
    assert 'value="cash" data-allowed="economic" selected' in r.text


def case_of(wf, ref):
    with wf.sessions() as s:
        return repository.get_case(s, ref)


VISIBLE = "sel => [...sel.options].filter(o => o.value && !o.hidden && !o.disabled).map(o => o.value)"


@_browser_mark
def test_needs_form__needs_follow_the_dimension_in_chromium(live, browser):
    wf = live.wf
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, IDENT)
    wf.fire(ref, "record_consent", MARIAM, CONSENT)
    page = open_as(browser, live, "mariam.kabore")
    page.goto(f"{live.url}/dossiers/{ref}")
    action(page, "submit_assessment")
    assert len(page.eval_on_selector("#f-needs-0-need", VISIBLE)) == len(NEEDS)  # no dimension yet
    page.select_option("#f-needs-0-dimension", "economic")
    econ = page.eval_on_selector("#f-needs-0-need", VISIBLE)
    assert sorted(econ) == sorted(["cash", "income_activity", "micro_business", "collective_project",
                                   "employment", "vocational_training"])
    page.select_option("#f-needs-0-need", "cash")
    page.select_option("#f-needs-0-referral_needed", "true")
    # a second row from « + Ajouter un besoin »: its own dimension, its own needs
    page.click("#action-panel button.add-row")
    page.select_option("#f-needs-1-dimension", "psychosocial")
    assert page.eval_on_selector("#f-needs-1-need", VISIBLE) == ["psychosocial"]
    assert page.eval_on_selector("#f-needs-0-need", VISIBLE) == econ  # row 1 untouched
    page.select_option("#f-needs-1-need", "psychosocial")
    page.select_option("#f-needs-1-referral_needed", "false")
    # changing the dimension clears a need that no longer fits
    page.select_option("#f-needs-1-dimension", "social")
    assert page.input_value("#f-needs-1-need") == ""
    assert "psychosocial" not in page.eval_on_selector("#f-needs-1-need", VISIBLE)
    assert "medical" in page.eval_on_selector("#f-needs-1-need", VISIBLE)
    page.select_option("#f-needs-1-need", "medical")
    page.fill("#f-assessed_on", "02/06/2025")
    page.select_option("#f-risk_level", "low")
    submit(page)
    assert "Enregistré" in page.inner_text(".flash")
    needs = case_of(wf, ref).data["needs_assessment"]["needs"]
    assert [(n["dimension"], n["need"]) for n in needs] == [("economic", "cash"), ("social", "medical")]
    assert not [e for e in page.console_errors if "Failed to load resource" not in e]  # favicon


# --- Tryout 7, J6: « Référer un besoin immédiat » offers only what the SOP's own rule accepts ---

IMMEDIATE = {"dimension": "social", "urgency": "Ne peut pas attendre", "incident_at": "2025-06-02T08:00:00Z"}


def immediate_accepted(need: str) -> bool:
    payload = {**IMMEDIATE, "need": need}
    try:
        validate_form(SOP, "immediate_referral", payload, context={"identification": IDENT},
                      today=date(2025, 6, 2))
    except FormInvalid as e:
        return "need" not in e.errors
    return True


def test_offered__same_needs_as_the_servers_rule():
    accepted = [n for n in NEEDS if immediate_accepted(n)]
    assert sorted(accepted) == sorted(["medical", "housing", "security", "gbv_services", "child_protection"])
    assert offered(SOP, "immediate_referral") == {"need": accepted}
    # forms where no one-field rule limits a choice offer everything (the pairing rule names two fields)
    assert offered(SOP, "needs_assessment", "needs") == {} and offered(SOP, "identification") == {}


def test_form_views__immediate_needs_and_their_dimensions_only():
    views, _ = form_views(SOP, "immediate_referral", "fr")
    dim, need = (next(v for v in views if v.name == n) for n in ("dimension", "need"))
    assert [c for c, _ in need.options] == offered(SOP, "immediate_referral")["need"]
    assert [c for c, _ in dim.options] == ["social"]  # no economic or psychosocial need is immediate
    assert set(need.allowed) == set(offered(SOP, "immediate_referral")["need"])
    # drawn again with a refused value: what was sent stays shown (the server's message says why)
    sent = {"dimension": "psychosocial", "need": "psychosocial"}
    views, _ = form_views(SOP, "immediate_referral", "fr", sent)
    dim, need = (next(v for v in views if v.name == n) for n in ("dimension", "need"))
    assert "psychosocial" in [c for c, _ in need.options] and "psychosocial" in [c for c, _ in dim.options]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_immediate_page__offers_only_immediate_needs(live, lang):
    wf = live.wf
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, IDENT)
    wf.fire(ref, "record_consent", MARIAM, CONSENT)
    c = live.client("mariam.kabore")
    if lang == "en":
        c.get("/langue/en")
    url = f"/dossiers/{ref}/actions/immediate:1/refer_immediately"
    html = c.get(url).text
    need = html[html.index('name="need"'):]
    need = need[:need.index("</select>")]
    dim = html[html.index('name="dimension"'):]
    dim = dim[:dim.index("</select>")]
    medical, psy, cash = {"fr": ("Soins médicaux", "Soutien psychosocial", "Assistance en espèces"),
                          "en": ("Medical care", "Mental health and psychosocial", "Cash assistance")}[lang]
    assert medical in need and psy not in need and cash not in need
    shown = sorted(re.findall(r'<option value="(\w+)"', need))
    assert shown == sorted(offered(SOP, "immediate_referral")["need"])
    assert re.findall(r'<option value="(\w+)"', dim) == ["social"]
    assert {"fr": "Psychosociale", "en": "Psychosocial"}[lang] not in dim
    # the server stays the judge: a need sent anyway is refused, in the page's language
    r = c.post(url, data={"csrftoken": csrf_of(html), "version": str(case_of(wf, ref).version),
                          "dimension": "psychosocial", "need": "psychosocial",
                          "urgency": "Idées suicidaires"})
    assert {"fr": "pas un besoin immédiat", "en": "not an immediate need"}[lang] in r.text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_paper_form__immediate_needs_only(lang):
    """The printed « Besoin immédiat » sheet lists the same needs and dimensions as the page."""
    from mno_workflow.render.paper_forms import field_rows

    rows = {r["id"]: [o["label"] for o in r["options"]] for r in field_rows(SOP, "immediate_referral", lang)}
    medical, psy, econ = {"fr": ("Soins médicaux", "Soutien psychosocial et santé mentale", "Économique"),
                          "en": ("Medical care", "Mental health and psychosocial support", "Economic")}[lang]
    assert len(rows["need"]) == 5 and medical in rows["need"] and psy not in rows["need"]
    assert rows["dimension"] == [{"fr": "Sociale", "en": "Social"}[lang]] and econ not in rows["dimension"]
    filled = field_rows(SOP, "immediate_referral", lang, {"dimension": "social", "need": "psychosocial"})
    assert psy in [o["label"] for r in filled if r["id"] == "need" for o in r["options"]]  # what was recorded
