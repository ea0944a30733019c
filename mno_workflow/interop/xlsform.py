"""XLSForm (``survey``, ``choices``, ``settings`` sheets) of an SOP form, for offline collection in
KoboToolbox / ODK Collect; ``mno intake kobo`` reads the submissions back.

Labels are French then English (``label::Français (fr)``, ``label::English (en)``, same for
``hint`` and ``constraint_message``). Types: text → ``text``, integer → ``integer``, number →
``decimal``, date → ``date``, datetime → ``dateTime``, boolean → ``select_one yes_no`` (choices
``true``/``false``), choice → ``select_one <list>``, multi → ``select_multiple <list>`` (the SOP's
option lists), phone → ``text`` with a ``regex`` constraint, repeat → ``begin_repeat``/``end_repeat``.
``required`` → ``yes``; ``relevant`` is translated from CEL (:mod:`cel_xpath`); limits become
``constraint``s (``min``/``max``, ``max_length``, ``not_future``, ``not_before`` within the form).
What cannot be expressed raises :class:`XLSFormError` (French / English, naming form and field);
limits XLSForm cannot hold (a ``not_before`` on another form's field, ``min_items``/``max_items``)
are returned as warnings for the caller to print — the engine still checks them at intake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from mno_workflow.i18n import gettext
from mno_workflow.interop.cel_xpath import Scope, Untranslatable, translate
from mno_workflow.sop.schema import SOP, FormField

FR, EN = "Français (fr)", "English (en)"
PHONE_REGEX = r"^\+?[0-9][0-9 ]{5,19}$"
SURVEY_COLUMNS = [
    "type", "name", f"label::{FR}", f"label::{EN}", f"hint::{FR}", f"hint::{EN}", "required",
    "relevant", "constraint", f"constraint_message::{FR}", f"constraint_message::{EN}",
]
BOOLEAN_LIST = "yes_no"


class XLSFormError(ValueError):
    """The form cannot be written as XLSForm; the message names the form and field (fr / en)."""


@dataclass
class XLSForm:
    """The three sheets as lists of row dicts, and warnings (limits left to the engine)."""

    form_id: str
    survey: list[dict[str, Any]] = field(default_factory=list)
    choices: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def save(self, path: Path | str) -> Path:
        """Write the workbook (``survey``, ``choices``, ``settings``) to ``path``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        book = Workbook()
        survey = book.active
        survey.title = "survey"
        survey.append(SURVEY_COLUMNS)
        for row in self.survey:
            survey.append([row.get(c) for c in SURVEY_COLUMNS])
        choices = book.create_sheet("choices")
        cols = ["list_name", "name", f"label::{FR}", f"label::{EN}"]
        choices.append(cols)
        for row in self.choices:
            choices.append([row.get(c) for c in cols])
        settings = book.create_sheet("settings")
        settings.append(list(self.settings))
        settings.append(list(self.settings.values()))
        book.save(path)
        return path


def _labels(prefix: str, label: dict[str, str] | None) -> dict[str, str]:
    if not label:
        return {}
    fr = label.get("fr") or next(iter(label.values()))
    return {f"{prefix}::{FR}": fr, f"{prefix}::{EN}": label.get("en") or fr}


def _types(fields: list[FormField]) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in fields:
        out[f.id] = str(f.type)
        if f.fields:
            out.update(_types(f.fields))
    return out


def _constraint(form_id: str, f: FormField, names: set[str], warnings: list[str],
                example: str) -> tuple[str, dict, dict]:
    parts: list[str] = []
    fr: list[str] = []
    en: list[str] = []
    if f.min is not None:
        parts.append(f". >= {f.min:g}")
        fr.append(f"au moins {f.min:g}")
        en.append(f"at least {f.min:g}")
    if f.max is not None:
        parts.append(f". <= {f.max:g}")
        fr.append(f"au plus {f.max:g}")
        en.append(f"at most {f.max:g}")
    if f.max_length is not None:
        parts.append(f"string-length(.) <= {f.max_length}")
        fr.append(f"{f.max_length} caractères au plus")
        en.append(f"{f.max_length} characters at most")
    if f.type == "phone":
        parts.append(f"regex(., '{PHONE_REGEX}')")
        fr.append(f"numéro de téléphone, ex. {example}")  # the SOP's country's, not always +226
        en.append(f"phone number, e.g. {example}")
    if f.not_future:
        parts.append(". <= today()" if f.type == "date" else ". <= now()")
        fr.append("pas dans le futur")
        en.append("not in the future")
    if f.not_before:
        other_form, other = f.not_before.split(".")
        if other_form == form_id and other in names:
            parts.append(f". >= ${{{other}}}")
            fr.append(f"pas avant {other}")
            en.append(f"not before {other}")
        else:
            warnings.append(
                gettext("{field} : « pas avant {other} » (autre formulaire) vérifié à l'import, pas dans le "
                        "formulaire", field=f"{form_id}.{f.id}", other=f.not_before)
            )
    if not parts:
        return "", {}, {}
    return (
        " and ".join(parts),
        {f"constraint_message::{FR}": " ; ".join(fr).capitalize()},
        {f"constraint_message::{EN}": "; ".join(en).capitalize()},
    )


