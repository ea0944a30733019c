"""Intake of KoboToolbox / ODK submissions (the CSV or JSON export of a form written by ``mno
xlsform``) as new cases or as a step's form data on existing cases.

Each submission is one row: its values are converted to the SOP field types (``select_multiple``
"a b" → ``["a", "b"]``, ``true``/``false`` → booleans, numbers, repeat groups from JSON), then
handed to the engine, which validates them like any form (per-row, per-field errors in French and
English). A row is all or nothing: the case creation, the trigger and the record of the submission
uuid are one transaction. A submission whose uuid was already imported is skipped, so importing the
same file twice creates each case once.

Accepted columns: the XLSForm field names, optionally prefixed by group paths (``grp/field``,
``grp-field``); Kobo's and ODK Central's own columns (``_uuid``, ``meta/instanceID``, ``KEY``,
``_submission_time``, option columns ``field/option`` …) are ignored.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mno_workflow.directory import sniff
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.engine.errors import EngineError, FormInvalid
from mno_workflow.i18n import colon, gettext
from mno_workflow.sop.schema import SOP, FormField
from mno_workflow.store.models import Case, IntakeSubmission

UUID_KEYS = ("_uuid", "meta/instanceID", "meta-instanceID", "instanceID", "KEY", "uuid")


class IntakeError(ValueError):
    """The file cannot be read as submissions (the whole file is refused; nothing written)."""


@dataclass
class Submission:
    row: int
    uuid: str
    values: dict[str, Any]


@dataclass
class IntakeReport:
    """Per-row outcome: ``created``/``updated`` ``[(row, uuid, reference)]``, ``skipped`` (already
    imported), ``errors`` ``[(row, uuid, "message fr / en")]``."""

    created: list[tuple[int, str, str]] = field(default_factory=list)
    updated: list[tuple[int, str, str]] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)


def _uuid(values: dict[str, Any]) -> str | None:
    for key in UUID_KEYS:
        value = values.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip().removeprefix("uuid:")
    return None


def read_submissions(path: Path) -> list[Submission]:
    """Submissions of a Kobo/ODK export: CSV (separator and encoding detected) or JSON (a list,
    or Kobo's ``{"results": [...]}``). Raises IntakeError when unreadable or a row has no uuid."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".json":
            doc = json.loads(path.read_text(encoding="utf-8-sig"))
            rows = doc.get("results", doc.get("value")) if isinstance(doc, dict) else doc
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise IntakeError(gettext("liste de soumissions attendue"))
            numbered = list(enumerate(rows, start=1))
        else:
            text, _ = sniff.read_text(path)
            reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=sniff.delimiter(text))
            numbered = [(i, dict(r)) for i, r in enumerate(reader, start=2)]
    except (OSError, ValueError, csv.Error) as exc:
        if isinstance(exc, IntakeError):
            raise
        raise IntakeError(_unreadable(path, exc)) from None
    out = []
    for number, values in numbered:
        ident = _uuid(values)
        if ident is None:
            raise IntakeError(gettext("{file}:{row} : pas d'identifiant de soumission "
                                      "(_uuid, meta/instanceID)", file=path.name, row=number))
        out.append(Submission(number, ident, values))
    return out


def _convert(f: FormField, value: Any) -> Any:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    kind = str(f.type)
    if kind == "multi":
        return value if isinstance(value, list) else str(value).split()
    if kind == "boolean":
        text = str(value).strip().lower()
        truth = {"true": True, "1": True, "yes": True, "oui": True,
                 "false": False, "0": False, "no": False, "non": False}
        return truth.get(text, value)
    if kind in ("integer", "number") and isinstance(value, str):
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            return value  # the engine reports it, in the field's words
        return int(number) if kind == "integer" and number.is_integer() else number
    if kind == "repeat":
        if not isinstance(value, list):
            return value
        return [_payload(f.fields or [], item) for item in value if isinstance(item, dict)]
    return value


def _payload(fields: list[FormField], values: dict[str, Any]) -> dict[str, Any]:
    """The form payload of one submission (or repeat item): field names found by their last path
    segment (``grp/field``, ``grp-field``); other columns ignored."""
    by_name: dict[str, Any] = {}
    for key, value in values.items():
        last = re.split(r"[/-]", key)[-1] if not key.startswith("_") else None
        if last is not None and last not in by_name:
            by_name[last] = value
        if key in {f.id for f in fields}:
            by_name[key] = value
    out: dict[str, Any] = {}
    for f in fields:
        converted = _convert(f, by_name.get(f.id))
        if converted is not None:
            out[f.id] = converted
    return out


