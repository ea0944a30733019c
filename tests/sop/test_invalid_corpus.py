"""The invalid SOP corpus: every file names, on its first line, the diagnostic it must produce.

First line of each file in ``tests/fixtures/invalid_sops/``: ``# expect: CODE LINE [COL]`` (anything
after the numbers is a free description). Loading must raise :class:`SOPError` with that code at that
line (and column when given); ``mno validate`` must print it as ``file:line:col: error CODE`` and exit 1.
A ``W`` code (a trap SOP: it loads) must be reported by the linter at that place as a warning, and
``mno validate --strict`` must print it as an error and exit 1.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.lint import lint
from mno_workflow.sop.loader import load_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CORPUS = sorted((FIXTURES / "invalid_sops").glob("*.yaml"))
REFERENCE = Path(__file__).resolve().parents[2] / "sops" / "burkina_faso" / "mnr.yaml"
EXPECT_RE = re.compile(r"^# expect: (?P<code>[EW]\d{3}) (?P<line>\d+)(?: (?P<col>\d+))?(?:\s|$)")

# Corpus files whose expectation the loader does not meet yet (a bug to fix in mno_workflow/sop).
KNOWN_BUGS: dict[str, str] = {}  # corpus files named bug_* whose bug is not fixed yet


def expectation(path: Path) -> tuple[str, int, int | None]:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    m = EXPECT_RE.match(first)
    assert m, f"{path.name}: first line must be '# expect: CODE LINE [COL]', got {first!r}"
    return m["code"], int(m["line"]), int(m["col"]) if m["col"] else None


def corpus_params() -> list:
    return [pytest.param(p, id=p.stem,
                         marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[p.name])]
                         if p.name in KNOWN_BUGS else [])
            for p in CORPUS]


def test_corpus_is_big_enough_and_covers_every_code() -> None:
    assert len(CORPUS) >= 20
    codes = {expectation(p)[0] for p in CORPUS}
    required = {"E001", "E002", "E003", "E004", "E010", "E011", "E012", "E020", "E021", "E022", "E023",
                "E024", "E025", "E026", "E027", "E028", "E029", "E030", "E031", "E032", "E033", "E034",
                "E035", "E036"}
    assert required <= codes, f"no corpus file for {sorted(required - codes)}"


@pytest.mark.parametrize("path", corpus_params())
def test_load_reports_expected_diagnostic(path: Path) -> None:
    code, line, col = expectation(path)
    if code.startswith("W"):
        diags = lint(load_file(path))
        assert any(d.code == code and d.line == line and (col is None or d.col == col)
                   and d.severity == "warning" and d.hint.strip() for d in diags), [d.format() for d in diags]
        return
    with pytest.raises(SOPError) as info:
        load_file(path)
    diags = info.value.diagnostics
    assert diags, "SOPError without diagnostics"
    found = [(d.code, d.line, d.col) for d in diags]
    matching = [d for d in diags if d.code == code and d.line == line and (col is None or d.col == col)]
    assert matching, f"expected {code} at {line}:{col or '*'}, got {found}"
    text_lines = path.read_text(encoding="utf-8").split("\n")
    if code == "E010" and col:  # an unknown key is reported at the key, and named in the message
        key = re.match(r"[^\s:,{}]+", text_lines[line - 1][col - 1:])
        assert key and any(repr(key[0]) in d.message for d in matching), [d.message for d in matching]
    for d in diags:
        assert d.path == str(path)
        assert d.severity == "error"
        assert re.fullmatch(r"E\d{3}", d.code), d
        assert 1 <= d.line <= max(len(text_lines), 1), d
        assert d.col >= 1, d
        assert d.message.strip(), d
        assert d.hint.strip(), d
    assert str(info.value).startswith(f"{path}:"), "SOPError's text lists the diagnostics"


@pytest.mark.parametrize("path", corpus_params())
def test_cli_validate_reports_expected_diagnostic(path: Path) -> None:
    code, line, col = expectation(path)
    result = CliRunner().invoke(app, ["validate", "--strict", str(path)])
    output = result.output
    assert "Traceback" not in output
    assert result.exit_code == 1, (result.exit_code, output, result.exception)
    col_re = str(col) if col else r"\d+"
    assert re.search(rf"^{re.escape(str(path))}:{line}:{col_re}: erreur {code} \S", output, re.M), output


@pytest.mark.parametrize("path", corpus_params())
def test_cli_validate_json_for_invalid_file(path: Path) -> None:
    code, line, col = expectation(path)
    result = CliRunner().invoke(app, ["validate", "--strict", "--format", "json", str(path)])
    assert result.exit_code == 1, (result.output, result.exception)
    [report] = json.loads(result.output)
    assert report["path"] == str(path)
    assert report["valid"] is False
    assert any(d["code"] == code and d["line"] == line and (col is None or d["col"] == col)
               for d in report["diagnostics"]), report["diagnostics"]


def test_cli_validate_reference_sop_is_valid() -> None:
    result = CliRunner().invoke(app, ["validate", str(REFERENCE)])
    assert result.exit_code == 0, result.output
    assert " erreur " not in result.output
    assert "Traceback" not in result.output


def test_cli_validate_reference_sop_json() -> None:
    result = CliRunner().invoke(app, ["validate", "--format", "json", str(REFERENCE)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [r["path"] for r in report] == [str(REFERENCE)]
    assert report[0]["valid"] is True
    assert all(d["severity"] in ("warning", "info") for d in report[0]["diagnostics"])


def test_cli_validate_directory_of_valid_sops() -> None:
    result = CliRunner().invoke(app, ["validate", "--format", "json", str(FIXTURES / "valid_sops")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    names = sorted(Path(r["path"]).name for r in report)
    assert names == ["minimal.yaml", "no_strings.yaml", "referral.yaml"]
    # referral.yaml (the base of the lint corpus) has no data_protection section: W117 says its
    # provider keeps the data after a decline, W119 that only its provider answers (an answer
    # given off the platform cannot be recorded), and nothing else is said of any of them
    said = {Path(r["path"]).name: [d["code"] for d in r["diagnostics"]] for r in report if r["valid"]}
    assert said == {"minimal.yaml": [], "no_strings.yaml": [], "referral.yaml": ["W117", "W119"]}


def test_cli_validate_whole_corpus_exits_1_with_one_report_per_file(tmp_path: Path) -> None:
    for p in CORPUS:
        if p.name not in KNOWN_BUGS:
            (tmp_path / p.name).write_bytes(p.read_bytes())
    result = CliRunner().invoke(app, ["validate", "--strict", "--format", "json", str(tmp_path)])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert len(report) == len(CORPUS) - len(KNOWN_BUGS)
    assert not any(r["valid"] for r in report)


def test_cli_validate_missing_file_is_a_diagnostic(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = CliRunner().invoke(app, ["validate", str(missing)])
    assert result.exit_code == 1
    assert f"{missing}:1:1: erreur E000 " in result.output
    assert "Traceback" not in result.output


def test_cli_validate_not_utf8_is_a_diagnostic(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("sop: mini\ntitle: {fr: Élevé}\n".encode("latin-1"))
    result = CliRunner().invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:1:1: erreur E000 " in result.output
