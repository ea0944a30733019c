"""The plan a supervisor approves, in view on the approval screen: per need of the assessment its
dimension, whether a referral is asked for, and the providers the directory proposes for the
case's region (the same matching the referral form uses), with the risk level that sets the
priority. Shown to case roles only (a provider never sees the approval screen).

Source: issue 18 (« plan approval has no comment field and the supervisor approves without the
plan in view »); :func:`mno_workflow.directory.match`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .. import directory
from ..sop.schema import SOP, FieldType
from ..sop.schema_steps import ForEach, Transition
from ..store.models import Case
from .i18n import t

PROPOSED = 3  # providers named per need


def plan_forms(sop: SOP, step_id: str, tr: Transition) -> set[str]:
    """The form ids whose repeat rows ``tr`` (of step ``step_id``) turns into instances of a
    ``for_each`` step — the plan this transition decides: the form of its ``spawn`` (e.g.
    ``approve_revision`` → ``plan_revision``), and the form a ``for_each`` step started by a flow
    rule after ``tr``'s target state reads (``approve_plan`` → ``needs_assessment.approved`` →
    ``referral`` for each ``needs_assessment.needs``). Empty for any other transition (« Terminer
    le suivi » decides no plan, so the data in view keeps its form's own title)."""
    forms: set[str] = set()
    if tr.spawn is not None:
        forms.add(tr.spawn.source.split(".")[0])
    if tr.dest is not None:
        for rule in sop.flow:
            started = sop.steps.get(rule.start) if rule.start else None
            if rule.after == f"{step_id}.{tr.dest}" and started is not None \
                    and isinstance(started.instances, ForEach):
                forms.add(started.instances.for_each.split(".")[0])
    return forms


def plan_block(s: Session, sop: SOP, case: Case, form_id: str, lang: str) -> dict[str, Any] | None:
    """The data block of ``form_id`` (as :func:`.presenters.form_block`: ``title``, ``rows``,
    ``tables``, ``hidden``) titled « Plan proposé », whose repeat group with a ``need`` column
    gains a column of proposed providers (organisation names, best first; « aucun » when the
    directory has none; « — » for a need without referral). None when the case has no such data."""
    from .presenters import form_block

    form = sop.forms.get(form_id)
    data = (case.data or {}).get(form_id)
    if form is None or not isinstance(data, dict):
        return None
    group = next((f for f in form.fields if f.type == FieldType.repeat
                  and any(sf.id == "need" for sf in f.fields or [])), None)
    if group is None or not isinstance(data.get(group.id), list):
        return None
    block = form_block(sop, form_id, data, lang, None)
    label = sop.label(group.label, lang)
    table = next((tb for tb in block["tables"] if tb["label"] == label), None)
    if table is None:
        return None
    table["head"] = [*table["head"], t("proposed_providers", lang)]
    rows = [r for r in data[group.id] if isinstance(r, dict)]
    for cells, row in zip(table["body"], rows, strict=False):
        cells.append(_proposed(s, sop, case, row, lang))
    block["title"] = t("plan_in_view", lang) + " — " + block["title"]
    return block


def _proposed(s: Session, sop: SOP, case: Case, row: dict[str, Any], lang: str) -> str:
    """The organisations proposed for the row's need, an organisation established outside the
    SOP's country only marked « (à l'étranger : Mali) » as on the send form (tryout 6, I4)."""
    if row.get("referral_needed") is False or not row.get("need") or not case.region:
        return "—"
    from ..directory.need_check import abroad, abroad_mark
    names: dict[str, str] = {}  # organisation id → name, best first
    try:
        for c in directory.match(s, str(row["need"]), case.region, limit=8, sop=sop):  # its regions (K6)
            if c.organization_name not in names.values():
                names[c.organization_id] = c.organization_name
    except directory.MatchError:
        names = {}
    shown = dict(list(names.items())[:PROPOSED])
    away = abroad(s, sop, shown)
    return ", ".join(f"{n} ({abroad_mark(away[o], lang)})" if o in away else n for o, n in shown.items()) \
        or t("no_provider_found", lang)
