"""Data folders are created owner-only (700) with every missing parent, whatever the umask (issue 16):
the data directory, the audit key's folder, the SOP cache folder."""
from __future__ import annotations

import os
import stat

import pytest

from mno_workflow.config import data_dir, private_dir


@pytest.fixture
def open_umask():
    old = os.umask(0o000)  # the most permissive umask: modes must still be 700
    yield
    os.umask(old)


def mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def test_private_dir_creates_every_missing_parent_700(tmp_path, open_umask):
    target = tmp_path / "a" / "b" / "c"
    assert private_dir(target) == target
    for p in (tmp_path / "a", tmp_path / "a" / "b", target):
        assert mode(p) == 0o700, p
    (tmp_path / "kept").mkdir(mode=0o755)
    os.chmod(tmp_path / "kept", 0o755)
    private_dir(tmp_path / "kept" / "new")
    assert mode(tmp_path / "kept") == 0o755 and mode(tmp_path / "kept" / "new") == 0o700


def test_data_dir_with_missing_parents_is_700(tmp_path, monkeypatch, open_umask):
    monkeypatch.setenv("MNO_DATA_DIR", str(tmp_path / "var" / "lib" / "mno"))
    d = data_dir()
    assert mode(tmp_path / "var") == 0o700 and mode(tmp_path / "var" / "lib") == 0o700 and mode(d) == 0o700


def test_audit_key_folder_is_700(tmp_path, monkeypatch, open_umask):
    from mno_workflow.store.auditkey import audit_key
    monkeypatch.delenv("MNO_AUDIT_KEY", raising=False)
    monkeypatch.delenv("MNO_AUDIT_KEY_FILE", raising=False)
    monkeypatch.setenv("MNO_DATA_DIR", str(tmp_path / "keys" / "here"))
    audit_key("postgresql://u@db.example/mno")
    folder = tmp_path / "keys" / "here"
    assert mode(tmp_path / "keys") == 0o700 and mode(folder) == 0o700
    (key,) = folder.iterdir()
    assert mode(key) == 0o600


def test_sop_cache_folder_is_700(tmp_path, monkeypatch, open_umask):
    from mno_workflow.resources import bf_sop
    from mno_workflow.sop import cache
    from mno_workflow.sop.loader import load_file
    monkeypatch.setattr(cache, "cache_dir", lambda: tmp_path / "cache" / "mno" / "sops")
    cache.put("k" * 16, load_file(bf_sop()))
    assert mode(tmp_path / "cache") == 0o700 and mode(tmp_path / "cache" / "mno" / "sops") == 0o700
