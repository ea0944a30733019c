"""Extend a deadline, reopen a case, reassign cases: the checks the pages and the API share, in
front of the engine methods that do the work and write the audit events
(:meth:`~mno_workflow.engine.engine.WorkflowEngine.extend_deadline`, ``reopen``, ``reassign``).

Order of the checks, as for actions: the case must be visible to the user (404 otherwise), then
their role must be allowed (403), then the input is checked field by field (422, every missing
field at once, the input kept), then the engine decides (409 stale version or closed case, 422 a
duration it cannot read).
"""

from __future__ import annotations

from datetime import datetime

from ..engine.deadline_changes import bad_duration, read_duration
from ..engine.engine import FireResult
from ..engine.errors import FormInvalid, Message
from ..i18n import N_, gettext
from ..store import repository
from ..store.models import Case, StepInstance, User
from . import access
from .core import QUICK_REASONS, Web

REQUIRED = Message.t("Ce champ est obligatoire.")
MAX_REASON = 500
MAX_BULK = 200

# (engine duration, its words — a French message id): the short list offered; "other" takes free text.
DURATIONS: list[tuple[str, str]] = [
    ("1 working day", N_("1 jour ouvré")),
    ("2 working days", N_("2 jours ouvrés")),
    ("5 working days", N_("5 jours ouvrés")),
    ("10 working days", N_("10 jours ouvrés")),
    ("48 hours", N_("48 heures")),
]
OTHER = "other"

#: Reasons the program writes (catalogue keys: the one-click extension of « Mon travail »), posted
#: by key and stored as a message id, shown in each reader's language (tryout 2, finding 10).
SYSTEM_REASONS = frozenset({"extend_from_escalations", *QUICK_REASONS})
#: ``extend_from_escalations`` stays readable in older events; the others: :data:`core.QUICK_REASONS`.


def duration_options(lang: str) -> list[tuple[str, str]]:
    return [(code, gettext(words, lang)) for code, words in DURATIONS]


def _instance(case: Case, key: str) -> StepInstance | None:
    return next((i for i in case.instances if key in (i.label_key, str(i.id))), None)


def _reason_errors(reason: str) -> dict[str, Message]:
    if not reason.strip():
        return {"reason": REQUIRED}
    if len(reason) > MAX_REASON:
        return {
            "reason": Message.t("{MAX_REASON} caractères au plus.", MAX_REASON=MAX_REASON)
        }
    return {}


def extend(
    web: Web, user: User, reference: str, instance: str, by: str, reason: str | Message,
    expected: int | None, from_due: bool = False,
) -> datetime:
    """Extend the deadline of ``instance`` (running, overdue or escalated) by ``by``
    (``"5 working days"``, ``"3 jours ouvrés"``), from now, or from its due instant with
    ``from_due``."""
    wf = web.wf
    with wf.sessions() as s:
        access.require(user, "cases")
        case = access.require_case(user, repository.get_case(s, reference[:40].upper()))
        inst = _instance(case, instance[:130])
        if inst is None:
            raise access.NotVisible()
        if case.status == "open" and not inst.final:
            step = web.compiled_for(case).sop.steps.get(inst.step)
            state = step.states.get(inst.state) if step else None
            # Not an extender: 403. No running deadline: the engine answers (409).
            if (
                state is not None
                and state.deadline is not None
                and user.role not in state.deadline.extenders()
            ):
                raise access.Forbidden("extend_deadline")
        label_key = inst.label_key
    # every field at once (tryout 2 #5), one summary; a program's words (a Message) need no check
    errors = {} if isinstance(reason, Message) else dict(_reason_errors(reason))
    if not by.strip():
        errors["by"] = REQUIRED
    elif read_duration(by.strip()[:40]) is None:
        errors["by"] = bad_duration()
    if errors:
        raise FormInvalid("extension", errors)
    return wf.extend_deadline(
        reference[:40].upper(),
        label_key,
        by.strip()[:40],
        reason if isinstance(reason, Message) else reason.strip(),
        access.actor_for(user),
        expected_version=expected,
        from_due=from_due,
    )


def reopen(web: Web, user: User, reference: str, reason: str, expected: int | None,
           values: dict | None = None) -> FireResult:
    wf = web.wf
    with wf.sessions() as s:
        access.require(user, "cases")
        case = access.require_case(user, repository.get_case(s, reference[:40].upper()))
        sop = web.compiled_for(case).sop
        if not access.may_reopen(sop, user):  # the roles that may, not « accès refusé » (L12)
            from ..engine.checks import reopen_refused
            raise reopen_refused(sop, user.role)
    errors = _reason_errors(reason)
    if errors:
        raise FormInvalid("reopen", errors)
    ref = reference[:40].upper()
    # values: e.g. the risk level a case screened out before any assessment must be given
    return wf.reopen(ref, access.actor_for(user), reason.strip(), expected_version=expected,
                     values=values)


