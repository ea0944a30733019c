"""The SOP's ``data_protection:`` section: where the consent record lives and what its answers cover.

Read by :mod:`mno_workflow.protection` (the one answer to "may this be disclosed?"), by the
engine (``send`` / ``re_refer`` refused when the consent in force does not cover the recipient
organisation's type, or no sharing agreement is in force), by the provider pages and API, and by
the outbox (stale messages). Law 001-2021/AN; IOM Data Protection Principles.
"""

from __future__ import annotations

from pydantic import Field

from .schema_base import Duration, Ident, Strict

#: Organisation types of the service directory (``organization.organization_type``), the
#: vocabulary ``recipient_kinds`` maps consent answers onto.
ORGANIZATION_TYPES = ("government", "un_agency", "ngo", "health_facility", "private", "community")

OrgType = Ident


class DataProtection(Strict):
    """How consent is read and what it covers.

    ``consent_step``: the step whose state is the consent's status (``given``, ``withdrawn``,
    ``overridden``, ``refused``; anything else means no consent yet). ``consent_form``: the form
    holding the consent's scope, with the fields ``data_categories``, ``share_with``, ``purposes``
    and ``expires_on`` (a date, last day of validity in the SOP's time zone). ``recipient_kinds``:
    for each code of the ``share_with`` option list, the directory organisation types it covers
    (government, un_agency, ngo, health_facility, private, community); when given, a referral to
    an organisation whose type no chosen kind covers is refused. ``referral_purpose``: the purpose
    a referral needs (a code of the ``purposes`` list). ``statistics_purpose``: the purpose without
    which a case is left out of pseudonymised row exports (counted in aggregates only).
    ``withhold_in_states``: referral states in which the recipient organisation no longer sees
    personal data (e.g. ``declined``). ``provider_access_after_closure``: how long after a case is
    closed its referrals' recipients still see personal data (default ``30 days``).
    ``outbox_stale_after``: queued messages older than this are dropped as stale, not sent
    (default ``7 days``). ``require_sharing_agreement``: true refuses a referral to an organisation
    without a data-sharing agreement in force; false only warns. A provider sees only the data
    categories both the consent (or the override) and its organisation's agreement in force cover.
    ``override_form``: the form of a supervisor's override; its ``data_categories`` field (when it
    has one) lists what the override discloses, the minimum the referral needs, and its
    ``share_with`` field (when it has one: the consent form's codes, mapped by ``recipient_kinds``)
    the kinds of recipient it covers; an override recorded without ``share_with`` covers every
    recipient (BF SOP 2026.8; tryout 7, J4).
    ``override_categories``: what an override without that field (or recorded before it) discloses;
    left out, such an override discloses every category (IOM data protection principles: a
    transfer without consent is limited to what its purpose needs; tryout 5, H27).
    """

    consent_step: Ident = "consent"
    consent_form: Ident = "consent"
    recipient_kinds: dict[Ident, list[OrgType]] = {}
    referral_purpose: Ident = "referral"
    statistics_purpose: Ident | None = "statistics"
    withhold_in_states: list[Ident] = []
    provider_access_after_closure: Duration = Field(
        default_factory=lambda: Duration.model_validate("30 days"))
    outbox_stale_after: Duration = Field(default_factory=lambda: Duration.model_validate("7 days"))
    require_sharing_agreement: bool = False
    override_form: Ident = "consent_override"
    override_categories: list[Ident] | None = None
