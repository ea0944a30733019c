"""A cache of loaded SOPs by content hash, so a process that starts (``mno case fire``, a web
worker, the first ``fire`` after a restart) does not parse and validate an unchanged SOP again.

Key: SHA-256 of the SOP text, its path (diagnostics name it), the MNO version (a new release
may validate differently) and a hash of the language model's source (a changed model on the same
version, e.g. a development branch sharing the cache folder, must not read old objects).
Two levels: this process (a dict) and files under
``$MNO_CACHE_DIR`` (default ``$XDG_CACHE_HOME/mno-workflow``, else ``~/.cache/mno-workflow``;
folder mode 700, files 600, written atomically). Only SOPs that loaded without error and have no
``imports:`` (an imported file may change while the text does not) are cached. A cache that
cannot be read or written is ignored: the SOP is then loaded from its text, as without cache.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .loader import LoadedSOP

_memory: dict[str, bytes] = {}  # pickled: every caller gets its own objects (nothing shared)
MAX_FILES = 200  # the oldest files beyond this are removed
_IMPORTS = re.compile(r"^imports\s*:", re.MULTILINE)


def cache_dir() -> Path:
    """The folder of the cache files."""
    named = os.environ.get("MNO_CACHE_DIR")
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mno-workflow"


def key(text: str, path: str) -> str | None:
    """The cache key of an SOP text, or None when it must not be cached (it has imports)."""
    if _IMPORTS.search(text):
        return None
    from .. import __version__
    return hashlib.sha256(f"{__version__}\0{_schema_fingerprint()}\0{path}\0{text}".encode()).hexdigest()


_fingerprint: list[str] = []


def _schema_fingerprint() -> str:
    """A hash of the language's model source (``schema*.py``): a checkout whose model changed
    (same release number, e.g. a development branch) never reads objects pickled by another."""
    if not _fingerprint:
        h = hashlib.sha256()
        for f in sorted(Path(__file__).parent.glob("schema*.py")):
            try:
                h.update(f.read_bytes())
            except OSError:
                pass
        _fingerprint.append(h.hexdigest()[:16])
    return _fingerprint[0]


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
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
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
