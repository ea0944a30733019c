"""Every form with errors shows the same GOV.UK-style error summary (tryout finding 19): one
« Il y a un problème » box at the top, each error a link to its field, and not a second banner
« Le formulaire contient des erreurs ». The forms are found generically — every template that
renders a field error (an error paragraph tied to a field, or the SOP form ``field`` macro) — and
each one is posted with errors on a real server; a new template with field errors and no case
here makes the test fail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mno_workflow.web.i18n import t

from .conftest import csrf_of
from .helpers import case_with_referrals

TEMPLATES = Path(__file__).resolve().parents[2] / "mno_workflow" / "web" / "templates"
FIELD_ERROR = re.compile(r'class="error" id="|import [^%]*\bfield\b')
SUMMARY = re.compile(r"\b(errors_summary|error_summary|summary_of)\(")


def templates_with_field_errors() -> set[str]:
    """Templates that render a field's error (not the macros file itself), and those including one."""
    texts = {p.name: p.read_text(encoding="utf-8")
             for p in TEMPLATES.glob("*.html") if p.name != "_macros.html"}
    found = {name for name, text in texts.items() if FIELD_ERROR.search(text)}
    return found | {name for name, text in texts.items()
                    if any(f'include "{x}"' in text for x in found)}


def post(c, url: str, data: dict | None = None, page: str | None = None):
    token = csrf_of(page) if page else c.cookies.get("csrftoken")
    return c.post(url, data={"csrftoken": token, **(data or {})})


def field_of(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page)[1]


# template -> (user, how to get its page with errors: f(client, live, ref) -> response)
def _case_new(c, live, ref):
    page = c.get("/dossiers/nouveau").text
    return post(c, "/dossiers/nouveau", {"form_token": field_of(page, "form_token"), "phone": "abc"}, page)


def _alert_new(c, live, ref):
    page = c.get("/signalements/nouveau").text
    return post(c, "/signalements/nouveau", {"form_token": field_of(page, "form_token")}, page)


def _action(c, live, ref):
    url = f"/dossiers/{ref}/actions/referral:cash/send"
    page = c.get(url).text
    return post(c, url, {"version": field_of(page, "version"), "priority": "nonsense"}, page)


def _action_htmx(c, live, ref):
    url = f"/dossiers/{ref}/actions/referral:cash/send"
    page = c.get(url).text
    return c.post(url, data={"csrftoken": csrf_of(page), "version": field_of(page, "version")},
                  headers={"HX-Request": "true"})


CASES = {
    "login.html": (None, lambda c, live, ref: (c.get("/login"), post(c, "/login", {"username": ""}))[1]),
    "case.html": ("idrissa.sanou", lambda c, live, ref: post(c, f"/dossiers/{ref}/reattribuer",
                                                             {"assignee": "", "reason": ""})),
    "cases.html": ("idrissa.sanou", lambda c, live, ref: post(c, "/dossiers/reattribuer",
                                                              {"ref": ref, "assignee": "", "reason": ""})),
    "account_access.html": ("mariam.kabore", lambda c, live, ref: post(c, "/mon-compte/jetons",
                                                                       {"label": "", "days": "abc"})),
    "channels.html": ("mariam.kabore", lambda c, live, ref: post(c, "/mon-compte/notifications",
                                                                 {"phone": "abc", "sms": "on"})),
    "directory_service.html": ("coord.mnr", lambda c, live, ref: post(
        c, "/repertoire/services/svc-masn-kadiogo-cash", {"status": "active", "minimum_age": "40",
                                                           "maximum_age": "10"})),
    "agreements.html": ("coord.mnr", lambda c, live, ref: post(c, "/repertoire/accords",
                                                               {"signed_on": "31/02/2025"})),
    "case_new.html": ("mariam.kabore", _case_new),
    "alert_new.html": ("agent.fds", _alert_new),
    "action_page.html": ("mariam.kabore", _action),
    "action_form.html": ("mariam.kabore", _action_htmx),
}

# the case page's other tools, each with its own field ids
TOOLS = {
    "extend": lambda c, ref: post(c, f"/dossiers/{ref}/delais/referral:cash/prolonger",
                                  {"by": "", "reason": ""}),
    "reassign": lambda c, ref: post(c, f"/dossiers/{ref}/reattribuer", {"assignee": "", "reason": ""}),
}


def test_every_template_with_field_errors_has_the_summary_and_a_case_here():
    found = templates_with_field_errors()
    assert {"case.html", "agreements.html", "directory_service.html", "login.html"} <= found
    assert found == set(CASES), "a template renders field errors: add it to CASES"
    for name in found:
        text = (TEMPLATES / name).read_text(encoding="utf-8")
        included = re.findall(r'include "([^"]+)"', text)
        assert SUMMARY.search(text) or any(SUMMARY.search((TEMPLATES / x).read_text(encoding="utf-8"))
                                           for x in included), f"{name}: field errors without the summary"


def check_summary(html: str) -> list[str]:
    """One summary, its links landing on elements of the page, no second banner."""
    assert html.count('class="error-summary"') == 1, html[:3000]
    box = html[html.index('class="error-summary"'):]
    box = box[:box.index("</div>")]
    links = re.findall(r'href="#([^"]+)"', box)
    for target in links:
        assert f'id="{target}"' in html, target
    assert t("form_errors", "fr") not in html and t("form_errors", "en") not in html
    return links


@pytest.mark.parametrize("template", sorted(CASES))
def test_each_form_with_errors_shows_one_linked_summary(live_module, template):
    live = live_module
    user, make = CASES[template]
    ref = case_with_referrals(live.wf, send=False)
    c = live.client(user)
    r = make(c, live, ref)
    assert r.status_code == 422, (template, r.status_code, r.text[:2000])
    links = check_summary(r.text)
    assert links, template  # every case here has at least one field error


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_case_tools_link_their_own_fields(live_module, tool):
    live = live_module
    ref = case_with_referrals(live.wf)
    r = TOOLS[tool](live.client("idrissa.sanou"), ref)
    assert r.status_code == 422
    links = check_summary(r.text)
    prefix = {"extend": "extend-referral-cash-", "reassign": "reassign-"}[tool]
    assert links and all(x.startswith(prefix) for x in links), links