def _unreadable(path: Path, exc: Exception) -> str:
    """Why ``path`` cannot be read as submissions, in words of the current language (never the
    English of ``json``, ``csv`` or the operating system)."""
    from mno_workflow.i18n import current
    from mno_workflow.i18n.files import file_error
    from mno_workflow.sop.diagnostics import text_in
    if isinstance(exc, json.JSONDecodeError):
        return gettext("{file} illisible : JSON invalide (ligne {line}, colonne {column})", file=path.name,
                       line=exc.lineno, column=exc.colno)
    if isinstance(exc, OSError | UnicodeDecodeError):
        return file_error(path, exc).text(current.get())
    if isinstance(exc, sniff.UndecidableEncoding):
        return gettext("{file} illisible : {error}", file=path.name,
                       error=text_in(exc.args[0], current.get()))
    return gettext("{file} illisible : CSV mal formé (guillemets ou séparateurs)", file=path.name)


def _describe(exc: EngineError) -> str:
    """The engine's refusal of one submission in the current language (``mno --lang``)."""
    from mno_workflow.i18n import current
    lang = current.get()
    if isinstance(exc, FormInvalid):  # FormsInvalid (several forms): keys are form.field
        return " ; ".join(f"{k or gettext('formulaire', lang)}{colon(lang)}{m.text(lang)}"
                          for k, m in exc.errors.items())
    return exc.text(lang)


def intake(
    wf: WorkflowEngine,
    sop: SOP,
    path: Path,
    *,
    form: str,
    actor: Actor,
    trigger: str | None = None,
    case_column: str | None = None,
) -> IntakeReport:
    """Import the submissions of ``path`` for form ``form`` of ``sop``.

    Without ``case_column`` each submission opens a case and fires ``trigger`` (default: the start
    step's transition that uses ``form``); with it, ``trigger`` is fired on the case named in that
    column. Raises IntakeError for an unreadable file or an unknown form/trigger; row problems are
    in the report (the other rows are imported)."""
    if form not in sop.forms:
        raise IntakeError(gettext("formulaire inconnu « {form} »", form=form))
    if trigger is None:
        start = sop.steps[sop.start]
        found = next((t for t in start.transitions if form in t.forms), None)
        if found is None or case_column:
            raise IntakeError(gettext("--trigger obligatoire pour ce formulaire"))
        trigger = found.trigger
    # an action with several forms (form: [a, b], XLSForm of `mno xlsform --transition`): every form
    # of the submission, {form_id: {...}} (field ids differ across the forms, so names are unique)
    multi = next((t.forms for st in sop.steps.values() for t in st.transitions
                  if t.trigger == trigger and form in t.forms and len(t.forms) > 1), None)
    submissions = read_submissions(path)
    report = IntakeReport()
    with wf.sessions() as s:
        done = {
            r.uuid: r.reference
            for r in s.scalars(
                select(IntakeSubmission).where(IntakeSubmission.uuid.in_([x.uuid for x in submissions]))
            )
        }
    seen: set[str] = set()
    for sub in submissions:
        if sub.uuid in done or sub.uuid in seen:
            report.skipped.append((sub.row, sub.uuid, done.get(sub.uuid, "")))
            continue
        seen.add(sub.uuid)
        payload = ({fid: _payload(sop.forms[fid].fields, sub.values) for fid in multi} if multi
                   else _payload(sop.forms[form].fields, sub.values))

        def record(s: Session, case: Case, sub: Submission = sub) -> None:
            s.add(IntakeSubmission(uuid=sub.uuid, reference=case.reference, form=form, trigger=trigger,
                                   imported_at=datetime.now(UTC), actor=actor.user))

        try:
            if case_column:
                reference = str(sub.values.get(case_column) or "").strip().upper()
                if not reference:
                    raise IntakeError(gettext("colonne « {column} » vide", column=case_column))
                wf.fire(reference, trigger, actor, payload, also=record)
                report.updated.append((sub.row, sub.uuid, reference))
            else:
                reference = wf.create_case(sop.sop, actor, fire=(trigger, payload), also=record)
                report.created.append((sub.row, sub.uuid, reference))
        except EngineError as exc:
            report.errors.append((sub.row, sub.uuid, _describe(exc)))
        except IntakeError as exc:
            report.errors.append((sub.row, sub.uuid, str(exc)))
        except IntegrityError:  # imported meanwhile by another run: its transaction won
            report.skipped.append((sub.row, sub.uuid, ""))
    return report
