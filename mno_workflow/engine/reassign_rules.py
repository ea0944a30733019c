"""Who may reassign a case and to whom: the one rule the engine, the pages, the API and the
command line apply, in this order (tryout 8, K3) — first the acting role (:func:`may_reassign`:
a role of the case's SOP that sees every case and fires some of its transitions), then the SOP of
the new case manager, then their region (:func:`region_fits`) — and the rule the candidate lists
offer by (:func:`fits`).

The region rule (tryout 8, K2): a case with a region goes to an active case manager of that region
only — a case manager without region (an account made before a second SOP was loaded, « toutes
les POS ») is not « of the region » of a Maritime or Kadiogo case; a case without region goes to
any active case manager of its SOP.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import FormInvalid, Message, RoleNotAllowed, role_label


def may_reassign(sop: Any, role: str) -> bool:
    """Whether ``role`` may reassign the cases of ``sop``: a role of the SOP that sees every case
    (``scope: all``) and fires some transition of it (supervisors, and coordinators where the SOP
    gives them a transition)."""
    found = sop.roles.get(role)
    return (found is not None and found.scope == "all"
            and any(role in t.by for st in sop.steps.values() for t in st.transitions))


def check_role(sop: Any, role: str) -> None:
    """:func:`may_reassign`, else RoleNotAllowed in words."""
    if not may_reassign(sop, role):
        raise RoleNotAllowed(Message.t("Le rôle « {role} » ne peut pas réattribuer des dossiers.",
                                       role=role_label(sop, role)))


def region_fits(case_region: str | None, manager_region: str | None) -> bool:
    """A case with a region to a case manager of that region only (one without region is not of
    it); a case without region to any."""
    return not case_region or case_region == manager_region


def sop_fits(case_sop: str | None, manager_sop: str | None) -> bool:
    """A case manager tied to one SOP (``users.sop_id``) takes that SOP's cases only; one without
    SOP every SOP's (tryout 5, H24)."""
    return not manager_sop or manager_sop == case_sop


def fits(manager: Any, case_sop: str | None, case_region: str | None) -> bool:
    """Whether the (active case manager) user ``manager`` may be given a case of ``case_sop`` and
    ``case_region``: the candidate lists offer those only."""
    return sop_fits(case_sop, manager.sop_id) and region_fits(case_region, manager.region)


def assignee_problem(target: Any, assignee: str, cases: Iterable[tuple[str, str | None, str | None]]
                     ) -> Message | None:
    """Why ``assignee`` (its user row ``target``, None when unknown) cannot be given the ``cases``
    (``(reference, SOP id, region)`` each), or None: not an active case manager, then of another
    SOP (the first such case), then not of their region (every such case named)."""
    if target is None or target.role != "caseworker" or not target.active:
        return Message.t("« {assignee} » n'est pas un gestionnaire de cas actif.", assignee=assignee)
    cases = list(cases)
    name = target.display_name or target.id
    for reference, sop_id, _region in cases:
        if not sop_fits(sop_id, target.sop_id):
            return Message.t("{name} travaille sur une autre POS : {reference} ne peut pas lui être "
                             "attribué.", name=name, reference=reference)
    other = [ref for ref, _sop, region in cases if not region_fits(region, target.region)]
    if not other:
        return None
    if not target.region:
        return Message.n("{name} n'a pas de région : le dossier {references} relève d'une région et "
                         "ne peut être attribué qu'à un gestionnaire de cas de cette région.",
                         "{name} n'a pas de région : les dossiers {references} relèvent d'une région "
                         "et ne peuvent être attribués qu'à un gestionnaire de cas de leur région.",
                         len(other), name=name, references=", ".join(other))
    return Message.t("{display_name} n'est pas de la région de : {p2}.", display_name=name,
                     p2=", ".join(other))


def check(sop_of: dict[str, Any], role: str, target: Any, assignee: str, reason: str,
          cases: Iterable[tuple[str, str | None, str | None]]) -> None:
    """The whole check in its order: the role under the SOP of every case (``sop_of``: reference →
    SOP model; RoleNotAllowed), then the reason and the new case manager together (FormInvalid,
    per field: required, :func:`assignee_problem`)."""
    for sop in sop_of.values():
        check_role(sop, role)
    errors: dict[str, Message] = {}
    required = Message.t("Ce champ est obligatoire.")
    if not reason.strip():
        errors["reason"] = required
    if not assignee.strip():
        errors["assignee"] = required
    elif problem := assignee_problem(target, assignee.strip(), cases):
        errors["assignee"] = problem
    if errors:
        raise FormInvalid("reassign", errors)
