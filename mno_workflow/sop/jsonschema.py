"""JSON Schema of the SOP language, generated from the pydantic models of :mod:`.schema`.

Editors use it to complete and check SOP files while authors type (VS Code with the Red Hat YAML
extension: first line ``# yaml-language-server: $schema=../../docs/sop-language.schema.json``).
The schema is the models' own (``SOP.model_json_schema(by_alias=True, mode="validation")``),
with the few places where the loader accepts more than the models' shape made explicit:
durations written as text (``"10 working days"``), reminders and cut-off times as text, a
transition needing ``to`` or ``internal: true`` (and listing each form of ``form: [a, b]`` once), a
flow rule needing ``start`` or ``close_case``. The workbench editor completes keys and values
from it (``/pos/atelier/schema.json``).
Descriptions come from the models' docstrings (English, as the rest of the file: a committed file
read by editors has one language). ``docs/sop-language.schema.json`` is written by
:func:`write_schema`; a test fails when it is out of date. The schema checks shapes only: the
references between parts (an unknown state, role or field...) are checked by ``mno validate``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from . import schema as models
from .schema import _UNIT_WORDS, SOP

SCHEMA_ID = "https://mno-workflow.example/schemas/sop-language.schema.json"
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "docs" / "sop-language.schema.json"


def _any_case(pattern: str) -> str:
    """``working`` -> ``[wW][oO]...``, ``é`` -> ``(?:[éÉ]|[eE]\u0301)``: the loader lower-cases
    durations and puts accents in composed form (NFC); JSON Schema has no flags."""
    def letter(m: re.Match) -> str:
        c = m[0]
        if c == "é":
            return r"(?:[éÉ]|[eE]\u0301)"
        return f"[{c}{c.upper()}]"
    return re.sub(r"(?<!\\)[a-zé]", letter, pattern)


# Words of a unit may be separated by spaces or underscores, as the loader accepts ("working_days").
_UNITS = "|".join(sorted((re.escape(w).replace("\\ ", r"[\s_]+") for w in _UNIT_WORDS),
                         key=len, reverse=True))
DURATION_PATTERN = _any_case(rf"^\s*\d+\s*(?:{_UNITS})\s*$")
_PERCENT = r"(?:0{0,2}[1-9]|0?[1-9][0-9])\s*%"  # 1% to 99%, as the loader
REMIND_PATTERN = _any_case(
    rf"^\s*(?:{_PERCENT}|\d+\s*(?:{_UNITS})\s+(?:before|after)|every\s+\d+\s*(?:{_UNITS})\s+after)\s*$")
CUTOFF_PATTERN = r"^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def _clean(text: str) -> str:
    text = re.sub(r":(?:class|func|mod):`\.?([^`]+)`", r"\1", text)
    return re.sub(r"``([^`]+)``", r"`\1`", text).strip()


def _field_docs(model: type[BaseModel]) -> dict[str, str]:
    """For each field, the docstring sentence that names it earliest (``name`` or ``name: x``)."""
    doc = " ".join((model.__doc__ or "").split())
    sentences = re.split(r"(?<=[.;])\s+", doc)
    out = {}
    for name, info in model.model_fields.items():
        keys = "|".join(re.escape(k) for k in {name} | ({info.alias} if info.alias else set()))
        found = [(m.start(), i) for i, sentence in enumerate(sentences)
                 if (m := re.search(rf"``(?:{keys})(?::[^`]*)?``", sentence))]
        if found:
            out[info.alias or name] = _clean(sentences[min(found)[1]])
    return out


def _key_patterns(node: Any) -> None:
    """pydantic writes ``dict[Ident, X]`` as ``patternProperties``, which lets other keys through
    unchecked; the loader rejects them (E012), so the pattern goes to ``propertyNames``."""
    if isinstance(node, dict):
        pp = node.get("patternProperties")
        if isinstance(pp, dict) and len(pp) == 1 and "additionalProperties" not in node:
            [(pattern, value)] = pp.items()
            del node["patternProperties"]
            node["additionalProperties"] = value
            node["propertyNames"] = {**node.get("propertyNames", {}), "pattern": pattern}
        for v in node.values():
            _key_patterns(v)
    elif isinstance(node, list):
        for v in node:
            _key_patterns(v)


def build_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an SOP file."""
    schema = SOP.model_json_schema(by_alias=True, mode="validation")
    _key_patterns(schema)
    defs = schema["$defs"]
    for name, d in defs.items():
        model = getattr(models, name, None)
        if isinstance(model, type) and issubclass(model, BaseModel):
            for prop, text in _field_docs(model).items():
                d["properties"].get(prop, {}).setdefault("description", text)
        if "description" in d:
            d["description"] = _clean(d["description"])
    duration_object = defs.pop("Duration")
    defs["Duration"] = {
        "title": "Duration",
        "description": "A duration: '<number> <unit>', e.g. '10 working days'; units minutes, hours, "
                       "days (calendar days), working days (the working days of the SOP's calendar), "
                       "weeks, months.",
        "oneOf": [{"type": "string", "pattern": DURATION_PATTERN,
                   "examples": ["10 working days", "24 hours"]},
                  duration_object | {"title": "Duration (amount and unit)"}],
    }
    deadline = defs["Deadline"]["properties"]
    # issue 13: ``within: {from_directory: response_time, default: <duration | by/cases>}``
    plain = list(deadline["within"]["oneOf"])
    deadline["within"]["oneOf"] = plain + [{
        "type": "object", "title": "Directory response time",
        "description": "The directory service's response time, else the default.",
        "required": ["from_directory", "default"], "additionalProperties": False,
        "properties": {"from_directory": {"const": "response_time"}, "default": {"oneOf": plain}}}]
    deadline["remind"]["items"] = {"type": "string", "pattern": REMIND_PATTERN,
                                   "examples": ["50%", "1 working day before", "2 hours after"]}
    deadline["cutoff"]["anyOf"] = [{"type": "string", "pattern": CUTOFF_PATTERN, "examples": ["13:00"]},
                                   {"type": "null"}]
    # ``no_later_than``: one cap as a mapping, or a list of them
    caps = deadline["no_later_than"]
    said = ("description", "title", "default")
    caps_list = {k: v for k, v in caps.items() if k not in said}
    deadline["no_later_than"] = {k: v for k, v in caps.items() if k in said} | {
        "oneOf": [{"$ref": "#/$defs/Cap"}, caps_list]}
    defs["Transition"]["anyOf"] = [{"required": ["to"]},
                                   {"required": ["internal"], "properties": {"internal": {"const": True}}}]
    for branch in defs["Transition"]["properties"]["form"]["anyOf"][0]["oneOf"]:
        if branch.get("type") == "array":  # form: [a, b] lists each form once (the linter's E012)
            branch["uniqueItems"] = True
    defs["FlowRule"]["anyOf"] = [{"required": ["start"]},
                                 {"required": ["close_case"], "properties": {"close_case": {"const": True}}}]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            **{k: v for k, v in schema.items() if k != "description"},
            "title": "MNO Workflow — langage des POS / SOP language",
            "description": _clean(SOP.__doc__ or "") + " See docs/sop-language.md."}


def schema_text() -> str:
    return json.dumps(build_schema(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write_schema(path: str | Path = DEFAULT_PATH) -> Path:
    """Write the JSON Schema to ``path`` (default ``docs/sop-language.schema.json``)."""
    p = Path(path)
    p.write_text(schema_text(), encoding="utf-8")
    return p


if __name__ == "__main__":  # python -m mno_workflow.sop.jsonschema
    print(write_schema())
