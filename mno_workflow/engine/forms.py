"""Form validation: pydantic models generated from the SOP's form definitions, plus SOP rules.

``validate_form`` turns a raw payload (strings from the CLI or a web form, or JSON) into clean
JSON-ready data, or raises :class:`FormInvalid` with one message per field in every language.
Dates are stored as ISO 8601 strings (``2025-01-31``); datetimes are normalised at validation to
UTC instants written ``2025-06-02T22:30:00Z`` (a value without offset is local wall time of the
SOP time zone), so every later comparison (``not_future``, ``not_before``, CEL, deadlines) is a
comparison of instants, never of the text that was sent. Rules: ``docs/working-days.md``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator
from pydantic_core import PydanticCustomError

from ..i18n import N_
from ..sop.expr import ExprError, compile_expr
from ..sop.schema import SOP, FieldType, FormField
from .errors import FormInvalid, Labels, Message, sop_text
from .form_relevance import KINDS, given, not_applicable, undecided

log = logging.getLogger(__name__)

PHONE_PATTERN = r"^\+?[0-9][0-9 .\-]{5,18}[0-9]$"


def _python_type(sop: SOP, f: FormField, path: str) -> Any:
    if f.type == FieldType.text:
        return Annotated[str, Field(max_length=f.max_length)] if f.max_length else str
    if f.type == FieldType.phone:
        return Annotated[str, Field(pattern=PHONE_PATTERN)]
    if f.type in (FieldType.number, FieldType.integer):
        base = int if f.type == FieldType.integer else float
        return Annotated[base, Field(ge=f.min, le=f.max)]
    if f.type == FieldType.date:
        return date
    if f.type == FieldType.datetime:
        return datetime
    if f.type == FieldType.boolean:
        return bool
    if f.type in (FieldType.choice, FieldType.multi):
        codes = tuple(sop.options[f.options]) if f.options else ()
        lit = Literal[codes] if codes else str  # type: ignore[valid-type]
        if f.type == FieldType.choice:
            return lit
        return Annotated[list[lit], Field(max_length=len(codes) or None)]  # type: ignore[valid-type]
    if f.type == FieldType.repeat:
        sub = _model_for(sop, f.fields or [], f"{path}.{f.id}")
        return Annotated[list[sub], Field(min_length=f.min_items or 0, max_length=f.max_items)]
    raise AssertionError(f"unhandled field type {f.type}")  # pragma: no cover


class _FormBase(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_missing(cls, v: Any) -> Any:
        if isinstance(v, str):
            if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in v):
                raise PydanticCustomError("control_character", "invisible control character")
            return None if not v.strip() else v
        return v


def _model_for(sop: SOP, fields: list[FormField], name: str) -> type[BaseModel]:
    spec = {f.id: (_python_type(sop, f, name) | None, None) for f in fields}
    return create_model(f"Form_{name.replace('.', '_')}", __base__=_FormBase, **spec)


_MODELS: dict[tuple[int, str], tuple[SOP, type[BaseModel]]] = {}


def form_model(sop: SOP, form_id: str) -> type[BaseModel]:
    """The pydantic model (every field optional; requiredness is checked by ``validate_form``).

    Built once per (SOP object, form) and cached for the life of the process."""
    key = (id(sop), form_id)
    hit = _MODELS.get(key)
    if hit is None or hit[0] is not sop:
        hit = _MODELS[key] = (sop, _model_for(sop, sop.forms[form_id].fields, form_id))
    return hit[1]


def _msg(kind: str, **kw: Any) -> Message:
    return Message.t(_TEXTS[kind], **kw)


#: The date message (ISO: the API's format); web/forms.py shows its own for the day/month/year field.
DATE_ERROR = N_("Date invalide : utiliser AAAA-MM-JJ avec une date qui existe (ex. 2025-02-28).")

#: Per-field messages: French source text, msgid of the catalogues (English there).
_TEXTS = {
    "required": N_("Ce champ est obligatoire."),
    "unknown": N_("Champ inconnu dans ce formulaire."),
    "choice": N_("Valeur non autorisée ; choix possibles : {choices}."),
    "date": DATE_ERROR,
    "datetime": N_("Date et heure invalides (ex. 2025-02-28T14:30)."),
    "int": N_("Nombre entier attendu."),
    "number": N_("Nombre attendu."),
    "bool": N_("Réponse oui/non attendue (true/false)."),
    "ge": N_("La valeur doit être au moins {limit}."),
    "le": N_("La valeur doit être au plus {limit}."),
    "phone": N_("Numéro de téléphone invalide (ex. {example})."),
    "list": N_("Une liste de valeurs est attendue."),
    "group": N_("Un groupe de champs est attendu."),
    "future": N_("La date ne peut pas être dans le futur."),
    "before": N_("La date ne peut pas précéder « {other} » ({value})."),
    "text": N_("Texte attendu."),
    "invalid": N_("Valeur invalide."),
    "control": N_("Le texte contient un caractère invisible non autorisé : retapez-le."),
    "rule_error": N_("Une règle de la POS n'a pas pu être vérifiée : prévenez le coordinateur (détail "
                     "dans le journal du serveur)."),
}


def invalid(sop: SOP, form_id: str, errors: dict[str, Message]) -> FormInvalid:
    """:class:`FormInvalid` of the SOP's form ``form_id``, named by its title and field labels
    (every check of an SOP form raises it so: tryout 5, G22, « Form 'alert' … met_on »)."""
    return FormInvalid(form_id, errors, **_named(sop, form_id, errors))


def _named(sop: SOP, form_id: str, errors: dict[str, Message]) -> dict[str, Any]:
    """The form's title and the labels of the fields in ``errors`` (``group.0.field``: the
    field's label), for :class:`FormInvalid`'s message (tryout 3, F14: « Formulaire
    « consent_withdrawal » invalide — withdrawn_on : … »)."""
    form = sop.forms.get(form_id)
    if form is None:
        return {}
    by_id: dict[str, Any] = {}

    def walk(fields: list[FormField]) -> None:
        for f in fields:
            by_id.setdefault(f.id, f.label)
            walk(f.fields or [])
    walk(form.fields)
    labels = {}
    for path in errors:
        last = next((p for p in reversed(path.split(".")) if not p.isdigit()), "")
        if last in by_id and by_id[last]:
            labels[path] = Labels((by_id[last],))
    return {"title": Labels((form.title,)) if form.title else None, "labels": labels}


def sop_country(sop: object) -> str | None:
    """The country of an SOP: its calendar's ``holidays`` code (``GB-ENG`` → ``GB``), else its
    time zone's country (``zone.tab``), else None."""
    calendar = getattr(sop, "calendar", None)
    code = getattr(calendar, "holidays", None)
    if code:
        return str(code).partition("-")[0]
    from ..sop.checks.calendar import zone_countries
    return zone_countries().get(getattr(calendar, "timezone", "") or "")


