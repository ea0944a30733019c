"""The case page's « Effacer les données de la personne » (tryout 9, L6): offered to the roles of
the SOP's ``retention.erase_by`` who may open the case, with what the erasure replaces named
before anyone confirms, or — the case still open — the way to close it first
(:mod:`mno_workflow.engine.erasure_rule`)."""

from __future__ import annotations

from typing import Any

from ..engine.erasure_rule import may_erase, open_refusal
from ..engine.retention import personal_spec
from ..engine.retention_text import free_text_spec, merged
from ..i18n import gettext
from ..sop.schema import SOP
from ..store.models import Case, User
from . import access


def erase_ctx(sop: SOP, case: Case, user: User, lang: str) -> dict[str, Any] | None:
    """``{"refusal": why not now (open case) or "", "what": [« Identification : Prénoms, Nom, … »],
    "erased": already erased}`` for a user who may erase the case's data; None for anyone else."""
    if not may_erase(sop, user.role) or not access.can_view_case(user, case):
        return None
    if case.status == "open":
        return {"refusal": open_refusal(sop, case).text(lang), "what": [], "erased": False}
    return {"refusal": "", "what": erased_fields(sop, case, lang), "erased": case.purged_at is not None}


def erased_fields(sop: SOP, case: Case, lang: str) -> list[str]:
    """The forms of ``case`` whose values an erasure replaces, each with its fields' labels
    (personal, sensitive and free-text fields: :func:`mno_workflow.engine.retention.purge_case`),
    then the rest it takes in words (names, notes, reasons, attachments)."""
    held = set((case.data or {}).keys())
    for inst in case.instances:
        held |= set((inst.data or {}).keys())
    out = []
    for form_id, fields in merged(personal_spec(sop), free_text_spec(sop)).items():
        form = sop.forms.get(form_id)
        if form is None or form_id not in held:
            continue
        labels = [sop.label(f.label, lang) or f.id for f in form.fields if f.id in fields]
        out.append(gettext("{form} : {fields}", lang, form=sop.label(form.title, lang) or form_id,
                           fields=", ".join(labels)))
    out.append(gettext("le nom affiché du dossier, les notes et pièces jointes des référencements, les "
                       "motifs saisis (prolongations, suspensions, réattributions, réouvertures) et les "
                       "mêmes valeurs dans le journal d'audit", lang))
    return out
