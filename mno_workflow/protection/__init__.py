"""Data protection in one place: the consent in force and the one answer to "may this be disclosed?".

Every path that discloses personal data (referral ``send``/``re_refer`` in the engine, provider
pages, provider API, exports, error pages) asks :func:`may_disclose` with the
:func:`consent_in_force` of the case. Law 001-2021/AN (Burkina Faso); IOM Data Protection
Principles.
"""

from .agreements import AgreementStatus, agreement_in_force
from .consent import ConsentInForce, allows_statistics, consent_in_force
from .disclosure import Decision, may_disclose, recipient_kinds_for
from .fields import field_categories, field_category
from .provider import ProviderView, provider_view

__all__ = [
    "AgreementStatus",
    "ConsentInForce",
    "Decision",
    "ProviderView",
    "agreement_in_force",
    "allows_statistics",
    "consent_in_force",
    "field_categories",
    "field_category",
    "may_disclose",
    "provider_view",
    "recipient_kinds_for",
]
