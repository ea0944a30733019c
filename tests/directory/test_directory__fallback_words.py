"""A directory cell refused by a check that has no words of its own is said in the catalogue's
words (fr/en), never pydantic's English sentence (that goes to the log); the coordinates and
phone-type checks speak through the catalogues too."""

from __future__ import annotations

import pytest

from mno_workflow.directory.problems import RawRow
from mno_workflow.directory.validate import _french, validate_rows


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", "valeur 'peut-être' refusée (format ou type inattendu pour cette colonne)"),
    ("en", "value 'peut-être' refused (unexpected format or type for this column)")])
def test_a_check_without_words_says_the_cell_is_refused(lang, words):
    err = {"type": "bool_parsing", "msg": "Input should be a valid boolean, unable to interpret input",
           "input": "peut-être", "loc": ("flag",)}
    said = _french(err, "flag")
    assert said.text(lang) == words
    assert "Input should" not in said.text(lang)


@pytest.mark.parametrize(("lang", "lat", "phone"), [
    ("fr", "valeur 200.0 hors de [-90, 90]", "valeur 'pigeon' invalide ; attendu : "),
    ("en", "value 200.0 outside [-90, 90]", "invalid value 'pigeon'; expected: ")])
def test_coordinates_and_phone_type_in_the_readers_language(lang, lat, phone):
    rows = {"location": [RawRow("location.csv", 2, {"id": "loc-1", "location_type": "physical",
                                                     "latitude": "200", "longitude": "1"})],
            "phone": [RawRow("phone.csv", 2, {"id": "ph-1", "number": "+22670123456", "type": "pigeon"})]}
    _valid, problems = validate_rows(None, rows)
    said = [p.format(lang) for p in problems]
    assert any(f"location.csv:2:latitude: {lat}" == s for s in said), said
    assert any(s.startswith(f"phone.csv:2:type: {phone}") for s in said), said
