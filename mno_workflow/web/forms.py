"""HTML forms from the SOP's form definitions, and form posts back into engine payloads.

Field names in HTML: ``field`` for simple fields, ``field`` repeated for ``multi`` (check boxes),
``group.N.sub`` for the rows of a repeat group (rows left entirely blank are ignored). Booleans
are a select (blank / true / false). Values are passed to the engine as strings; its pydantic
models convert and check them (dates ``AAAA-MM-JJ``), and its errors come back per field path
(``needs.0.need``), shown next to the field with the user's input kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..engine.errors import Message
from ..engine.forms import DATE_ERROR
from ..i18n import N_, babel_locale
from ..i18n.dates import iso_day
from ..sop.schema import SOP, FieldType, FormField

EXTRA_REPEAT_ROWS = 2  # blank rows shown after the filled ones (no script needed)
HIDDEN_REPEAT_ROWS = 8  # more blank rows, revealed one by one by « + Ajouter » (app.js)
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MIN_REPEAT_ROWS = 3
DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


@dataclass
class FieldView:
    """Everything a template needs to draw one field."""

    name: str
    id: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    conditional: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    value: Any = None
    error: str = ""
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    rows: list[list[FieldView]] = field(default_factory=list)  # repeat groups
    groups: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)  # optgroups
    notes: list[tuple[str, list[str]]] = field(default_factory=list)  # e.g. matching reasons
    relevant_js: str | None = None  # the SOP's relevant: as a JSON tree for app.js (see relevance.py)
    visible_rows: int = 0  # repeat groups: rows shown before « + Ajouter » (the rest hidden)
    pair_with: str | None = None  # choice: HTML name of the field its options depend on (pairing.py)
    allowed: dict[str, str] = field(default_factory=dict)  # option → allowed values of pair_with
    disabled: set[str] = field(default_factory=set)  # choice: options shown but not selectable
    titles: dict[str, str] = field(default_factory=dict)  # choice: option → its title (why it is marked)
    notice: str = ""  # provider: a sentence shown above the choice (the send under an override, J4)
    recalled: list[tuple[str, list[str]]] = field(default_factory=list)  # what an alert said (recall)

    @property
    def values(self) -> list[str]:
        v = self.value
        if v is None:
            return []
        return [str(x) for x in v] if isinstance(v, list) else [str(v)]

    @property
    def text(self) -> str:
        if self.value is None:
            return ""
        if self.type == "date" and isinstance(self.value, str) and ISO_DAY.match(self.value):
            y, m, d = self.value.split("-")  # shown day/month/year in both languages, never ambiguous
            return f"{d}/{m}/{y}"
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return str(self.value)


def _options(sop: SOP, f: FormField, lang: str) -> list[tuple[str, str]]:
    if not f.options:
        return []
    return [(code, sop.label(label, lang)) for code, label in sop.options.get(f.options, {}).items()]


def _view(
    sop: SOP, f: FormField, name: str, lang: str, values: dict[str, Any], errors: dict[str, str],
    form_id: str = "", siblings: list[FormField] | None = None, item: list[FormField] | None = None,
) -> FieldView:
    v = FieldView(
        name=name,
        id="f-" + name.replace(".", "-"),
        type=f.type.value,
        label=sop.label(f.label, lang),
        help=sop.label(f.help, lang) if f.help else "",
        required=f.required,
        conditional=bool(f.relevant),
        options=_options(sop, f, lang),
        value=values.get(f.id),
        error=errors.get(name, ""),
        max_length=f.max_length,
        min=f.min,
        max=f.max,
    )
    if f.relevant and siblings is not None:
        from .relevance import to_js

        v.relevant_js = to_js(f.relevant, form_id, siblings, item)
    if f.type == FieldType.repeat:
        rows = values.get(f.id) if isinstance(values.get(f.id), list) else []
        v.visible_rows = max(1, len(rows) + (1 if errors else 0))
        n = max(MIN_REPEAT_ROWS, len(rows) + EXTRA_REPEAT_ROWS + HIDDEN_REPEAT_ROWS)
        if f.max_items:
            n = min(n, max(f.max_items, len(rows)))
        for i in range(n):
            row = rows[i] if i < len(rows) and isinstance(rows[i], dict) else {}
            v.rows.append([_view(sop, sf, f"{name}.{i}.{sf.id}", lang, row, errors, form_id, siblings,
                                 f.fields) for sf in f.fields or []])
    return v


def form_views(
    sop: SOP,
    form_id: str,
    lang: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, Message] | None = None,
    now: datetime | None = None,
) -> tuple[list[FieldView], list[str]]:
    """Views of every field of ``form_id`` with ``values`` and ``errors`` (by field path), plus
    the errors that belong to no field (form-level rules). A fresh form (no ``values``) given
    ``now`` has its ``default: today`` date fields pre-filled with today in the SOP time zone
    (``values`` then being what it opens with: an alert's values, ``rows_from`` rows)."""
    errs = {k: _web_text(m, lang) for k, m in (errors or {}).items()}
    fields = sop.forms[form_id].fields
    if now is not None:  # under the values it opens with (an alert's, rows_from rows)
        today = now.astimezone(ZoneInfo(sop.calendar.timezone))
        values = {
            **{f.id: today.date().isoformat() if f.type == FieldType.date
               else today.strftime("%Y-%m-%dT%H:%M") for f in fields
               if f.default == "today" and f.type in (FieldType.date, FieldType.datetime)},
            **(values or {}),
        }
    values = values or {}
    views = [_view(sop, f, f.id, lang, values, errs, form_id, fields) for f in fields]
    from .pairing import apply

    apply(sop, form_id, views)  # needs offered by the chosen dimension (the form's own rules)
    known = set()
    for v in views:
        known.add(v.name)
        for row in v.rows:
            known.update(c.name for c in row)
    loose = [msg for k, msg in errs.items() if k not in known]
    # an error on a whole repeat row ("needs.1") is shown with the group
    for v in views:
        if v.rows:
            extra = [msg for k, msg in errs.items() if k.startswith(v.name + ".") and k not in known]
            if extra and not v.error:
                v.error = " ".join(extra)
                loose = [m for m in loose if m not in extra]
    return views, loose


def recall(sop: SOP, case: Any, form_id: str, views: list[FieldView], lang: str) -> None:
    """Beside each field an entry's ``prefill_choices`` fills, what the entry's form said: its
    label and the source field's, with the labels of the values the case holds (tryout 7, J8:
    the alert's « Enfant seul ou séparé » shown by « Catégories de vulnérabilité », whatever is
    ticked)."""
    from ..engine.prefill import recalled

    by_name = {v.name: v for v in views}
    for field_id, said_ in recalled(sop, case, form_id).items():
        v = by_name.get(field_id)
        if v is None:
            continue
        for eid, source, codes in said_:
            src_form, _, src_field = source.partition(".")
            src = next((f for f in sop.forms[src_form].fields if f.id == src_field), None)
            if src is None:
                continue
            labels = dict(_options(sop, src, lang))
            name = sop.label(sop.entries[eid].label, lang) + " — " + sop.label(src.label, lang)
            v.recalled.append((name, [labels.get(c, c) for c in codes]))


def rows_from_choices(sop: SOP, form_id: str, views: list[FieldView], keys: dict[str, list[str]]) -> None:
    """In the rows of each repeat group of ``form_id`` with ``rows_from``, the key field offers only
    the keys of that step's instances on the case (``keys``: ``instance_keys``) and the value it
    holds (data typed are kept); the form rule on the server stays the one that decides."""
    for f in sop.forms[form_id].fields:
        rf = f.rows_from
        group = next((v for v in views if v.name == f.id), None)
        if rf is None or group is None:
            continue
        allowed = set(keys.get(rf.step, []))
        for row in group.rows:
            for cell in row:
                if cell.name.rsplit(".", 1)[-1] == rf.key:
                    cell.options = [(c, label) for c, label in cell.options
                                    if c in allowed or c in cell.values]


#: The engine's date message names ISO (the API's format); the page asks day/month/year.
WEB_DATE_ERROR = N_("Date invalide : saisir JJ/MM/AAAA avec une date qui existe (ex. 28/02/2025).")


def _web_text(m: Message, lang: str) -> str:
    """A per-field error as the page shows it: the date message names the format typed here."""
    if m.msgid == DATE_ERROR:
        return Message.t(WEB_DATE_ERROR).text(lang)
    return m.text(lang)


def parse_form(sop: SOP, form_id: str, form: Any) -> dict[str, Any]:
    """A Starlette ``FormData`` (or any ``getlist``/``get`` mapping) into an engine payload.

    Unknown keys (other than the page's own: csrf token, version, instance) are ignored: the
    payload only ever holds the form's fields."""
    out: dict[str, Any] = {}
    for f in sop.forms[form_id].fields:
        if f.type == FieldType.multi:
            vals = [str(x) for x in form.getlist(f.id) if str(x).strip()]
            if vals:
                out[f.id] = vals
        elif f.type == FieldType.repeat:
            rows = []
            for i in range(f.max_items or 50):
                row = {}
                for sf in f.fields or []:
                    key = f"{f.id}.{i}.{sf.id}"
                    if sf.type == FieldType.multi:
                        vals = [str(x) for x in form.getlist(key) if str(x).strip()]
                        if vals:
                            row[sf.id] = vals
                    else:
                        raw = form.get(key)
                        if raw is not None and str(raw).strip():
                            row[sf.id] = _text_in(sf, str(raw))
                if row:
                    rows.append(row)
            if rows:
                out[f.id] = rows
        else:
            raw = form.get(f.id)
            if raw is not None and str(raw).strip():
                out[f.id] = _text_in(f, str(raw))
    return out


def _text_in(f: FormField, text: str) -> str:
    """A field's posted text as the engine reads it: dates day/month/year → ISO (:func:`_date_in`),
    a decimal number written with a comma (« 2,5 », French) → ``2.5``. Integers keep their text, so
    « 12,5 » is refused by the engine (« Nombre entier attendu. ») rather than read as 125."""
    if f.type == FieldType.date:
        return _date_in(text)
    if f.type == FieldType.number and DECIMAL_COMMA.match(text):
        return text.strip().replace(",", ".")
    return text


def _date_in(text: str) -> str:
    """``15/01/2025`` (day/month/year, as the date field shows it) → ``2025-01-15``; ISO text and
    anything else pass unchanged (the engine then says what is wrong, per field): the one parser,
    :func:`mno_workflow.i18n.dates.iso_day`."""
    return iso_day(text)


def display_value(sop: SOP, f: FormField, value: Any, lang: str) -> str:
    """A stored value as text for the reader (option labels, Oui/Non, dates as 15/01/2025, an
    instant as 15/01/2025 14:30 in the SOP's time zone)."""
    from .i18n import fmt_date, t

    if value is None:
        return ""
    if isinstance(value, dict) and "$purged" in value:  # erased (retention or the person's request)
        from ..engine.erasure_words import tombstone_text
        return tombstone_text(value, lang)  # « [effacé le 04/12/2026] », the day in lang (F31)
    if f.type == FieldType.boolean:
        return t("yes", lang) if value is True else t("no", lang) if value is False else str(value)
    if f.type in (FieldType.choice, FieldType.multi) and f.options:
        opts = sop.options.get(f.options, {})
        items = value if isinstance(value, list) else [value]
        return ", ".join(sop.label(opts.get(str(x)), lang) or str(x) for x in items)
    if f.type == FieldType.date:
        return fmt_date(value, lang)
    if f.type == FieldType.datetime:  # 01/12/2026 22:26 in the SOP's time zone, never ISO (tryout 4, G11)
        from ..i18n.dates import instant_text
        return instant_text(value, lang, sop.calendar.timezone)
    if f.type == FieldType.phone:  # one format, typed or stored (« +226 70 99 88 77 »)
        from ..i18n.phones import phone_text
        return phone_text(value)
    if isinstance(value, list):
        return ", ".join(str(x) for x in value)
    if f.type == FieldType.number and isinstance(value, float):  # 2,5 on French pages, as typed
        from babel.numbers import get_decimal_symbol
        return str(value).replace(".", get_decimal_symbol(babel_locale(lang)))
    return str(value)
