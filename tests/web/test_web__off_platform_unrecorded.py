"""An SOP whose referral answers only the provider's focal point can give (no « record … on its
behalf » transition of the case manager) and an organisation off the platform: nobody could ever
record its answer (tryout 8, K12). Lint W119 says it to the author, at the first such transition,
in French and English; the send form marks such organisations « cette POS ne permet pas
d'enregistrer sa réponse » instead of promising « vous suivrez sa réponse »; the send warns (API,
and the CLI and the page through the same ``warnings_after_fire``); the case page, the case JSON
(``unrecordable_answers``) and ``mno case show`` say it while the referral waits. The Burkina
Faso SOP records every answer on behalf: none of it there."""

from __future__ import annotations

import html
import re

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.sop.answers import sent_states, unrecordable_answers, waiting_states
from mno_workflow.sop.lint import lint
from mno_workflow.sop.loader import load_text

from ..conftest import BF_SOP
from .conftest import PASSWORD
from .helpers import IDRISSA, MARIAM, case_with_referrals, referral
from .test_web__case_page_consent import box, page

MARK = {"fr": "hors plateforme : cette POS ne permet pas d'enregistrer sa réponse",
        "en": "off the platform: this SOP gives no way to record its answer"}
PROMISE = {"fr": "vous suivrez sa réponse", "en": "you will follow up its answer"}
WARN = {"fr": "ne répond pas sur la plateforme et cette POS ne permet pas d'enregistrer sa réponse",
        "en": "does not answer on the platform and this SOP gives no way to record its answer"}


def provider_only_text() -> str:
    """The BF SOP as ``mnr_nb``, its three « on behalf » answers given to the provider only."""
    text = BF_SOP.read_text(encoding="utf-8").replace("sop: mnr_bf", "sop: mnr_nb", 1)
    for form in ("provider_answer", "decline_on_behalf", "delivery_on_behalf"):
        before = f"by: [caseworker, supervisor]\n        form: {form}\n"
        assert before in text, form
        text = text.replace(before, f"by: [provider]\n        form: {form}\n", 1)
    return text


def test_the_rule_on_the_sop_model():
    bf = load_text(BF_SOP.read_text(encoding="utf-8"), "mnr.yaml").model
    nb = load_text(provider_only_text(), "nb.yaml").model
    assert sent_states(bf, "referral") == ["sent"]
    assert {"sent", "accepted", "in_progress"} <= set(waiting_states(bf, "referral"))
    for state in waiting_states(bf, "referral"):
        assert unrecordable_answers(bf, "referral", state) == [], state
    assert [t.trigger for t in unrecordable_answers(nb, "referral", "sent")] == [
        "accept", "decline", "record_acceptance", "record_decline"]
    assert {t.dest for t in unrecordable_answers(nb, "referral", "accepted")} == {"completed"}
    assert unrecordable_answers(nb, "referral", "completed") == []  # final: nothing waits
    assert unrecordable_answers(nb, "needs_assessment", "draft") == []  # no recipient


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_lint_w119_at_the_first_answer_nobody_else_records(tmp_path, lang):
    text = provider_only_text()
    assert "W119" not in {d.code for d in lint(load_text(BF_SOP.read_text(encoding="utf-8"), "bf.yaml"))}
    said = [d for d in lint(load_text(text, "nb.yaml")) if d.code == "W119"]
    assert {re.search(r"state '(\w+)'", d.message)[1] for d in said} == {"sent", "accepted", "in_progress"}
    path = tmp_path / "nb.yaml"
    path.write_text(text, encoding="utf-8")
    out = CliRunner().invoke(app, ["--lang", lang, "validate", str(path)]).output
    line = next(x for x in out.splitlines() if " W119 " in x and "'sent'" in x)
    accept = text.split("\n").index("      - trigger: accept") + 1
    assert line.startswith(f"{path}:{accept}:"), line
    if lang == "fr":
        assert "seul le point focal" in line and "(conseil : ajoutez" in line and "record_decline" in line
    else:
        assert "only the recipient organisation's focal point" in line and "(hint: add" in line


def _nb_case(live) -> str:
    live.wf.load_sop(load_text(provider_only_text(), "nb.yaml"))
    from .helpers import CONSENT, IDENT, NEEDS
    ref = live.wf.create_case("mnr_nb", MARIAM)
    live.wf.fire(ref, "register", MARIAM, IDENT)
    live.wf.fire(ref, "record_consent", MARIAM, CONSENT)
    live.wf.fire(ref, "submit_assessment", MARIAM, NEEDS)
    live.wf.fire(ref, "approve_plan", IDRISSA)
    return ref


def _option(form: str, org: str) -> str:
    return html.unescape(re.search(rf'<option value="{org}"[^>]*>([^<]*)<', form)[1])


def test_send_form_warning_case_page_json_and_cli(live):
    ref = _nb_case(live)
    bf = case_with_referrals(live.wf, send=False)
    c = live.client("mariam.kabore")
    for lang in ("fr", "en"):
        c.get(f"/langue/{lang}")
        form = c.get(f"/dossiers/{ref}/actions/referral:medical/send").text
        assert MARK[lang] in _option(form, "org-csps"), lang  # off the platform (sample directory)
        assert PROMISE[lang] not in _option(form, "org-csps")
        assert MARK[lang] not in _option(form, "org-masn")  # focal.masn answers in its inbox
        bf_form = c.get(f"/dossiers/{bf}/actions/referral:medical/send").text
        assert MARK[lang] not in bf_form and PROMISE[lang] in _option(bf_form, "org-csps")
    c.get("/langue/fr")

    token = c.post("/api/v1/auth/token", json={"username": "mariam.kabore", "password": PASSWORD}).json()
    bearer = {"Authorization": f"Bearer {token['token']}"}
    for inst, org, lang, warned in (("referral:medical", "org-csps", "fr", True),
                                    ("referral:cash", "org-masn", "en", False)):
        r = c.post(f"/api/v1/cases/{ref}/fire", headers={**bearer, "Accept-Language": lang},
                   json={"trigger": "send", "instance": inst, "payload": referral(org)})
        assert r.status_code == 200, r.text
        assert any(WARN[lang] in w for w in r.json()["warnings"]) is warned, (lang, r.json())
        if warned:  # not also « vous suivrez sa réponse »: a promise it cannot keep
            assert not any("Vous suivrez" in w for w in r.json()["warnings"]), r.json()
    steps = c.get(f"/api/v1/cases/{ref}", headers=bearer).json()["steps"]
    by_key = {x["key"]: x for x in steps if x["recipient"]}
    assert by_key["medical"]["unrecordable_answers"] == ["accept", "decline", "record_acceptance",
                                                        "record_decline"]
    assert by_key["cash"]["unrecordable_answers"] == []  # on the platform: its focal point answers

    for lang in ("fr", "en"):
        medical = box(page(live, ref, lang), "step-referral-medical")
        assert "data-unrecorded" in medical and WARN[lang] in medical, lang
        assert "data-unrecorded" not in box(page(live, ref, lang), "step-referral-cash")
    bf_page = page(live, bf, "fr")
    assert "data-unrecorded" not in bf_page

    for lang, words in (("fr", "cette POS ne permet pas d'enregistrer sa réponse"),
                        ("en", "this SOP gives no way to record its answer")):
        shown = CliRunner().invoke(app, ["--db", str(live.wf.db.url), "--lang", lang, "case", "show", ref])
        line = next(x for x in shown.output.splitlines() if "org-csps" in x or "CSPS" in x)
        assert words in line, (lang, shown.output)
