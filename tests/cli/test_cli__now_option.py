"""``--now`` of ``mno remind`` and ``mno retention run``: ISO 8601 with an offset, or day first as
the rest of the command line (« 10/06/2025 08:00 ») read in the time zone of the SOPs of the
database when they have exactly one; otherwise an error in words of the ``--lang`` language."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.commands import common
from mno_workflow.commands.now_option import engine_at, sop_time_zones
from mno_workflow.i18n.dates import NoTimeZone, read_instant

from ..conftest import ROOT

BF = ROOT / "sops" / "burkina_faso"


@pytest.mark.parametrize("text, zone, expected", [
    ("2025-06-10T08:00:00Z", None, datetime(2025, 6, 10, 8, 0, tzinfo=UTC)),
    ("2025-06-10T08:00:00+01:00", None, datetime(2025, 6, 10, 7, 0, tzinfo=UTC)),
    ("2025-06-10T08:00:00Z", "Europe/Paris", datetime(2025, 6, 10, 8, 0, tzinfo=UTC)),  # offset wins
    ("10/06/2025 08:00", "Africa/Ouagadougou", datetime(2025, 6, 10, 8, 0, tzinfo=UTC)),
    ("10/06/2025 08:00", "Europe/Paris", datetime(2025, 6, 10, 6, 0, tzinfo=UTC)),  # summer time
    ("10/01/2025 08:00", "Europe/Paris", datetime(2025, 1, 10, 7, 0, tzinfo=UTC)),  # winter time
    ("  1/2/2031 0:05 ", "Europe/Paris", datetime(2031, 1, 31, 23, 5, tzinfo=UTC)),
    ("10/06/2025 08:00:30", "UTC", datetime(2025, 6, 10, 8, 0, 30, tzinfo=UTC)),
    ("10/06/2025", "Europe/Paris", datetime(2025, 6, 9, 22, 0, tzinfo=UTC)),  # a day: its midnight
    ("2025-06-10T08:00", "Europe/Paris", datetime(2025, 6, 10, 6, 0, tzinfo=UTC)),  # ISO, no offset
    ("29/02/2028 12:00", "UTC", datetime(2028, 2, 29, 12, 0, tzinfo=UTC)),
])
def test_an_instant_is_read_with_its_offset_or_in_the_time_zone(text, zone, expected):
    got = read_instant(text, zone)
    assert got == expected and got.tzinfo is not None


@pytest.mark.parametrize("text", ["31/02/2025 08:00", "29/02/2025 12:00", "10/06/2025 25:00", "demain",
                                  "", "2025-13-01T08:00:00Z", "06/10/25 08:00", "10/06/2025 8"])
def test_what_is_not_an_instant_is_refused(text):
    with pytest.raises(ValueError):
        read_instant(text, "UTC")


@pytest.mark.parametrize("text", ["10/06/2025 08:00", "2025-06-10T08:00", "10/06/2025"])
def test_without_an_offset_and_without_a_time_zone_it_says_so(text):
    with pytest.raises(NoTimeZone):
        read_instant(text)


def _sop_in(tmp_path, sop_id: str, zone: str):
    """A copy of the Burkina Faso SOP named ``sop_id`` whose calendar is in ``zone``."""
    folder = tmp_path / sop_id
    shutil.copytree(BF, folder)
    main = folder / "mnr.yaml"
    text = main.read_text(encoding="utf-8")
    main.write_text(text.replace("sop: mnr_bf", f"sop: {sop_id}", 1)
                    .replace("timezone: Africa/Ouagadougou", f"timezone: {zone}", 1), encoding="utf-8")
    return main


def _mno(*args):
    r = CliRunner().invoke(app, list(args))
    assert "Traceback" not in r.output, r.output
    return r


def test_the_day_first_instant_is_read_in_the_one_time_zone_of_the_loaded_sops(tmp_path):
    url = f"sqlite:///{tmp_path / 'mno.db'}"
    paris = _sop_in(tmp_path, "mnr_paris", "Europe/Paris")
    assert _mno("--db", url, "sop", "load", str(paris)).exit_code == 0
    before = common.state["db"]
    common.state["db"] = url
    try:
        engine = engine_at("10/06/2025 08:00")
        assert sop_time_zones(engine) == ["Europe/Paris"]
        assert engine.clock.now() == datetime(2025, 6, 10, 6, 0, tzinfo=UTC)
        assert engine_at("2025-06-10T08:00:00Z").clock.now() == datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
    finally:
        common.state["db"] = before
    r = _mno("--db", url, "retention", "run", "--dry-run", "--now", "10/06/2025 08:00")
    assert r.exit_code == 0, r.output
    r = _mno("--db", url, "remind", "--once", "--now", "10/06/2025 08:00")
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("command", [("retention", "run", "--dry-run"), ("remind", "--once")])
def test_an_instant_without_offset_needs_exactly_one_time_zone(tmp_path, command):
    url = f"sqlite:///{tmp_path / 'mno.db'}"
    r = _mno("--db", url, "--lang", "en", *command, "--now", "10/06/2025 08:00")
    assert r.exit_code == 2
    assert '--now: "10/06/2025 08:00" has no time zone and no SOP is loaded; add the offset' in r.output
    r = _mno("--db", url, *command, "--now", "10/06/2025 08:00")
    assert r.exit_code == 2 and "n'a pas de fuseau horaire et aucune POS n'est chargée" in r.output
    for sop_id, zone in (("mnr_paris", "Europe/Paris"), ("mnr_ouaga", "Africa/Ouagadougou")):
        assert _mno("--db", url, "sop", "load", str(_sop_in(tmp_path, sop_id, zone))).exit_code == 0
    r = _mno("--db", url, "--lang", "en", *command, "--now", "10/06/2025 08:00")
    assert r.exit_code == 2
    assert "the loaded SOPs have several (Africa/Ouagadougou, Europe/Paris)" in r.output, r.output
    r = _mno("--db", url, *command, "--now", "2025-06-10T08:00:00+00:00")  # an offset: no time zone needed
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("lang, expected", [
    ("en", '--now: unreadable instant "demain"; type DD/MM/YYYY HH:MM or an ISO 8601 instant'),
    ("fr", "--now : instant illisible « demain » ; saisir JJ/MM/AAAA HH:MM ou un instant ISO 8601"),
])
def test_an_unreadable_instant_is_said_in_words_of_the_language(tmp_path, lang, expected):
    url = f"sqlite:///{tmp_path / 'mno.db'}"
    for command in (("retention", "run"), ("remind", "--once")):
        r = _mno("--db", url, "--lang", lang, *command, "--now", "demain")
        assert r.exit_code == 2 and expected in r.output, r.output
