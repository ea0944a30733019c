"""pydantic's validation errors in words of the catalogues, for every language: ``mno validate``'s
E012 (« une liste est attendue, reçu 'x' » rather than pydantic's English "Input should be a valid
list") and Typer's usage errors (``--format x``: « 'x' n'est pas une des valeurs : 'text', 'json' »;
Typer converts options with pydantic).

:func:`said_error` turns one error of ``ValidationError.errors()`` into a ``said()`` message (the
English text is the message id, the French is in the French catalogue, as every ``mno validate``
diagnostic), or None for an error type not listed here (the caller keeps pydantic's text).
"""

from __future__ import annotations

import re
from typing import Any

#: Typer's own message for a value that is not one of an enum's (``_param_types.py``).
NOT_ONE_OF = re.compile(r"^(?P<input>.*) is not one of (?P<expected>.*?)\.?$", re.S)


def _shown(value: Any) -> Any:
    """A value as the author or user typed it, short (a mapping or a list is cut); nothing typed
    (YAML ``en:`` left empty) is « rien (vide) », never Python's ``None`` (tryout 4, G2)."""
    if value is None:
        from ..sop.diagnostics import said
        return said("nothing (empty)")
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list | tuple):
        return "[…]"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…'"


def said_error(err: dict[str, Any]) -> Any:
    """The error ``err`` (pydantic's ``{"type", "loc", "msg", "input", "ctx"}``) as a ``said()``
    message, or None when its type is not one of the common ones translated here."""
    from ..sop.diagnostics import Said, said
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    got = _shown(err.get("input"))
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return said("a whole number is expected, got {input}", input=got)
    if kind in ("float_type", "float_parsing", "decimal_parsing", "decimal_type"):
        return said("a number is expected, got {input}", input=got)
    if kind in ("bool_type", "bool_parsing"):
        return said("true or false is expected, got {input}", input=got)
    if kind in ("string_type", "string_unicode", "str_type"):
        return said("text is expected, got {input}", input=got)
    if kind in ("literal_error", "enum"):
        return said("one of {expected} is expected, got {input}",
                    expected=str(ctx.get("expected", "")).replace(" or ", ", "), input=got)
    if kind in ("list_type", "tuple_type", "set_type", "iterable_type"):
        return said("a list is expected, got {input}", input=got)
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type", "mapping_type"):
        return said("a mapping (key: value) is expected, got {input}", input=got)
    if kind in ("date_parsing", "date_from_datetime_parsing", "datetime_parsing",
                "datetime_from_date_parsing") and "outside expected range" in str(ctx.get("error", "")):
        # 30 February, month 13
        return said("{input} is not a date that exists: the day or the month is out of range", input=got)
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return said("a date YYYY-MM-DD is expected, got {input}", input=got)
    if kind in ("datetime_type", "datetime_parsing", "datetime_from_date_parsing"):
        return said("a date and time is expected, got {input}", input=got)
    if kind in ("time_type", "time_parsing"):
        return said("a time HH:MM is expected, got {input}", input=got)
    if kind == "greater_than_equal":
        return said("at least {limit} is expected, got {input}", limit=ctx.get("ge"), input=got)
    if kind == "greater_than":
        return said("more than {limit} is expected, got {input}", limit=ctx.get("gt"), input=got)
    if kind == "less_than_equal":
        return said("at most {limit} is expected, got {input}", limit=ctx.get("le"), input=got)
    if kind == "less_than":
        return said("less than {limit} is expected, got {input}", limit=ctx.get("lt"), input=got)
    if kind == "string_too_short":
        return said("text too short (minimum length {limit})", limit=ctx.get("min_length"))
    if kind == "string_too_long":
        return said("text too long (maximum length {limit})", limit=ctx.get("max_length"))
    if kind == "too_short":
        return said("too few items (minimum {limit})", limit=ctx.get("min_length"))
    if kind == "too_long":
        return said("too many items (maximum {limit})", limit=ctx.get("max_length"))
    if kind == "string_pattern_mismatch":
        return said("{input} does not have the expected form ({pattern})", input=got,
                    pattern=ctx.get("pattern"))
    if kind == "missing":
        return said("value missing")
    if kind == "extra_forbidden":
        return said("unknown key")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return said("{input} is not one of the expected kinds", input=got)
    if kind == "value_error":
        error = ctx.get("error")
        inner = error.args[0] if isinstance(error, ValueError) and error.args else None
        if isinstance(inner, Said) or callable(getattr(inner, "text", None)):
            return inner  # the validator's own catalogue message
        found = NOT_ONE_OF.match(str(inner)) if isinstance(inner, str) else None
        if found:  # Typer's choices (an enum option)
            return said("one of {expected} is expected, got {input}", expected=found["expected"],
                        input=found["input"])
    return None