def _translate(err: dict, sop: SOP | None = None) -> Message:
    t, ctx = err["type"], err.get("ctx") or {}
    if t == "missing":
        return _msg("required")
    if t == "control_character":
        return _msg("control")
    if t == "extra_forbidden":
        return _msg("unknown")
    if t == "literal_error":
        return _msg("choice", choices=ctx.get("expected", "").replace("'", "").replace(" or ", ", "))
    if t.startswith("date") and not t.startswith("datetime"):
        return _msg("date")
    if t.startswith("datetime"):
        return _msg("datetime")
    if t.startswith("int"):
        return _msg("int")
    if t.startswith("float"):
        return _msg("number")
    if t.startswith("bool"):
        return _msg("bool")
    if t.startswith("string_") and t not in ("string_too_long", "string_pattern_mismatch"):
        return _msg("text")  # a number or a list where text is expected (string_type…)
    if t in ("greater_than_equal", "greater_than"):
        return _msg("ge", limit=_num(ctx.get("ge", ctx.get("gt"))))
    if t in ("less_than_equal", "less_than"):
        return _msg("le", limit=_num(ctx.get("le", ctx.get("lt"))))
    if t == "string_too_long":
        return Message.n("Au plus {n} caractère.", "Au plus {n} caractères.", _count(ctx.get("max_length")))
    if t == "string_pattern_mismatch":  # an example of the SOP's country (NE: +227 …)
        from ..i18n.phones import example_number
        return _msg("phone", example=example_number(sop_country(sop)))
    if t == "too_short":
        return Message.n("Au moins {n} élément.", "Au moins {n} éléments.", _count(ctx.get("min_length")))
    if t == "too_long":
        return Message.n("Au plus {n} élément.", "Au plus {n} éléments.", _count(ctx.get("max_length")))
    if t == "list_type":
        return _msg("list")
    if t in ("model_type", "model_attributes_type", "dict_type"):
        return _msg("group")
    # pydantic's own sentence is English: the log keeps it, the person reads a catalogue message
    log.debug("form value refused: %s (%s)", err.get("msg"), t)
    return _msg("invalid")


