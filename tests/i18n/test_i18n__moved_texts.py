"""What issue 18 moved from code to the catalogues, each through the path a reader sees: engine
messages with plural forms (``Message.n``, forms' min/max items), message contexts in tables of
words (``P_``), dates as digits from the catalogue, the service-level note stored as a message id,
``mno validate``'s E046 at file:line:col in the ``--lang`` language, and ``mno sop diff --lang``.
Each test failed before the move."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.errors import Message
from mno_workflow.i18n import P_, Words, short_date, short_datetime
from mno_workflow.reminders.stored_message import restored, stored

ROOT = Path(__file__).resolve().parents[2]
FRENCH = re.compile(r"[éèàùêçô«»]|\b(le|la|les|des|du|une|et|ou|dans|à|fichier|récit|ajout|étape)\b", re.I)


@pytest.mark.parametrize("n, fr, en", [
    (0, "Au moins 0 élément.", "At least 0 items."),
    (1, "Au moins 1 élément.", "At least 1 item."),
    (2, "Au moins 2 éléments.", "At least 2 items."),
])
def test_message_n_has_plural_forms_and_keeps_them_when_stored(n, fr, en):
    m = Message.n("Au moins {n} élément.", "Au moins {n} éléments.", n)
    assert (m.fr, m.en, m.text("fr"), m.text("en")) == (fr, en, fr, en)
    again = restored(stored(m))  # a notification's reason, shown later in the reader's language
    assert (again.text("fr"), again.text("en")) == (fr, en)


@pytest.mark.parametrize("kind, limit, fr, en", [
    ("too_short", 1, "Au moins 1 élément.", "At least 1 item."),
    ("too_long", 3, "Au plus 3 éléments.", "At most 3 items."),
    ("string_too_long", 1, "Au plus 1 caractère.", "At most 1 character."),
])
def test_form_limits_are_plural_messages(kind, limit, fr, en):
    from mno_workflow.engine.forms import _translate
    key = "min_length" if kind == "too_short" else "max_length"
    m = _translate({"type": kind, "ctx": {key: limit}})
    assert (m.text("fr"), m.text("en")) == (fr, en)
    assert "(s)" not in m.text("fr")


def test_a_message_context_gives_one_french_word_two_translations():
    words = Words({"kind": P_("handbook.kind", "Type"), "type": P_("handbook.type", "Type")})
    assert words["fr"] == {"kind": "Type", "type": "Type"}
    assert words["en"]["kind"] == "Kind" and words["en"]["type"] == "Type"
    from mno_workflow.render.handbook_words import UI
    assert UI["en"]["kind"] != UI["en"]["type"] and UI["fr"]["kind"] == UI["fr"]["type"] == "Type"


def test_dates_as_digits_follow_the_catalogue():
    from datetime import date, datetime
    day = date(2025, 6, 3)
    assert (short_date(day, "fr"), short_date(day, "en")) == ("03/06/2025", "03/06/2025")
    at = datetime(2025, 6, 3, 14, 30)
    assert (short_datetime(at, "fr"), short_datetime(at, "en")) == ("03/06/2025 14:30", "03/06/2025 14:30")


def test_the_service_level_note_is_said_in_each_language_from_its_record():
    from mno_workflow.engine.service_levels import record_words
    from mno_workflow.sop.loader import load_file
    sop = load_file("sops/burkina_faso/mnr.yaml").model
    record = {"source": "default", "within": "5 days", "reason": "no_service"}
    fr, en = record_words(sop, record, None, "fr"), record_words(sop, record, None, "en")
    assert fr.startswith("Délai par défaut de la POS (5 jours)") and "days" not in fr, fr
    assert en.startswith("SOP default deadline (5 days)") and "jours" not in en, en


def test_e046_names_the_line_and_speaks_the_lang(tmp_path):
    bad = tmp_path / "narrative.yaml"
    bad.write_text("narrative:\n  chapters: 3\n", encoding="utf-8")
    fr = CliRunner().invoke(app, ["validate", str(bad)])
    en = CliRunner().invoke(app, ["--lang", "en", "validate", str(bad)])
    assert fr.exit_code == en.exit_code == 1
    assert f"{bad}:2:" in fr.output and "erreur E046" in fr.output and ":1:1:" not in fr.output
    assert "récit invalide à narrative.chapters : une liste est attendue, reçu 3" in fr.output, fr.output
    assert "Input should" not in fr.output + en.output  # pydantic's English (tryout 4, G20)
    line = next(x for x in en.output.splitlines() if "E046" in x)
    assert "invalid narrative at narrative.chapters" in line, line
    assert not FRENCH.search(line.split("E046", 1)[1]), line
    unreadable = tmp_path / "sub" / "narrative.yaml"
    unreadable.parent.mkdir()
    unreadable.write_bytes(b"\xff\xfe narrative")
    r = CliRunner().invoke(app, ["--lang", "en", "validate", str(unreadable)])
    assert r.exit_code == 1 and "E046" in r.output and "cannot read narrative file" in r.output, r.output


def test_sop_diff_follows_lang(tmp_path):
    base = ROOT / "tests" / "fixtures" / "valid_sops" / "referral.yaml"
    text = base.read_text(encoding="utf-8")
    new = tmp_path / "v2.yaml"
    text = text.replace('version: "1"', 'version: "2"')
    text = text.replace("    scope: recipient\n", "    scope: all\n", 1)
    new.write_text(text, encoding="utf-8")
    fr = CliRunner().invoke(app, ["sop", "diff", str(base), str(new)])
    en = CliRunner().invoke(app, ["--lang", "en", "sop", "diff", str(base), str(new)])
    assert fr.exit_code == en.exit_code == 0, (fr.output, en.output)
    assert "modification" in fr.output and "Rôles :" in fr.output and "portée : recipient → all" in fr.output
    assert "Roles:" in en.output and "changed" in en.output and "scope: recipient → all" in en.output
    assert not FRENCH.search(en.output), en.output
