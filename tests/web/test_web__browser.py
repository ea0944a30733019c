"""End to end in a real browser (Debian's Chromium driven by Playwright) against a real uvicorn
server: a caseworker opens a case, records consent, assesses two needs, refers to two providers;
each provider sees only its referral; one accepts and completes, the other declines; the
caseworker re-refers; follow-up; closure proposed and approved by the supervisor.

A screenshot of each page is saved under ``artifacts/screenshots/`` (French).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mno_workflow.store import repository

from .conftest import CHROMIUM, PASSWORD, ROOT

playwright_api = pytest.importorskip("playwright.sync_api")

SHOTS = ROOT / "artifacts" / "screenshots"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed")


class Shots:
    def __init__(self, prefix: str = ""):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.n = 0
        self.prefix = prefix

    def take(self, page, name: str) -> None:
        self.n += 1
        page.screenshot(path=str(SHOTS / f"{self.prefix}{self.n:02d}-{name}.png"), full_page=True)


def signed_in(browser, live, user: str, **context):
    """A new page of a new browser context (``context``: Playwright's ``new_context`` options)
    signed in as ``user``."""
    page = browser.new_context(**context).new_page()
    page.goto(live.url + "/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page


def open_as(browser, live, user: str):
    ctx = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live.url + "/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.console_errors = errors  # type: ignore[attr-defined]
    return page


def action(page, trigger: str, instance: str | None = None) -> None:
    sel = f'a[data-action="{trigger}"]' + (f'[data-instance="{instance}"]' if instance else "")
    page.click(sel)
    page.wait_for_selector("#action-panel form")


def submit(page) -> None:
    with page.expect_navigation():
        page.click("#action-panel button.primary")


def test_case_from_identification_to_closure_in_the_browser(live, browser):
    shots = Shots()
    url = live.url

    # -- caseworker: login, my work, new case ------------------------------------------------------
    login = browser.new_page()
    login.goto(url + "/login")
    shots.take(login, "connexion")
    login.close()
    cw = open_as(browser, live, "mariam.kabore")
    assert cw.url.endswith("/travail")
    shots.take(cw, "mon-travail-vide")
    cw.click("text=Nouveau dossier")
    cw.fill("#f-first_name", "Aminata")
    cw.fill("#f-last_name", "Sawadogo")
    cw.select_option("#f-sex", "female")
    cw.fill("#f-birth_date", "2001-03-14")
    cw.fill("#f-phone", "+226 70 00 00 01")
    cw.fill("#f-return_date", "2030-05-29")  # in the future: refused, input kept
    cw.select_option("#f-region", "kadiogo")
    with cw.expect_navigation():
        cw.click("button.primary")
    assert "La date ne peut pas être dans le futur." in cw.inner_text("#f-return_date-wrap")
    assert cw.input_value("#f-first_name") == "Aminata"
    shots.take(cw, "nouveau-dossier-erreurs")
    cw.fill("#f-return_date", "2025-05-29")
    with cw.expect_navigation():
        cw.click("button.primary")
    m = re.search(r"/dossiers/(MNR-BF-\d+)$", cw.url)
    assert m, cw.url
    ref = m.group(1)
    assert "Aminata Sawadogo" in cw.inner_text("h1")
    shots.take(cw, "dossier-enregistre")

    # -- consent: first an empty submit (per-field errors in place), then the real one ---------------
    action(cw, "record_consent")
    cw.click("#action-panel button.primary")
    cw.wait_for_selector("#action-panel .field.has-error")
    assert "Ce champ est obligatoire." in cw.inner_text("#f-given_by-wrap")
    shots.take(cw, "consentement-erreurs")
    cw.select_option("#f-given", "true")
    cw.select_option("#f-given_by", "self")
    cw.fill("#f-consent_date", "2025-06-02")
    cw.select_option("#f-channel", "written")
    for v in ("identity", "needs"):
        cw.check(f'input[name="data_categories"][value="{v}"]')
    # Issue 11: the referrals below go to a government office, a health centre and a UN agency.
    for v in ("government", "un_agency", "service_provider", "health"):
        cw.check(f'input[name="share_with"][value="{v}"]')
    for v in ("referral", "follow_up"):
        cw.check(f'input[name="purposes"][value="{v}"]')
    submit(cw)
    assert "Enregistré" in cw.inner_text(".flash")

    # -- needs assessment: two needs needing a referral -------------------------------------------
    action(cw, "submit_assessment")
    cw.fill("#f-assessed_on", "2025-06-02")
    cw.select_option("#f-risk_level", "high")
    for i, (dim, need, text) in enumerate(
        [
            ("economic", "cash", "Aucun revenu depuis le retour"),
            ("social", "medical", "Suivi médical nécessaire"),
        ]
    ):
        if i:  # issue 18: one row shown, « + Ajouter » reveals the next
            cw.click("#action-panel button.add-row")
        cw.select_option(f"#f-needs-{i}-dimension", dim)
        cw.select_option(f"#f-needs-{i}-need", need)
        cw.fill(f"#f-needs-{i}-description", text)
        cw.select_option(f"#f-needs-{i}-referral_needed", "true")
    shots.take(cw, "evaluation-des-besoins")
    submit(cw)

    # -- supervisor approves the plan -------------------------------------------------------------
    sup = open_as(browser, live, "idrissa.sanou")
    sup.goto(f"{url}/dossiers/{ref}")
    action(sup, "approve_plan")
    submit(sup)

    # -- caseworker refers to two providers (matched from the directory) ---------------------------
    cw.reload()
    action(cw, "send", "referral:cash")
    options = cw.eval_on_selector_all("#f-provider option", "els => els.map(e => e.value)")
    assert "org-masn" in options and "org-oim" in options
    assert "Zone" in cw.inner_text("#action-panel details.reasons")
    shots.take(cw, "referencement-prestataires-proposes")
    cw.select_option("#f-provider", "org-masn")
    cw.select_option("#f-priority", "normal")
    cw.fill("#f-referral_date", "2025-06-02")
    cw.select_option("#f-channel", "system")
    submit(cw)
    action(cw, "send", "referral:medical")
    cw.select_option("#f-provider", "org-csps")
    cw.select_option("#f-priority", "urgent")
    cw.fill("#f-referral_date", "2025-06-02")
    cw.select_option("#f-channel", "phone")
    submit(cw)
    shots.take(cw, "dossier-referencements-envoyes")

    # -- provider 1 (DRSAH, org-masn) sees only its referral and declines -------------------------
    masn = open_as(browser, live, "focal.masn")
    assert masn.url.endswith("/prestataire")
    links = masn.eval_on_selector_all("a.button", "els => els.map(e => e.getAttribute('href'))")
    assert links == [f"/prestataire/{ref}/referral:cash"]
    shots.take(masn, "prestataire-boite-de-reception")
    masn.click("a.button")
    body = masn.inner_text("main")
    assert "Aminata" in body and "+226 70 00 00 01" not in body  # contact not in the consent
    shots.take(masn, "prestataire-referencement")
    action(masn, "decline")
    masn.select_option("#f-reason", "no_capacity")
    submit(masn)
    assert masn.goto(f"{url}/prestataire/{ref}/referral:medical").status == 404

    # -- provider 2 (CSPS, org-csps) accepts and completes -----------------------------------------
    csps = open_as(browser, live, "focal.csps")
    links = csps.eval_on_selector_all("a.button", "els => els.map(e => e.getAttribute('href'))")
    assert links == [f"/prestataire/{ref}/referral:medical"]
    csps.click("a.button")
    action(csps, "accept")
    submit(csps)
    action(csps, "complete")
    csps.fill("#f-delivered_on", "2025-06-02")
    csps.fill("#f-note", "Consultation prénatale faite")
    submit(csps)

    # -- caseworker re-refers the declined referral; OIM accepts and completes -------------------
    cw.reload()
    action(cw, "re_refer", "referral:cash")
    cw.select_option("#f-provider", "org-oim")
    cw.select_option("#f-priority", "normal")
    cw.fill("#f-referral_date", "2025-06-02")
    cw.select_option("#f-channel", "system")
    submit(cw)
    assert masn.goto(f"{url}/prestataire/{ref}/referral:cash").status == 404  # access removed
    oim = open_as(browser, live, "focal.oim")
    oim.click("a.button")
    action(oim, "accept")
    submit(oim)
    action(oim, "complete")
    oim.fill("#f-delivered_on", "2025-06-02")
    submit(oim)

    # -- follow-up and closure ------------------------------------------------------------------
    cw.reload()
    action(cw, "record_visit")
    cw.fill("#f-visit_date", "2025-06-02")
    cw.select_option("#f-contact_mode", "home_visit")
    cw.select_option("#f-services_received", "true")
    cw.select_option("#f-risk_level", "low")
    # one line per referral of the case, both completed (issue 18, F18): the caseworker answers each
    for i, need in enumerate(("cash", "medical")):
        assert cw.input_value(f"#f-referral_lines-{i}-need") == need
        cw.select_option(f"#f-referral_lines-{i}-service_received", "true")
    submit(cw)
    shots.take(cw, "dossier-suivi")
    action(cw, "end_follow_up")
    submit(cw)
    action(cw, "propose_closure")
    cw.select_option("#f-reason", "goals_met")
    cw.fill("#f-closed_on", "2025-06-02")
    cw.fill("#f-summary", "Objectifs atteints.")
    submit(cw)
    sup.goto(f"{url}/travail")
    assert ref in sup.inner_text("main")
    shots.take(sup, "superviseur-mon-travail")
    sup.goto(f"{url}/dossiers/{ref}")
    action(sup, "approve_closure")
    submit(sup)
    assert "clos" in sup.inner_text(".case-head")
    shots.take(sup, "dossier-clos")

    with live.wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert case.status == "closed"
        states = {i.label_key: i.state for i in case.instances}
    assert states["referral:cash"] == "completed" and states["referral:medical"] == "completed"

    # -- other pages, for the record --------------------------------------------------------------
    cw.goto(f"{url}/dossiers?q=sawadogo")
    shots.take(cw, "liste-des-dossiers")
    cw.goto(f"{url}/notifications")
    shots.take(cw, "notifications")
    cw.goto(f"{url}/repertoire?need=medical&region=kadiogo")
    shots.take(cw, "repertoire")
    trainer = open_as(browser, live, "formateur")
    shots.take(trainer, "pos-formateur")
    trainer.goto(f"{url}/pos/presentation?n=4")
    shots.take(trainer, "pos-presentation")
    trainer.keyboard.press("ArrowRight")
    trainer.wait_for_url(re.compile(r"n=5$"))
    me = open_as(browser, live, "suivi.evaluation")
    shots.take(me, "tableau-de-bord")

    for p in (cw, sup, masn, csps, oim, trainer, me):
        # No CSP violation, no script error (the intended 404 and 422 answers above are logged too).
        unexpected = [e for e in p.console_errors if not re.search(r"status of (404|422)", e)]
        assert unexpected == [], unexpected


def test_supervisor_extends_a_deadline_and_reassigns_in_the_browser(live, browser):
    """The supervisor of Kadiogo extends a referral's deadline (an empty submit first: errors in
    place), reassigns the case from its page, then two cases at once from the case list; the
    coordination edits a service of the directory."""
    from mno_workflow.store.models import User

    from .helpers import case_with_referrals, events_of

    shots = Shots("gestion-")
    url = live.url
    ref = case_with_referrals(live.wf)
    other = case_with_referrals(live.wf)
    with live.wf.sessions.begin() as s:
        s.add(User(id="ali.kone", display_name="Ali Koné", role="caseworker", region="kadiogo"))

    sup = open_as(browser, live, "idrissa.sanou")
    sup.goto(f"{url}/dossiers/{ref}")
    box = "#extend-referral-cash"
    sup.click(f"{box} summary")
    with sup.expect_navigation():
        sup.click(f"{box} button.primary")
    assert "Ce champ est obligatoire." in sup.inner_text(f"{box}-by-wrap")
    assert "Ce champ est obligatoire." in sup.inner_text(f"{box}-reason-wrap")
    shots.take(sup, "prolonger-erreurs")
    sup.select_option(f"{box}-by", "5 working days")
    sup.fill(f"{box}-reason", "Le prestataire est fermé pour la fête de Tabaski")
    shots.take(sup, "prolonger-formulaire")
    with sup.expect_navigation():
        sup.click(f"{box} button.primary")
    assert "Délai prolongé jusqu'au" in sup.inner_text(".flash")
    assert "Délai prolongé : Le prestataire est fermé" in sup.inner_text(".timeline")
    shots.take(sup, "delai-prolonge")

    sup.click("#tool-reassign summary")
    sup.select_option("#reassign-assignee", "ali.kone")
    sup.fill("#reassign-reason", "Congé de Mariam Kaboré")
    shots.take(sup, "reattribuer-formulaire")
    with sup.expect_navigation():
        sup.click("#tool-reassign button.primary")
    assert "Ali Koné" in sup.inner_text(".case-head")  # by name, never the login
    shots.take(sup, "dossier-reattribue")

    sup.goto(f"{url}/dossiers")
    sup.check(f"#pick-{other}")
    sup.select_option("#bulk-assignee", "ali.kone")
    sup.fill("#bulk-reason", "Répartition de la charge")
    shots.take(sup, "liste-reattribution-groupee")
    with sup.expect_navigation():
        sup.click("#bulk-form button.primary")
    assert "1 dossier réattribué à Ali Koné" in sup.inner_text(".flash")  # one: the singular

    coord = open_as(browser, live, "coord.mnr")
    coord.goto(f"{url}/repertoire/a-verifier")
    shots.take(coord, "repertoire-a-verifier")
    coord.goto(f"{url}/repertoire/services/svc-oim-transit")
    coord.fill("#cap-cap-oim-transit", "5")
    coord.fill("#svc-fees_description", "Gratuit")
    with coord.expect_navigation():
        coord.click("#service-form button.primary")
    with coord.expect_navigation():
        coord.click("#verify-form button")
    assert "Coordination MNR" in coord.inner_text("#history")  # the author by name, never coord.mnr
    shots.take(coord, "repertoire-service-modifie")

    assert [e.data["reason"] for e in events_of(live.wf, ref, "extend_deadline")] == [
        "Le prestataire est fermé pour la fête de Tabaski"
    ]
    assert [e.data["to"] for e in events_of(live.wf, ref, "reassign")] == ["ali.kone"]
    assert [e.data["to"] for e in events_of(live.wf, other, "reassign")] == ["ali.kone"]
    for p in (sup, coord):
        # The intended 422 (empty form) and the browser's favicon request (404) are logged too.
        unexpected = [e for e in p.console_errors if not re.search(r"status of (404|422)", e)]
        assert unexpected == [], unexpected