def _count(v: Any) -> int:
    """A limit of pydantic's error context as a count for a plural form (0 when absent)."""
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


def _num(v: Any) -> Any:
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _loc(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def validate_form(sop: SOP, form_id: str, payload: dict[str, Any], *, context: dict[str, Any],
                  today: date, now: datetime | None = None,
                  unknown_forms: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Validate ``payload`` for ``form_id`` and return clean JSON-ready data.

    ``context`` is the case data ``{form_id: {field: value}}`` (other forms, used by ``relevant``,
    ``not_before`` and rules); ``today`` is the local date in the SOP time zone (``not_future`` of
    a date); ``now`` the current instant (``not_future`` of a datetime; default: the real time).
    Datetime values come back as UTC ``...Z`` text. A field that is not relevant is left out, and
    a value given there is refused per field (:mod:`.form_relevance`); ``unknown_forms``: forms of
    the same submission that did not validate (a relevance reading them is not decided).

    Raises :class:`FormInvalid` with ``errors = {"field" | "group.0.field": Message}``.
    Source: DESIGN.md "Forms" (typed fields, required/conditional, limits, cross-field rules).
    """
    form = sop.forms[form_id]
    if not isinstance(payload, dict):
        raise FormInvalid(form_id, {"": _msg("group")})
    errors: dict[str, Message] = {}
    model = form_model(sop, form_id)
    try:
        parsed = model.model_validate(payload)
    except ValidationError as e:
        for err in e.errors(include_url=False):
            errors.setdefault(_loc(err["loc"]), _translate(err, sop))
        # Keep checking the fields that parsed, so the user sees every problem at once.
        bad = {str(err["loc"][0]) for err in e.errors() if err["loc"]}
        try:
            parsed = model.model_validate({k: v for k, v in payload.items() if k not in bad})
        except ValidationError:  # pragma: no cover - removing bad keys leaves valid data
            raise FormInvalid(form_id, errors, **_named(sop, form_id, errors)) from None
    data = parsed.model_dump(mode="json", exclude_none=True)
    _to_utc(form.fields, data, ZoneInfo(sop.calendar.timezone))
    for k in list(data):  # empty lists of multi fields count as missing
        if data[k] == []:
            del data[k]
    ctx = dict(context)
    ctx[form_id] = data
    ctx["today"] = today.isoformat()
    found = dict(errors)
    now = now or datetime.now(UTC)
    _check_fields(form.fields, data, ctx, (today, now), errors, prefix="", form_id=form_id, sop=sop)
    undecided(form.fields, found, errors, _TEXTS["required"], unknown_forms)
    errors.update(found)  # a parse error says more than "required" for the same field
    if all(m.msgid in KINDS for m in errors.values()):  # the data read well: its rules too
        for rule in form.rules:
            try:
                ok = compile_expr(rule.check).evaluate(ctx)
            except ExprError as e:  # in words; the rule and the evaluator's English in the log
                log.warning("form %s: rule %r cannot be evaluated: %s", form_id, rule.check, e)
                errors[rule.field or ""] = _msg("rule_error")
                continue
            if ok is not True:
                errors.setdefault(rule.field or "", sop_text(rule.message))
    if errors:
        raise FormInvalid(form_id, errors, **_named(sop, form_id, errors))
    return data


def _to_utc(fields: list[FormField], data: dict, tz: ZoneInfo) -> None:
    """Rewrite every datetime value of ``data`` (repeat groups included) as a UTC instant
    ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``; a value without offset is local time of ``tz``."""
    for f in fields:
        value = data.get(f.id)
        if value is None:
            continue
        if f.type == FieldType.datetime and isinstance(value, str):
            data[f.id] = utc_text(parse_instant(value, tz))
        elif f.type == FieldType.repeat and f.fields and isinstance(value, list):
            for sub in value:
                if isinstance(sub, dict):
                    _to_utc(f.fields, sub, tz)


def parse_instant(value: str, tz: ZoneInfo) -> datetime:
    """An ISO 8601 date-time text as an aware UTC datetime (``Z`` accepted; no offset: local
    wall time of ``tz``, a DST gap moved forward). Raises ValueError for other text."""
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is None or dt.utcoffset() is None:
        dt = dt.replace(tzinfo=tz, fold=0)
    return dt.astimezone(UTC)


def utc_text(instant: datetime) -> str:
    """An aware instant as UTC ISO text with ``Z``: ``2025-06-02T22:30:00Z``."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _not_before(value: str, other: str, tz: ZoneInfo) -> bool:
    """Whether ``value`` (date or datetime text) is before ``other``: instants when both are
    datetimes, local dates of the SOP time zone otherwise."""
    if "T" in value and "T" in other:
        return parse_instant(value, tz) < parse_instant(other, tz)
    def local_day(text: str) -> date:
        return parse_instant(text, tz).astimezone(tz).date() if "T" in text else date.fromisoformat(text[:10])
    return local_day(value) < local_day(other)


def _check_fields(fields: list[FormField], data: dict, ctx: dict, when: tuple[date, datetime],
                  errors: dict, *, prefix: str, form_id: str, sop: SOP, item: dict | None = None) -> None:
    today, now = when
    tz = ZoneInfo(sop.calendar.timezone)
    rel_ctx = None  # one copy for every field (``data`` is shared, so its changes are seen)
    for f in fields:
        key = prefix + f.id
        if f.relevant:
            if rel_ctx is None:
                rel_ctx = dict(ctx, item=item or {})
            relevant = compile_expr(f.relevant).holds(rel_ctx)
            if not relevant:
                if given(data.pop(f.id, None)):  # never dropped without a word (tryout 9, L3)
                    errors[key] = not_applicable(sop, f)
                continue
        value = data.get(f.id)
        if value is None:
            if f.required:
                errors[key] = _msg("required")
            continue
        if f.type == FieldType.date and f.not_future and value > today.isoformat():
            errors[key] = _msg("future")
        if f.type == FieldType.datetime and f.not_future and parse_instant(value, tz) > now:
            errors[key] = _msg("future")  # instants: 22 h ahead is refused, +02:00 of the past is not
        if f.type in (FieldType.date, FieldType.datetime) and f.not_before:
            other_form, other_field = f.not_before.split(".")
            other = (ctx.get(other_form) or {}).get(other_field)
            try:
                before = isinstance(other, str) and _not_before(value, other, tz)
            except ValueError:
                before = False
            if before:
                from ..i18n.dates import DayText, InstantText  # 04/12/2026, as typed (tryout 4, G17)
                shown = (InstantText(parse_instant(other, tz), tz.key) if "T" in other and "T" in value
                         else DayText(date.fromisoformat(other[:10])))
                errors[key] = _msg("before", other=Labels((_field_label(sop, other_form, other_field),)),
                                   value=shown)
        if f.type == FieldType.repeat and f.fields:
            for i, sub in enumerate(value):
                _check_fields(f.fields, sub, ctx, when, errors, prefix=f"{key}.{i}.", form_id=form_id,
                              sop=sop, item=sub)


def _field_label(sop: SOP, form_id: str, field_id: str) -> dict:
    form = sop.forms.get(form_id)
    for f in form.fields if form else []:
        if f.id == field_id:
            return f.label
    return {"fr": field_id, "en": field_id}


def coerce_cli_value(sop: SOP, form_id: str, key: str, raw: str) -> Any:
    """Turn a CLI ``key=value`` string into the JSON value for that field (``multi`` splits on
    commas; a ``date`` is typed as on the pages, 15/01/2025, or ISO: the one parser,
    :func:`mno_workflow.i18n.dates.iso_day`; a ``datetime`` day first, « 15/01/2025 14:30 », or
    ISO). Unknown keys are passed through so validation reports them."""
    for f in sop.forms[form_id].fields:
        if f.id == key and f.type == FieldType.multi:
            return [v.strip() for v in raw.split(",") if v.strip()]
        if f.id == key and f.type == FieldType.date:
            from ..i18n.dates import iso_day
            return iso_day(raw)
        if f.id == key and f.type == FieldType.datetime and re.match(r"^\s*\d{1,2}/\d{1,2}/\d{4}", raw):
            # day first, as the pages and ``--now`` write it (« 04/12/2026 17:30 »): the same local
            # wall time as the page's input (read in the SOP's time zone by validate_form); a day
            # that does not exist is left as typed, for the field's error
            from ..i18n.dates import read_instant
            try:
                return read_instant(raw, "UTC").replace(tzinfo=None).isoformat(timespec="minutes")
            except ValueError:
                return raw
    return raw