def correct(web: Web, user: User, reference: str, instance: str, state: str, reason: str,
            expected: int | None) -> dict:
    """Put step ``instance`` of case ``reference`` in ``state`` (the coordination; reason required;
    audited with before/after, deadlines re-armed, flow rules run): the API's ``correctCase`` (the
    case page and ``mno case correct`` call :func:`mno_workflow.engine.correct.correct_state` too).
    Returns its dict. Raises Forbidden, NotVisible, FormInvalid and the engine's errors."""
    from ..engine.correct import correct_state
    ref = reference[:40].upper()
    with web.wf.sessions() as s:
        access.require(user, "correct")
        access.require_case(user, repository.get_case(s, ref))
    errors = _reason_errors(reason)
    if errors:
        raise FormInvalid("correct", errors)
    return correct_state(web.wf, ref, instance, state, reason.strip(), access.actor_for(user),
                         expected_version=expected)


def reassign(
    web: Web,
    user: User,
    references: list[str],
    assignee: str,
    reason: str,
    expected: dict[str, int] | None = None,
) -> list[str]:
    """Give ``references`` to case manager ``assignee``: the checks of
    :mod:`~mno_workflow.engine.reassign_rules` in their order (the role, under each case's SOP;
    then the reason and the new case manager: active, of the case's SOP, of its region), all the
    form's errors at once. ``expected`` ({reference: version}) is checked before the engine call
    (StaleVersion)."""
    from ..engine import reassign_rules
    from ..engine.errors import StaleVersion

    access.require(user, "reassign")
    refs = list(dict.fromkeys(r[:40] for r in references if r))[:MAX_BULK]
    errors = dict(_reason_errors(reason))
    if not refs:
        errors["references"] = Message.t("Choisissez au moins un dossier.")
    with web.wf.sessions() as s:
        cases = []
        for ref in refs:
            cases.append(access.require_case(user, repository.get_case(s, ref)))
        sops = {c.reference: web.compiled_for(c).sop for c in cases}
        for sop in sops.values():  # a role that may not reassign is told so first (tryout 8, K3)
            reassign_rules.check_role(sop, user.role)
        target = s.get(User, assignee[:100]) if assignee.strip() else None
        if not assignee.strip():
            errors["assignee"] = REQUIRED
        elif problem := reassign_rules.assignee_problem(
                target, assignee.strip(), [(c.reference, sops[c.reference].sop, c.region) for c in cases]):
            errors["assignee"] = problem
        for c in cases:
            if expected and c.reference in expected and expected[c.reference] != c.version:
                raise StaleVersion(
                    Message.t(
                        "Ce dossier a été modifié depuis que vous l'avez ouvert (version {p1} → "
                        "{version}). Vos saisies sont conservées.",
                        p1=expected[c.reference], version=c.version),
                    current_version=c.version,
                    payload={"assignee": assignee, "reason": reason},
                )
    if errors:
        raise FormInvalid("reassign", errors)
    return web.wf.reassign(refs, assignee.strip(), access.actor_for(user), reason.strip())


def erase(web: Web, user: User, reference: str, reason: str, expected: int | None, *,
          confirmed: bool = True) -> int:
    """Erase the person's data of case ``reference`` at their request (roles of the SOP's
    ``retention.erase_by``; a closed case; reason required): the case page's « Effacer les données
    de la personne » and the API's ``eraseCase``, by the rule of ``mno case erase``
    (:mod:`mno_workflow.engine.erasure_rule`). Returns the number of values replaced. Raises
    NotVisible (404: not a case the user may open), RoleNotAllowed (403, the allowed roles named),
    CaseOpen (409, how to close said), FormInvalid (422: no reason; on the page, ``confirmed``
    False: the box not ticked) and the engine's errors."""
    from ..engine.erasure_rule import check_eraser, refuse_open
    from ..engine.retention import erase_case
    ref = reference[:40].upper()
    with web.wf.sessions() as s:
        access.require(user, "cases")
        case = access.require_case(user, repository.get_case(s, ref))
        sop = web.compiled_for(case).sop
        check_eraser(sop, user.role)
        refuse_open(sop, case)
    errors = dict(_reason_errors(reason))
    if not confirmed:
        errors["confirm"] = Message.t("Cochez la case pour confirmer l'effacement.")
    if errors:
        raise FormInvalid("erase", errors)
    return erase_case(web.wf, ref, access.actor_for(user), reason.strip(), expected_version=expected)
