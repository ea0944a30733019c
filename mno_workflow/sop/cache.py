"""A cache of loaded SOPs by content hash, so a process that starts (``mno case fire``, a web
worker, the first ``fire`` after a restart) does not parse and validate an unchanged SOP again.

Key: SHA-256 of the SOP text, its path (diagnostics name it), the MNO version (a new release
may validate differently) and the source of the SOP models (a development checkout). Two
levels: this process (a dict) and files under
``$MNO_CACHE_DIR`` (default ``$XDG_CACHE_HOME/mno-workflow``, else ``~/.cache/mno-workflow``;
folder mode 700, files 600, written atomically). Only SOPs that loaded without error are cached,
and an SOP with ``imports:`` only when its files are given (a stored version's: they are in the
key); read from the disk, an imported file may change while the text does not. Narrative files
listed in flow style (``narrative: [narrative.yaml]``) are read for the key (small files): a
changed narrative file is another key. A cache that
cannot be read or written is ignored: the SOP is then loaded from its text, as without cache.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .loader import LoadedSOP

_memory: dict[str, bytes] = {}  # pickled: every caller gets its own objects (nothing shared)
MAX_FILES = 200  # the oldest files beyond this are removed
_IMPORTS = re.compile(r"^imports\s*:", re.MULTILINE)
# narrative files listed in flow style (``narrative: [narrative.yaml]``): their texts join the key;
# a block-style list (``narrative:`` then ``- a.yaml``) is not cached from the disk
_NARRATIVE_FLOW = re.compile(r"^narrative\s*:\s*\[([^\]\n]*)\]\s*(?:#.*)?$", re.MULTILINE)
_NARRATIVE_BLOCK = re.compile(r"^narrative\s*:\s*(?:#.*)?\n(?:\s*#.*\n)*\s+-", re.MULTILINE)


def cache_dir() -> Path:
    """The folder of the cache files."""
    named = os.environ.get("MNO_CACHE_DIR")
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mno-workflow"


def key(text: str, path: str, files: Mapping[str, str] | None = None) -> str | None:
    """The cache key of an SOP text (and of the ``files`` its imports are read from), or None
    when it must not be cached (it has imports read from the disk)."""
    if files is None and (_IMPORTS.search(text) or _NARRATIVE_BLOCK.search(text)):
        return None
    from .. import __version__
    from .imports import content_sha256
    if files is None and (m := _NARRATIVE_FLOW.search(text)):
        files = _beside(path, [n.strip().strip("'\"") for n in m.group(1).split(",") if n.strip()])
    content = content_sha256(text, files) if files else text
    return hashlib.sha256(f"{__version__}\0{_schema_fingerprint()}\0{path}\0{content}".encode()).hexdigest()


def _beside(path: str, names: list[str]) -> dict[str, str]:
    """``{name: text}`` of narrative files ``names`` beside ``path`` as the key sees them (a file
    that cannot be read is keyed by that fact: the loaded SOP warns W128 or refuses it)."""
    folder = Path(path).parent
    out = {}
    for name in names:
        try:
            out[name] = "\0file\0" + (folder / name).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError, ValueError) as e:
            out[name] = f"\0unreadable\0{type(e).__name__}"
    return out


_FINGERPRINT: list[str] = []


def _schema_fingerprint() -> str:
    """A hash of the SOP model's source files: a model changed without a new release (development,
    several checkouts sharing one cache folder) must not get another version's pickled models."""
    if not _FINGERPRINT:
        digest = hashlib.sha256()
        here = Path(__file__).parent
        # every module the pickled models come from: the SOP package and the indicators' schema
        for f in sorted([*here.glob("*.py"), here.parent / "indicators" / "schema.py"]):
            try:
                digest.update(f.name.encode() + f.read_bytes())
            except OSError:
                pass
        _FINGERPRINT.append(digest.hexdigest()[:16])
    return _FINGERPRINT[0]


def get(k: str) -> LoadedSOP | None:
    """A new copy of the cached loaded SOP of key ``k`` (from memory, else from its file)."""
    data = _memory.get(k)
    try:
        if data is None:
            data = (cache_dir() / f"{k}.pickle").read_bytes()
        hit = pickle.loads(data)  # noqa: S301 - our own files, in a folder only this user can write
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    _memory[k] = data
    return hit


def put(k: str, loaded: LoadedSOP) -> None:
    """Keep ``loaded`` under key ``k`` (memory and file; file errors are ignored)."""
    try:
        data = pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PickleError, TypeError, AttributeError):
        return
    _memory[k] = data
    folder = cache_dir()
    try:
        from ..config import private_dir
        private_dir(folder)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")  # mode 600
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, folder / f"{k}.pickle")
        files = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime)
        for old in files[:-MAX_FILES]:
            old.unlink(missing_ok=True)
    except OSError:
        return


def clear_memory() -> None:
    """Forget the in-process level (tests)."""
    _memory.clear()
