"""``mno sop export`` writes a published SOP version back, byte for byte what was loaded (issue 14)."""

from __future__ import annotations

from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import BF_SOP
from ..engine.sop_variants import dump, parse

runner = CliRunner()


def mno(db_url, *args):
    result = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in result.output
    return result


def test_export_gives_back_each_version_byte_for_byte(db_url, tmp_path):
    assert mno(db_url, "db", "upgrade").exit_code == 0
    assert mno(db_url, "sop", "load", str(BF_SOP)).exit_code == 0
    doc = parse(BF_SOP.read_text(encoding="utf-8"))
    v1 = str(doc["version"])
    doc["version"] = "2099.9"
    v2 = tmp_path / "v2.yaml"
    v2.write_text("# édition 2099 — accents kept\n" + dump(doc), encoding="utf-8")
    assert mno(db_url, "sop", "load", str(v2)).exit_code == 0

    out = tmp_path / "latest.yaml"
    r = mno(db_url, "sop", "export", "mnr_bf", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert out.read_bytes() == v2.read_bytes()
    r = mno(db_url, "sop", "export", "mnr_bf", "--version", v1, "-o", str(out))
    assert r.exit_code == 0, r.output
    assert out.read_bytes() == BF_SOP.read_bytes()

    r = mno(db_url, "sop", "export", "mnr_bf", "--version", "1999", "-o", str(tmp_path / "x.yaml"))
    assert r.exit_code == 1 and v1 in r.output and "2099.9" in r.output
    assert not (tmp_path / "x.yaml").exists()
    assert mno(db_url, "sop", "export", "nope", "-o", str(tmp_path / "y.yaml")).exit_code == 1


def test_a_crlf_file_is_stored_and_exported_byte_for_byte(db_url, tmp_path):
    """A file written on Windows (CRLF line ends) comes back as it was (it was stored with LF);
    loading it again is the same version, not a conflict."""
    doc = parse(BF_SOP.read_text(encoding="utf-8"))
    doc["version"] = "2099.8"
    crlf = tmp_path / "windows.yaml"
    crlf.write_bytes(("# écrit sous Windows\n" + dump(doc)).replace("\n", "\r\n").encode("utf-8"))
    assert mno(db_url, "db", "upgrade").exit_code == 0
    r = mno(db_url, "sop", "load", str(crlf))
    assert r.exit_code == 0, r.output
    out = tmp_path / "back.yaml"
    r = mno(db_url, "sop", "export", "mnr_bf", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert out.read_bytes() == crlf.read_bytes() and b"\r\n" in out.read_bytes()
    assert mno(db_url, "sop", "load", str(crlf)).exit_code == 0           # idempotent
    lf = tmp_path / "unix.yaml"
    lf.write_bytes(crlf.read_bytes().replace(b"\r\n", b"\n"))
    r = mno(db_url, "sop", "load", str(lf))                                # only the line ends differ
    assert r.exit_code == 0, r.output
