"""The referral form's directory service field (the step's ``service:``, ``referral.service_id``
in the Burkina Faso SOP) as a choice of the directory's services by name — those the matching
proposes for the referral's need and the case's region first, then every other service open to
referrals — so nobody types an identifier. The submitted value is still the service id: the API
and the engine are unchanged, and a value already given (from the API, a former SOP) stays
selectable."""

from __future__ import annotations

from sqlalchemy import select

from .. import directory
from ..directory.matching import EXCLUDED_STATUSES, services_for_need
from ..directory.names_lang import in_lang
from ..directory.tables import TABLES
from ..i18n import gettext
from ..store.models import Case, StepInstance
from .forms import FieldView
from .presenters import case_sop


def service_field(s, views: list[FieldView], field_id: str, case: Case, inst: StepInstance,
                  lang: str, provider: str | None = None, sop=None) -> None:
    """Turn the text field ``field_id`` of ``views`` into a select of services (``id`` →
    « Service — Organisation »), matched services first. ``provider``: the id of the provider
    field of the same form — the browser then offers only the chosen provider's services
    (``pair_with``, app.js; tryout 2, finding 2); the engine still refuses another's service.
    ``sop``: the case's SOP, whose country marks the services of organisations abroad."""
    view = next((v for v in views if v.name == field_id), None)
    if view is None:
        return
    need = (inst.item or {}).get("need")
    matched: list[tuple[str, str]] = []
    owners: dict[str, str] = {}  # service id → its organisation's id
    if need and case.region:
        try:
            for c in directory.match(s, str(need), case.region, limit=8,  # its SOP's regions (K6)
                                     sop=sop if sop is not None else case_sop(case)):
                matched.append((c.service_id,
                                f"{in_lang(c.service_name, lang)} — {in_lang(c.organization_name, lang)}"))
                owners[c.service_id] = c.organization_id
        except directory.MatchError:
            matched = []
    svc, org = TABLES["service"], TABLES["organization"]
    seen = {code for code, _ in matched}
    # names in the reader's language (the directory's translations), as the other pages
    others = []
    for sid, name, oid, oname in s.execute(
            select(svc.c.id, svc.c.name, org.c.id, org.c.name).join(org, org.c.id == svc.c.organization_id)
            .where(svc.c.status.not_in(EXCLUDED_STATUSES)).order_by(org.c.name, svc.c.name)):
        owners[sid] = oid
        if sid not in seen:
            others.append((sid, f"{in_lang(name, lang)} — {in_lang(oname, lang)}"))
    chooser = next((v for v in views if v.name == provider), None) if provider else None
    if chooser is not None:
        view.pair_with, view.allowed = chooser.name, owners
    current = view.text
    if current and current not in seen and all(code != current for code, _ in others):
        others.insert(0, (current, current))
    view.type = "provider"  # the same select as the recipient: proposed first, then the others
    view.options = matched
    offering = services_for_need(s, str(need)) if need else None
    if offering is None:  # no need to compare with: one group
        view.groups = [(gettext("Autres services", lang), others)] if others else []
    else:  # the services the directory does not link to this need, in a group that says so (issue 21)
        same = [o for o in others if o[0] in offering]
        unrelated = [o for o in others if o[0] not in offering]
        view.groups = [g for g in ((gettext("Autres services pour ce besoin", lang), same),
                                   (gettext("Services qui ne proposent pas ce besoin (annuaire)", lang),
                                    unrelated)) if g[1]]
    if sop is not None:  # an organisation abroad: marked as on the recipient's select (tryout 6, I4)
        from .presenters import mark_abroad
        mark_abroad(s, sop, view, owners, lang)

