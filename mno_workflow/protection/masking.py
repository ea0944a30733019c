"""Why a field of a referral is withheld from its provider: one rule for every field of the step's
data (its forms, the need or immediate need its item copies, the identification), whatever the SOP.

A field is shown to the provider when it is not personal (``classification: shareable``), or when
its SOP ``category`` is covered both by the consent in force (or the supervisor's override) and by
the organisation's data-sharing agreement in force (:func:`.provider.provider_view`). Otherwise it
is listed as masked with the reason (tryout 8, K1: an immediate referral's « Pourquoi cela ne peut
pas attendre » and incident date were dropped without a word): :data:`REASONS`.

Which withheld fields are named is decided by what the provider already sees, never by the hidden
values (tryout 9, L4: « Date et heure de l'incident : masqué » on a psychosocial referral told the
provider a GBV incident was on record): :func:`listed` — a withheld field is named whether or not
it holds a value, unless its ``relevant:`` condition, evaluated on the visible values only, is
false for this row (the incident date of a need that is not GBV care).
"""

from __future__ import annotations

from typing import Any

from ..i18n import N_, gettext
from ..sop.schema import Classification, FormField
from .provider import ANY_CATEGORY, ProviderView

#: reason code → French message id of « masqué (…) » (translated where shown)
REASONS: dict[str, str] = {
    "consent": N_("masqué (non couvert par le consentement)"),
    "override": N_("masqué (non couvert par la dérogation)"),
    "agreement": N_("masqué (non couvert par l'accord de partage de données)"),
    "uncategorised": N_("masqué (la POS ne donne pas de catégorie de données à ce champ)"),
}


def mask_reason(f: FormField, view: ProviderView | None) -> str | None:
    """The reason code (:data:`REASONS`) field ``f`` is withheld under ``view``, None when it is
    shown (``view`` None: a case role, who sees everything). A view that shows nothing personal
    masks every personal field with the consent's reason (its own message says why)."""
    if view is None or f.classification == Classification.shareable:
        return None
    if view.personal and ANY_CATEGORY in view.categories:
        return None  # an SOP without data_protection, its disclosure rule met (H1)
    if f.category is None:
        return "uncategorised"
    if view.personal and f.category in view.categories:
        return None
    if view.consent.status == "overridden" and f.category not in view.consented:
        return "override"
    if view.personal and f.category in view.consented and view.agreed is not None \
            and f.category not in view.agreed:
        return "agreement"
    return "consent"


def listed(f: FormField, visible: dict[str, Any]) -> bool:
    """Whether withheld field ``f`` is named to the provider (module doc): True without a
    ``relevant:`` condition, or when the condition is true — or cannot be told — on ``visible``
    (a CEL context of the values the provider sees: ``{"item": {...}, "form_id": {...}}``)."""
    if not f.relevant:
        return True
    from ..sop.expr import ExprError, compile_expr
    try:
        return compile_expr(f.relevant).evaluate(visible) is True
    except ExprError:
        return True  # it reads what the provider does not see: named, as without condition


def reason_text(code: str, lang: str | None = None) -> str:
    """« masqué (non couvert par le consentement) » for ``code`` in ``lang``."""
    return gettext(REASONS.get(code, REASONS["consent"]), lang)
