"""Tryout 2 finding 1: the case page offers the actions of steps in a standing state (« Consentement
donné », « Consentement refusé / retiré », « Dérogation », « Référencement d'urgence possible »),
for every role of the Burkina Faso SOP, in French and English. The expected links are derived from
the compiled SOP (the triggers that leave each instance's state, the roles of their transitions and
the role's scope), never a list written here; each link opens its form (200)."""

from __future__ import annotations

import html as markup
import re

import pytest

from mno_workflow.engine.engine import Actor
from mno_workflow.store import repository

from .helpers import CONSENT, IDENT, IDRISSA, MARIAM, case_with_referrals

USERS = {  # one demo account per role of the SOP
    "caseworker": Actor("mariam.kabore", "caseworker"),
    "supervisor": Actor("idrissa.sanou", "supervisor"),
    "coordinator": Actor("coord.mnr", "coordinator"),
    "provider": Actor("focal.masn", "provider", "org-masn"),
    "first_responder": Actor("agent.fds", "first_responder"),
}
LINK = re.compile(r'<a [^>]*href="/dossiers/[^/"]+/actions/([^/"]+)/([^/"]+)"'
                  r'[^>]*data-action="[^"]+"[^>]*>([^<]*)</a>')


def _registered(wf) -> str:
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, IDENT)
    return ref


def _given(wf) -> str:
    ref = _registered(wf)
    wf.fire(ref, "record_consent", MARIAM, CONSENT)
    return ref


def _refused(wf) -> str:
    ref = _registered(wf)
    wf.fire(ref, "record_refusal", MARIAM, {"refused_on": "2025-06-02", "given_by": "self"})
    return ref


def _withdrawn(wf) -> str:
    ref = _given(wf)
    wf.fire(ref, "withdraw_consent", MARIAM, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    return ref


def _overridden(wf) -> str:
    ref = _registered(wf)
    wf.fire(ref, "override_consent", IDRISSA, {"legal_basis": "legal_obligation", "reason": "Obligation",
                                               "data_categories": ["identity", "needs"],
                                               "share_with": ["service_provider"]})
    return ref


def _referred(wf) -> str:  # consent given, plan approved, referrals sent (one to org-masn)
    return case_with_referrals(wf)


CASES = {"given": _given, "refused": _refused, "withdrawn": _withdrawn, "overridden": _overridden,
         "referred": _referred}


def expected(wf, ref: str, actor: Actor, lang: str) -> tuple[dict[tuple[str, str], str], set[str]]:
    """``{(instance, trigger): label}`` the SOP lets ``actor`` fire on the open case ``ref`` (roles
    of each transition leaving the instance's state, the role's scope), and the standing instances."""
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        compiled = wf.registry.for_case(case)
        sop = compiled.sop
        role = sop.roles[actor.role]
        out: dict[tuple[str, str], str] = {}
        standing: set[str] = set()
        for inst in case.instances:
            st = sop.steps[inst.step].states[inst.state]
            if inst.final or (st.owner is None and st.deadline is None):
                standing.add(inst.label_key)  # a done step offers only its edits (L5), as a record
            if role.scope == "assigned" and case.assignee not in (None, actor.user):
                continue
            if role.scope == "recipient" and inst.recipient != actor.organisation:
                continue
            cs = compiled.steps[inst.step]
            for trig in cs.triggers_from(inst.state):
                for _, t in cs.candidates(trig, inst.state):
                    if actor.role in t.by and (t.internal or not inst.final):
                        out[(inst.label_key, trig)] = sop.label(t.label, lang)
        return out, standing


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_allowed_action_of_every_role_is_a_working_link(live, lang):
    wf = live.wf
    refs = {name: make(wf) for name, make in CASES.items()}
    seen_standing = set()
    for role, actor in USERS.items():
        c = live.client(actor.user)
        if lang == "en":
            c.get("/langue/en")
        for name, ref in refs.items():
            r = c.get(f"/dossiers/{ref}")
            links = {(m.group(1), m.group(2)): markup.unescape(m.group(3).strip())
                     for m in LINK.finditer(r.text)}
            if role == "provider" or r.status_code != 200:
                # a provider answers from its inbox: no action of the case page
                assert not links, (role, name, links)
                continue
            want, standing = expected(wf, ref, actor, lang)
            if role in ("caseworker", "supervisor"):
                assert want, (role, name)  # the matrix checks something for these roles
            assert set(links) == set(want), (role, name, sorted(links), sorted(want))
            for key, label in want.items():
                assert links[key] == label, (role, name, key)
                if key[0] in standing:
                    seen_standing.add((role, name, key[1]))
                form = c.get(f"/dossiers/{ref}/actions/{key[0]}/{key[1]}")
                assert form.status_code == 200, (role, name, key, form.status_code)
                assert "<form" in form.text and label in markup.unescape(form.text), (role, name, key)
    # the standing states' actions the tryout missed are among those checked
    for want in (("caseworker", "given", "withdraw_consent"), ("caseworker", "given", "update_consent"),
                 ("caseworker", "refused", "record_consent"), ("supervisor", "refused", "override_consent"),
                 ("caseworker", "withdrawn", "record_consent"),
                 ("supervisor", "overridden", "withdraw_consent"),
                 ("caseworker", "given", "refer_immediately"), ("supervisor", "given", "end_immediate"),
                 # tryout 9, L5: the done identification's edit (BF SOP 2026.9)
                 ("caseworker", "given", "rectify_identification"),
                 ("supervisor", "referred", "rectify_identification")):
        assert want in seen_standing, want


def test_standing_actions_sit_with_their_state_not_among_work(live):
    """The actions are in the standing line next to their state's tag; the state is not shown as a
    step in progress (no « Étapes en cours » box, no deadline)."""
    ref = _withdrawn(live.wf)
    html = live.client("mariam.kabore").get(f"/dossiers/{ref}").text
    line = html[html.index('id="standing-steps"'):]
    line = line[: line.index("</div>")]
    item = line[line.index('id="step-consent-1"'):]
    item = item[: item.index("</li>")]
    assert "Consentement retiré" in item and 'data-action="record_consent"' in item
    work = html[html.index("Étapes en cours"): html.index('id="action-panel"')]
    assert "Consentement retiré" not in work
