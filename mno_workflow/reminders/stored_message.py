"""A catalogue message kept in a notification's context (JSON) and shown later in any language.

The engine's :class:`~mno_workflow.engine.errors.Message` (``Message.t(msgid, **params)``) is the
project's message that can be rendered in any language with a catalogue. :func:`stored` turns it
into JSON — ``{"msgid": "…", "params": {name: value}}`` (and ``"plural": "…"`` for a message with
plural forms, its count in ``params["n"]``), values being plain JSON, another stored
message, SOP labels ``{"labels": [{fr, en}, …], "sep", "lower"}``, joined parts
``{"joined": [...], "sep", "empty"}``, per-field errors ``{"field_errors": [[field, message], …]}``
or form names ``{"form_names": [...]}`` — and :func:`restored` gives back a ``Message`` whose
``.text(lang)`` reads the catalogue of the reader's language at display or send time. Only a
legacy ``(fr, en)`` message (no msgid) is kept as its texts ``{"texts": {"fr", "en"}}``.
"""

from __future__ import annotations

from typing import Any

from ..engine.errors import FieldErrors, FormNames, Joined, Labels, Message

__all__ = ["stored", "restored", "text_of"]

_PLAIN = (str, int, float, bool, type(None))


def stored(value: Any) -> Any:
    """The JSON form of a message or of one of its values (see the module doc); a value of any
    other type (a date, a list…) is kept as its text, so that the result is always JSON."""
    if isinstance(value, Message):
        if value.msgid:
            out = {"msgid": value.msgid, "params": {k: stored(v) for k, v in value.params}}
            return {**out, "plural": value.plural} if value.plural else out
        return {"texts": {"fr": value.fr, "en": value.en}}
    if isinstance(value, Labels):
        labels = [{str(k): str(v) for k, v in dict(lb).items()} if lb else {} for lb in value.labels]
        return {"labels": labels, "sep": value.sep, "lower": value.lower}
    if isinstance(value, Joined):
        return {"joined": [stored(p) for p in value.parts], "sep": value.sep,
                "empty": stored(value.empty) if value.empty is not None else None}
    if isinstance(value, FieldErrors):
        out = {"field_errors": [[k, stored(m)] for k, m in value.errors]}
        return {**out, "field_labels": [[k, stored(lb)] for k, lb in value.labels]} if value.labels else out
    if isinstance(value, FormNames):
        return {"form_names": list(value.names)}
    if isinstance(value, _PLAIN):
        return value
    if callable(getattr(value, "text", None)):  # another message-like value: its texts now
        return {"texts": {"fr": value.text("fr"), "en": value.text("en")}}
    return str(value)


def restored(data: Any) -> Any:
    """The value :func:`stored` wrote, as a :class:`Message` (or labels, joined parts…) again;
    plain values as they are."""
    if not isinstance(data, dict):
        return data
    if "msgid" in data:
        params = tuple((k, restored(v)) for k, v in (data.get("params") or {}).items())
        return Message(fr="", en="", msgid=str(data["msgid"]), params=params,
                       plural=str(data.get("plural") or ""))
    if "texts" in data:
        texts = data["texts"] or {}
        return Message(fr=str(texts.get("fr", "")), en=str(texts.get("en") or texts.get("fr", "")))
    if "labels" in data:
        return Labels(tuple(data["labels"]), sep=data.get("sep", ", "), lower=bool(data.get("lower")))
    if "joined" in data:
        empty = restored(data.get("empty")) if data.get("empty") is not None else None
        return Joined(tuple(restored(p) for p in data["joined"]), sep=data.get("sep", ", "), empty=empty)
    if "field_errors" in data:
        return FieldErrors(tuple((k, restored(m)) for k, m in data["field_errors"]),
                           tuple((k, restored(lb)) for k, lb in data.get("field_labels") or ()))
    if "form_names" in data:
        return FormNames(tuple(data["form_names"]))
    return data


def text_of(ctx: dict[str, Any], name: str, lang: str) -> str | None:
    """The text of message ``name`` of a notification context in ``lang``: the stored message
    ``<name>_msg`` (rendered from the catalogue of ``lang``), else — a row written before messages
    were stored — the texts ``<name>_fr``/``<name>_en`` (English for ``en``, French otherwise).
    None when the context has neither."""
    if ctx.get(f"{name}_msg") is not None:
        value = restored(ctx[f"{name}_msg"])
        return value.text(lang) if callable(getattr(value, "text", None)) else str(value)
    if f"{name}_fr" in ctx or f"{name}_en" in ctx:
        fr = ctx.get(f"{name}_fr") or ctx.get(f"{name}_en") or ""
        return (ctx.get(f"{name}_en") or fr) if lang == "en" else fr
    return None
