"""Who may see and do what in the web pages and the REST API: one package, used by both (and by
the reminders, the outbox and the CLI), the single place for access rules. Its modules have one
job each — :mod:`.roles` (roles and permissions), :mod:`.region` (the region rule, the cases a
user may open), :mod:`.provider` (what a provider sees of a referral), :mod:`.actions` (what a
user may do on a case), :mod:`.files` (attachments and referral notes) — and every public name
is importable from here (``from mno_workflow.web import access``; ``access.can_view_case``).

Roles (``users.role``): the SOP's roles (``caseworker``, ``supervisor``, ``provider``,
``coordinator``) plus two roles of the interface only: ``trainer`` and ``me_officer``.

- caseworker: the cases assigned to them; creates cases.
- supervisor: the cases of their region (every case when they have no region). A case without
  region is seen by the supervisors without region and the coordinators only: the region rule,
  :func:`region_admits`, which every path that chooses who is told follows too (outbox
  receivers, digests, escalations, « Mon travail »).
- coordinator: every case.

Every case role is also held to the SOP rule, :func:`sop_admits` (tryout 5, H24): an account
whose ``users.sop_id`` is set works in that SOP only — its case lists and pages, API, ``--as``,
« Mon travail », escalations, notifications and alert routing never show or send it another
SOP's case; without ``sop_id``, every SOP (a single-SOP database, accounts before revision 0040).
- provider: no case page; only the referral instances addressed to their organisation, once sent,
  and only the fields the consent in force covers (see "Consent → fields" below).
- trainer: SOP pages and directory (public form: no staff contacts); no case.
- me_officer: dashboard and pseudonymised export only; no case page, never a name; the directory
  in its public form. Its row export cannot undo the small-cell suppression
  (:mod:`mno_workflow.indicators.row_protect`: dates to the month, needs masked, k-anonymous).
- sop_author: the SOP workbench, SOP pages and the directory in its public form.
- first_responder (SOP ``scope: reporter``): files alerts and sees their status ("Mes
  signalements": received, taken up, closed, with dates); no case page, no directory, no SOP
  documents (they print the directory's contacts and case figures), no dashboard
  (:mod:`mno_workflow.engine.alerts`).

The engine still checks the SOP's own rules (roles per transition, ``assigned`` and ``recipient``
scopes, guards) when a trigger is fired; this package decides what is *shown* and refuses early.

Consent → fields. What a provider sees is decided by :mod:`mno_workflow.protection`: the consent
in force (given, not expired, not withdrawn; or overridden) must cover the provider
organisation's directory type for the referral purpose, the referral must not be in one of the
SOP's ``withhold_in_states`` (declined) and the case must be open or closed for less than
``provider_access_after_closure``. Then the consent's ``data_categories`` decide which personal
or sensitive fields are shown: each field's ``category:`` in the SOP. Fields classified
``shareable`` are always visible; a personal or sensitive field without category is never shown
to a provider (default deny). Otherwise the provider sees the reference and the state only, and
has no action.
"""

from __future__ import annotations

from .actions import (
    actions_for,
    can_correct,
    can_extend,
    can_reassign,
    can_reopen,
    may_reopen,
    reassign_targets,
)
from .files import (
    can_add_attachment,
    can_see_attachments,
    can_use_notes,
    readable_notes,
    recipient_may_read,
)
from .provider import (
    can_view_referral,
    consent_categories,
    field_visible,
    filter_form_data,
    filter_item,
    hidden_paths,
    masked_fields,
    name_visible,
    person_data,
    person_forms,
    provider_view,
    readable_forms,
    referral_clause,
    referral_sender,
    referrals_in_reach,
    referrer,
    visible_timeline,
)
from .region import (
    account_admits,
    can_view_case,
    case_clause,
    message_clause,
    region_admits,
    region_admits_clause,
    require_case,
    sop_admits,
    sop_admits_clause,
)
from .roles import (
    CASE_ROLES,
    HOME,
    PERMISSIONS,
    ROLES,
    Forbidden,
    NotVisible,
    actor_for,
    can,
    require,
)

__all__ = [
    "CASE_ROLES", "HOME", "PERMISSIONS", "ROLES", "Forbidden", "NotVisible", "actions_for",
    "actor_for", "can", "can_add_attachment", "can_correct", "can_extend", "can_reassign",
    "can_reopen", "can_see_attachments", "can_use_notes", "can_view_case", "can_view_referral",
    "case_clause", "consent_categories", "field_visible", "filter_form_data", "filter_item", "hidden_paths",
    "masked_fields",
    "may_reopen", "message_clause", "name_visible", "person_data", "person_forms", "provider_view",
    "reassign_targets",
    "recipient_may_read", "referral_clause", "referral_sender", "referrals_in_reach", "referrer",
    "account_admits", "region_admits", "region_admits_clause", "sop_admits", "sop_admits_clause",
    "readable_forms", "readable_notes", "require", "require_case", "visible_timeline",
]
