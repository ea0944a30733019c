"""What ``mno case show`` and ``mno case list`` give a provider focal point (``--as
USER:provider``): only the referrals addressed to its organisation, once sent, each as the API's
inbox gives it (:func:`mno_workflow.web.api_referrals._referral_dict` under the consent in force,
:func:`mno_workflow.web.access.provider_view`) — the same rule as the web and the API, in words or
JSON. A case with no such referral is out of its reach, as the web answers 404 (tryout 5, G8)."""

from __future__ import annotations

import json
from typing import Any

import typer

from .commands.common import _, error_line, fail, state
from .i18n import colon


def _visible(session: Any, sop: Any, case: Any, user: Any, now: Any) -> list[tuple[Any, dict[str, Any]]]:
    """``[(instance, referral as the API gives it)]`` for the referrals of ``case`` ``user`` may
    see; the reads of personal data are logged, as the API logs them."""
    from .web import access
    from .web.api_referrals import _referral_dict
    from .web.queries import log_view
    out = []
    for inst in case.instances:
        if not access.can_view_referral(user, sop, case, inst):
            continue
        view = access.provider_view(session, sop, case, inst, now)
        forms = access.readable_forms(session, user, sop, case, inst)
        out.append((inst, _referral_dict(sop, case, inst, view, forms)))
        if view.personal:
            log_view(session, user, case, "cli", now, inst.label_key)
    return out


def _title(sop: Any, case: Any, inst: Any) -> str:
    """« MNR-BF-000001 — Référencement — Logement : Envoyé » (the SOP's labels, never ids)."""
    from .views import _need
    lang = state["lang"]
    st = sop.steps[inst.step]
    label = sop.label(st.states[inst.state].label, lang) if inst.state in st.states else inst.state
    return f"{case.reference} — {sop.label(st.label, lang)}{_need(sop, inst.key, lang)}{colon(lang)}{label}"


def show_referrals(session: Any, sop: Any, case: Any, user: Any, fmt: str, now: Any) -> None:
    """Print the referrals of ``case`` addressed to ``user``'s organisation (JSON: the API's items);
    exit 1 « hors de votre portée » when there is none, as the web answers 404."""
    from .engine.errors import Message
    shown = _visible(session, sop, case, user, now)
    if not shown:
        why = Message.t("aucun référencement adressé à votre organisation").text(state["lang"])
        fail(error_line(_("{reference} : dossier hors de votre portée ({why}).", reference=case.reference,
                          why=why), "case_out_of_scope"))
    if fmt == "json":
        typer.echo(json.dumps([d for _i, d in shown], ensure_ascii=False, indent=2, default=str))
        return
    lang = state["lang"]
    from .directory.names_lang import names_in
    from .views import names_for
    from .web import access
    names = names_for(session, case, [])  # organisations and services by name, never their keys
    words = {**names_in(names.services, lang), **names_in(names.orgs, lang)}
    for inst, d in shown:
        typer.echo(_title(sop, case, inst))
        if "withheld" in d:  # nothing personal under the consent in force: why, in words
            typer.echo("  " + (d["withheld"].get(lang) or d["withheld"]["fr"]))
            continue
        if d.get("name"):
            typer.echo(f"  {_('Nom')}{colon(lang)}{d['name']}")
        for line in _item_lines(sop, inst, d.get("item") or {}):  # the need, or the immediate need (K1)
            typer.echo("  " + line)
        person = [(fid, d.get("identification") or {}) for fid in access.person_forms(sop)]  # M6
        for form_id, data in [*person, *d["data"].items()]:
            for line in _form_lines(sop, form_id, data, words):
                typer.echo("  " + line)
        for m in d.get("masked") or []:  # every field withheld, with why (tryout 8, K1)
            typer.echo("  " + (m.get(lang) or m["fr"]))


def _item_lines(sop: Any, inst: Any, item: dict[str, Any]) -> list[str]:
    """« Champ : valeur » for each value of the referral's item as the provider may see it (the
    need row, or the form a ``spawn:`` copied), by its own form's definition."""
    from .engine.item_source import item_fields
    from .web.forms import display_value
    lang = state["lang"]
    return [f"{sop.label(f.label, lang)}{colon(lang)}{display_value(sop, f, item[f.id], lang)}"
            for f in item_fields(sop, inst.step, inst.item or {}) if item.get(f.id) not in (None, "", [])]


def _form_lines(sop: Any, form_id: str, data: dict[str, Any], names: dict[str, str]) -> list[str]:
    """« Formulaire — Champ : valeur » for each field of ``data`` the SOP's form has (labels and
    values in words, :func:`mno_workflow.web.forms.display_value`; an organisation or a service of
    the directory by its name, ``names``)."""
    from .web.forms import display_value
    lang = state["lang"]
    form = sop.forms.get(form_id)
    if form is None or not isinstance(data, dict):
        return []
    fields = {f.id: f for f in form.fields}
    title = sop.label(form.title, lang)
    return [f"{title} — {sop.label(fields[k].label, lang)}{colon(lang)}"
            f"{names[v] if isinstance(v, str) and v in names else display_value(sop, fields[k], v, lang)}"
            for k, v in data.items() if k in fields and v not in (None, "", [])]


def list_referrals(session: Any, engine: Any, cases: list[Any], user: Any, fmt: str) -> None:
    """Print one row per referral of ``cases`` addressed to ``user``'s organisation: reference,
    referral and state in words, the person's name when the consent covers it (JSON: the API's
    inbox items). « Aucun dossier. » on stderr when there is none."""
    now = engine.clock.now()
    rows = [(case, inst, d) for case in cases
            for inst, d in _visible(session, engine.registry.for_case(case).sop, case, user, now)]
    if fmt == "json":
        typer.echo(json.dumps([d for _c, _i, d in rows], ensure_ascii=False, indent=2, default=str))
        return
    if not rows:
        typer.echo(_("Aucun dossier."), err=True)
        return
    typer.echo("\t".join([_("Référence"), _("Référencement"), _("Nom")]))
    for case, inst, d in rows:
        title = _title(engine.registry.for_case(case).sop, case, inst).removeprefix(f"{case.reference} — ")
        typer.echo("\t".join([case.reference, title, d.get("name") or _("non partagé (consentement)")]))


def check_reach(engine: Any, who: Any, reference: str, instance: str | None, sop: Any) -> None:
    """Before ``mno case fire`` by a provider focal point: a referral addressed to another
    organisation (or none) is « introuvable » for it, as the web and the API answer (404), not the
    engine's list of actions of other referrals (tryout 5, G18). Exit 1."""
    if who.role != "provider" or who.user == "system":
        return
    from .store import repository
    from .store.models import User
    from .web.access import referrals_in_reach
    with engine.sessions() as s:
        case, user = repository.get_case(s, reference), s.get(User, who.user)
        if case is None or user is None or referrals_in_reach(user, sop, case, instance):
            return
    lang = state["lang"]
    if instance:
        step_id, _sep, key = instance.rpartition(":")
        step = sop.steps.get(step_id) or next((st for st in sop.steps.values() if st.recipient), None)
        need = sop.options.get("need", {}).get(key)
        words = ((sop.label(step.label, lang) + " — " if step else "")
                 + (sop.label(need, lang) if need else key))
        fail(error_line(_("{reference} : référencement « {referral} » introuvable pour votre organisation.",
                          reference=reference, referral=words), "not_found"))
    fail(error_line(_("{reference} : aucun référencement adressé à votre organisation.", reference=reference),
                    "not_found"))
