"""An imported or listed narrative file that cannot be read (E037, E046 for a ``narrative.yaml``
given to ``mno validate``) gives its reason in catalogue words of the reader's language —
permission denied, a folder, not UTF-8 text at byte N — never the operating system's English
``[Errno 13] Permission denied: '/…'``. Real files: one without read permission (read as the
``nobody`` user when the tests run as root, who may read anything), a folder, a Latin-1 file."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.listed_narrative import narrative_file_diagnostics
from mno_workflow.sop.loader import load_file

from .test_imports_and_flow_conditions import SHARED, SOP
from .test_narrative_imports import MINIMAL

LATIN1 = "options:\n  priority:\n    emergency: {fr: Très urgent, en: Emergency}\n".encode("latin-1")
BYTE = LATIN1.index("è".encode("latin-1")) + 1  # the first byte that is not UTF-8 (1-based)
#: kind -> (French reason, English reason)
REASONS = {
    "unreadable": ("accès refusé", "permission denied"),
    "folder": ("c'est un dossier, pas un fichier", "it is a folder, not a file"),
    "latin1": (f"pas un texte UTF-8 (octet {BYTE})", f"not UTF-8 text (byte {BYTE})"),
}


@pytest.fixture
def folder():
    """A folder the ``nobody`` user can enter (pytest's own temporary folders are private)."""
    path = Path(tempfile.mkdtemp(prefix="mno-read-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def _bad(path: Path, kind: str) -> None:
    """Make ``path`` unreadable in the way ``kind`` says."""
    if kind == "folder":
        path.mkdir()
        return
    path.write_bytes(LATIN1 if kind == "latin1" else SHARED.encode("utf-8"))
    path.chmod(0o644 if kind == "latin1" else 0)


@contextlib.contextmanager
def _as_reader():
    """Read as ``nobody`` when running as root (root reads a file without permissions)."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)


def _load_problems(path: Path) -> list:
    with _as_reader(), pytest.raises(SOPError) as info:
        load_file(path)
    return info.value.diagnostics


def _check(d, code: str, fr: str, en: str, entry: str) -> None:
    assert d.code == code
    assert "Errno" not in d.format("fr") and "Errno" not in d.format("en")
    assert f"'{entry}' : {fr} (conseil : " in d.format("fr"), d.format("fr")
    assert f"'{entry}': {en} (hint: " in d.format("en"), d.format("en")


@pytest.mark.parametrize("kind", sorted(REASONS))
def test_an_unreadable_import_is_e037_with_a_catalogue_reason(folder, kind):
    (folder / "regional.yaml").write_text(SOP, encoding="utf-8")
    (folder / "regional.yaml").chmod(0o644)
    _bad(folder / "shared.yaml", kind)
    [d] = _load_problems(folder / "regional.yaml")
    assert (d.line, d.col) == (3, 11)
    _check(d, "E037", *REASONS[kind], "shared.yaml")
    assert d.format("fr").startswith(f"{folder / 'regional.yaml'}:3:11: erreur E037 impossible d'importer")


@pytest.mark.parametrize("kind", sorted(REASONS))
def test_an_unreadable_narrative_file_is_e037_with_a_catalogue_reason(folder, kind):
    text = MINIMAL.read_text(encoding="utf-8").replace('version: "1"\n',
                                                       'version: "1"\nnarrative: [récit.yaml]\n')
    (folder / "sop.yaml").write_text(text, encoding="utf-8")
    (folder / "sop.yaml").chmod(0o644)
    _bad(folder / "récit.yaml", kind)
    [d] = _load_problems(folder / "sop.yaml")
    _check(d, "E037", *REASONS[kind], "récit.yaml")


@pytest.mark.parametrize("kind", sorted(REASONS))
def test_an_unreadable_narrative_given_to_validate_is_e046_with_a_catalogue_reason(folder, kind):
    path = folder / "narrative.yaml"
    _bad(path, kind)
    with _as_reader():
        [d] = narrative_file_diagnostics(path)
    _check(d, "E046", *REASONS[kind], str(path))


def test_other_system_errors_name_the_errno():
    import errno

    from mno_workflow.sop.imports import read_failure
    said = read_failure(OSError(errno.EIO, "Input/output error"))
    assert (said.text("fr"), said.text("en")) == ("erreur du système EIO", "system error EIO")
