"""Loaded SOPs cached by content hash (issue 15): an unchanged SOP is not parsed again, in this
process or the next; a changed text, another path or an SOP with imports is loaded from its text;
every caller gets its own objects; a broken cache file is ignored."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mno_workflow.sop import cache, loader

from ..conftest import BF_SOP


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MNO_CACHE_DIR", str(tmp_path / "cache"))
    cache.clear_memory()
    yield tmp_path / "cache"
    cache.clear_memory()


def test_unchanged_sop_is_not_parsed_again(cache_dir, monkeypatch):
    text = BF_SOP.read_text()
    first = loader.load_text(text, "mnr.yaml")
    files = list(cache_dir.glob("*.pickle"))
    assert len(files) == 1 and files[0].stat().st_mode & 0o777 == 0o600
    assert cache_dir.stat().st_mode & 0o777 == 0o700
    cache.clear_memory()  # as a new process: only the file remains

    def no_parse(*_a, **_k):
        raise AssertionError("parsed again")

    monkeypatch.setattr(loader, "parse_yaml", no_parse)
    again = loader.load_text(text, "mnr.yaml")
    assert again.model == first.model and again.sha256 == first.sha256
    assert again is not first and again.model is not loader.load_text(text, "mnr.yaml").model
    with pytest.raises(AssertionError, match="parsed again"):  # a changed text is parsed
        loader.load_text(text + "\n# changed\n", "mnr.yaml")
    with pytest.raises(AssertionError, match="parsed again"):  # diagnostics name another path
        loader.load_text(text, "other.yaml")


def test_sop_with_imports_and_broken_files_are_not_trusted(cache_dir):
    assert cache.key("imports:\n  - shared.yaml\nsop: x\n", "a.yaml") is None
    text = BF_SOP.read_text()
    k = cache.key(text, "mnr.yaml")
    cache_dir.mkdir(parents=True)
    (cache_dir / f"{k}.pickle").write_bytes(b"not a pickle")
    loaded = loader.load_text(text, "mnr.yaml")  # ignored, loaded from the text, file rewritten
    assert loaded.model.sop == "mnr_bf"
    cache.clear_memory()
    assert cache.get(k).model == loaded.model


def test_next_process_uses_the_file(cache_dir):
    code = ("import sys; from mno_workflow.sop import loader;"
            "loader.parse_yaml = None if sys.argv[1] == 'strict' else loader.parse_yaml;"
            "print(loader.load_file(sys.argv[2]).model.sop)")
    env_run = {"MNO_CACHE_DIR": str(cache_dir)}
    import os
    env = {**os.environ, **env_run}
    first = subprocess.run([sys.executable, "-c", code, "normal", str(BF_SOP)], env=env,
                           capture_output=True, text=True)
    assert first.stdout.strip() == "mnr_bf", first.stderr
    second = subprocess.run([sys.executable, "-c", code, "strict", str(BF_SOP)], env=env,
                            capture_output=True, text=True)  # parse_yaml gone: only the cache can answer
    assert second.stdout.strip() == "mnr_bf", second.stderr