def _rows(form_id: str, fields: list[FormField], scope: Scope, warnings: list[str],
          example: str) -> list[dict]:
    rows: list[dict[str, Any]] = []
    names = set(scope.types)
    for f in fields:
        row: dict[str, Any] = {"name": f.id, **_labels("label", f.label), **_labels("hint", f.help)}
        if f.relevant:
            try:
                row["relevant"] = translate(f.relevant, scope)
            except Untranslatable as exc:
                raise XLSFormError(
                    gettext("{field} : condition relevant « {condition} » intraduisible en XLSForm : {error}",
                            field=f"{form_id}.{f.id}", condition=f.relevant, error=exc)
                ) from None
        if f.type == "repeat":
            rows.append({**row, "type": "begin_repeat"})
            rows.extend(_rows(form_id, f.fields or [], scope, warnings, example))
            rows.append({"type": "end_repeat", "name": f.id})
            if f.min_items or f.max_items:
                warnings.append(
                    gettext("{field} : nombre d'éléments ({min}–{max}) vérifié à l'import",
                            field=f"{form_id}.{f.id}",
                            min=f.min_items or 0, max=f.max_items or "∞")
                )
            continue
        kind = {
            "text": "text", "phone": "text", "integer": "integer", "number": "decimal", "date": "date",
            "datetime": "dateTime", "boolean": f"select_one {BOOLEAN_LIST}",
            "choice": f"select_one {f.options}", "multi": f"select_multiple {f.options}",
        }.get(str(f.type))
        if kind is None:
            raise XLSFormError(gettext("{field} : type {type} sans équivalent XLSForm",
                                       field=f"{form_id}.{f.id}",
                                       type=f.type))
        row["type"] = kind
        if f.required:
            row["required"] = "yes"
        constraint, msg_fr, msg_en = _constraint(form_id, f, names, warnings, example)
        if constraint:
            row.update({"constraint": constraint, **msg_fr, **msg_en})
        rows.append(row)
    return rows


def _lists(fields: list[FormField]) -> list[str]:
    out: list[str] = []
    for f in fields:
        if f.options and f.options not in out:
            out.append(f.options)
        out += [o for o in _lists(f.fields or []) if o not in out]
    return out


def build(sop: SOP, form_id: str) -> XLSForm:
    """The XLSForm of form ``form_id`` of ``sop``. Raises XLSFormError (unknown form, untranslatable
    condition or type)."""
    form = sop.forms.get(form_id)
    if form is None:
        raise XLSFormError(
            gettext("formulaire inconnu « {form} » ; formulaires : {forms}",
                    form=form_id, forms=", ".join(sop.forms))
        )
    out = XLSForm(form_id)
    scope = Scope(form_id, _types(form.fields))
    from mno_workflow.engine.forms import sop_country
    from mno_workflow.i18n.phones import example_number
    out.survey = _rows(form_id, form.fields, scope, out.warnings, example_number(sop_country(sop)))
    for rule in form.rules:
        target = next((r for r in out.survey if rule.field and r.get("name") == rule.field), None)
        try:
            xpath = translate(rule.check, scope)
        except Untranslatable:
            xpath = None
        if target is None or xpath is None or target.get("type") == "begin_repeat":
            out.warnings.append(
                gettext("{form} : règle « {rule} » vérifiée à l'import, pas dans le formulaire", form=form_id,
                        rule=rule.check)
            )
            continue
        old = target.get("constraint")
        target["constraint"] = f"({old}) and ({xpath})" if old else xpath
        for key, label in _labels("constraint_message", rule.message).items():
            target[key] = f"{target[key]} ; {label}" if target.get(key) else label
    for name in _lists(form.fields):
        if name not in sop.options:
            raise XLSFormError(gettext("{form} : liste d'options inconnue « {options} »",
                                       form=form_id, options=name))
        for code, label in sop.options[name].items():
            out.choices.append({"list_name": name, "name": code, **_labels("label", label)})
    if any(r.get("type") == f"select_one {BOOLEAN_LIST}" for r in out.survey):
        out.choices += [
            {"list_name": BOOLEAN_LIST, "name": "true", f"label::{FR}": "Oui", f"label::{EN}": "Yes"},
            {"list_name": BOOLEAN_LIST, "name": "false", f"label::{FR}": "Non", f"label::{EN}": "No"},
        ]
    title = form.title.get("fr") or next(iter(form.title.values()))
    out.settings = {
        "form_title": title,
        "form_id": f"{sop.sop}_{form_id}",
        "version": sop.version,
        "default_language": FR,
    }
    return out
