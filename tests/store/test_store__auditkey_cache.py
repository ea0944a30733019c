"""The audit-key look-up is cached per URL object, yet sees every change of what the key's source
depends on (environment variables, the working directory) at the next call."""

from __future__ import annotations

import pytest
from sqlalchemy import make_url

from mno_workflow.store.auditkey import AuditKeyError, audit_key, forget_keys


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    for name in ("MNO_AUDIT_KEY", "MNO_AUDIT_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    forget_keys()
    yield
    forget_keys()


def test_same_url_object_gives_the_same_key_and_follows_env_changes(tmp_path, monkeypatch):
    url = make_url(f"sqlite:///{tmp_path / 'a.db'}")
    first = audit_key(url)
    assert audit_key(url) is first and first.source == str(tmp_path / "a.db.audit-key")
    monkeypatch.setenv("MNO_AUDIT_KEY", "e" * 40)
    assert audit_key(url).secret == b"e" * 40 and audit_key(url).source == "$MNO_AUDIT_KEY"
    monkeypatch.delenv("MNO_AUDIT_KEY")
    other = tmp_path / "other.key"
    other.write_text("f" * 64)
    monkeypatch.setenv("MNO_AUDIT_KEY_FILE", str(other))
    assert audit_key(url).secret == b"f" * 64  # no forget_keys() needed
    monkeypatch.setenv("MNO_AUDIT_KEY_FILE", str(tmp_path / "gone.key"))
    with pytest.raises(AuditKeyError, match="qui n'existe pas"):  # a catalogue message (French as str)
        audit_key(url)
    monkeypatch.delenv("MNO_AUDIT_KEY_FILE")
    assert audit_key(url) is first


def test_postgres_key_follows_the_data_directory(tmp_path, monkeypatch):
    url = make_url("postgresql+psycopg://mno@127.0.0.1:5432/mno")
    monkeypatch.setenv("MNO_DATA_DIR", str(tmp_path / "one"))
    one = audit_key(url)
    monkeypatch.setenv("MNO_DATA_DIR", str(tmp_path / "two"))
    two = audit_key(url)
    assert one.source.startswith(str(tmp_path / "one")) and two.source.startswith(str(tmp_path / "two"))
    assert one.secret != two.secret
    monkeypatch.delenv("MNO_DATA_DIR")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert audit_key(url).source.startswith(str(tmp_path / "home" / ".local" / "share"))


def test_relative_sqlite_path_follows_the_working_directory(tmp_path, monkeypatch):
    url = make_url("sqlite:///rel.db")
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    monkeypatch.chdir(tmp_path / "x")
    in_x = audit_key(url)
    monkeypatch.chdir(tmp_path / "y")
    in_y = audit_key(url)
    assert (tmp_path / "x" / "rel.db.audit-key").exists() and (tmp_path / "y" / "rel.db.audit-key").exists()
    assert in_x.secret != in_y.secret
