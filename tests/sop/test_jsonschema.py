"""The JSON Schema of the SOP language (docs/sop-language.schema.json) agrees with the loader.

It is regenerated from the pydantic models and compared with the committed file; every SOP the
loader accepts validates against it (jsonschema, draft 2020-12), and every file the loader
rejects for its shape (E010 unknown key, E011 missing key, E012 invalid value) fails it.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.jsonschema import DEFAULT_PATH, schema_text, write_schema
from mno_workflow.sop.loader import parse_yaml
from mno_workflow.sop.schema import _UNIT_WORDS

from .test_loader import dump_yaml, valid_sops

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
REFERENCE = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
LOADABLE = [REFERENCE, *sorted((FIXTURES / "valid_sops").glob("*.yaml")),
            *sorted((FIXTURES / "lint").glob("*.yaml")), *sorted((FIXTURES / "render").glob("*.yaml"))]


def _parses(path: Path) -> bool:
    try:
        parse_yaml(path.read_text(encoding="utf-8"), str(path))
    except SOPError:  # E001-E004: not a YAML mapping, nothing for a schema to check
        return False
    return True


INVALID = [p for p in sorted((FIXTURES / "invalid_sops").glob("*.yaml")) if _parses(p)]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def as_json(text: str) -> object:
    data, _ = parse_yaml(text, "x.yaml")
    return json.loads(json.dumps(data, default=str))


def test_schema_rejection_corpus_is_not_empty() -> None:
    assert sum(p.read_text(encoding="utf-8").split()[2] in ("E010", "E011", "E012") for p in INVALID) >= 20


def test_schema_file_is_up_to_date(tmp_path: Path) -> None:
    assert DEFAULT_PATH == ROOT / "docs" / "sop-language.schema.json"
    assert DEFAULT_PATH.read_text(encoding="utf-8") == schema_text(), (
        "docs/sop-language.schema.json is out of date: run "
        "'python -m mno_workflow.sop.jsonschema' and commit it")
    written = write_schema(tmp_path / "s.json")
    assert written.read_text(encoding="utf-8") == schema_text()


def test_reference_sop_validates(validator: jsonschema.Draft202012Validator) -> None:
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(as_json(REFERENCE.read_text()))]
    assert errors == []


@pytest.mark.parametrize("path", LOADABLE, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_loadable_sop_validates(path: Path, validator: jsonschema.Draft202012Validator) -> None:
    assert [e.message for e in validator.iter_errors(as_json(path.read_text(encoding="utf-8")))] == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_schema_rejects_exactly_the_shape_errors(path: Path, validator: jsonschema.Draft202012Validator
                                                 ) -> None:
    text = path.read_text(encoding="utf-8")
    code, data = text.split()[2], as_json(text)
    shape_error = code in ("E010", "E011", "E012")
    assert validator.is_valid(data) is not shape_error, code


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_sops())
def test_random_valid_sops_validate(validator: jsonschema.Draft202012Validator, sop_and_expected) -> None:
    data, _ = sop_and_expected
    assert [e.message for e in validator.iter_errors(as_json(dump_yaml(data)))] == []


@pytest.mark.parametrize("text, ok", [
    ("10 working days", True), ("1 Working Day", True), ("24 h", True), ("3 min", True), ("2 months", True),
    # Issue 12: one parser, French units too ("10 jours" is valid since then).
    ("10 jours", True), ("3 jours ouvrés", True), ("10 jours fériés", False),
    ("ten days", False), ("-1 days", False), ("10", False),
    # French accents in any case and form, spaces as the loader accepts them (issue 12, item h).
    ("3 JOURS OUVRÉS", True), ("3 Jours Ouvrés", True), ("3 jours  ouvrés", True),
    ("3 jours ouvre\u0301s", True), ("5 working_days", True), ("1 jour ouvré", True),
    ("3 jours ouvrès", False), ("3 jours ouvres", False),
])
def test_duration_pattern_matches_the_loader(text: str, ok: bool, validator) -> None:
    sub = jsonschema.Draft202012Validator({"$defs": validator.schema["$defs"], "$ref": "#/$defs/Duration"})
    assert sub.is_valid(text) is ok
    from pydantic import ValidationError

    from mno_workflow.sop.schema import Duration
    try:
        Duration.model_validate(text)
        loader_ok = True
    except ValidationError:
        loader_ok = False
    assert loader_ok is ok


@pytest.mark.parametrize("word", sorted(_UNIT_WORDS))
@pytest.mark.parametrize("form", ["lower", "upper", "title", "nfd", "wide"])
def test_every_unit_word_in_every_form_agrees_with_the_loader(word: str, form: str, validator) -> None:
    """Each unit word of the loader, upper-cased, title-cased, decomposed (NFD) or with two spaces,
    is accepted by the JSON Schema exactly when the loader accepts it."""
    import unicodedata

    from pydantic import ValidationError

    from mno_workflow.sop.schema import Duration
    text = {"lower": word, "upper": word.upper(), "title": word.title(),
            "nfd": unicodedata.normalize("NFD", word), "wide": word.replace(" ", "  ")}[form]
    text = f"3 {text}"
    sub = jsonschema.Draft202012Validator({"$defs": validator.schema["$defs"], "$ref": "#/$defs/Duration"})
    try:
        Duration.model_validate(text)
        loader_ok = True
    except ValidationError:
        loader_ok = False
    assert sub.is_valid(text) is loader_ok, text
    assert loader_ok, text
