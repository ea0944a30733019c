"""The secret key of the audit chain, kept outside the database, and the keyed digest it gives.

Why HMAC-SHA256 and not Ed25519 signatures: the threat is a person who can write to the
database (a stolen backup restored and edited, a rogue administrator with SQL access) but does
not hold the key. Both schemes stop that person; HMAC needs no extra dependency, costs about a
microsecond per event inside every ``fire`` (an Ed25519 signature costs ~50 µs), and the key
is needed to verify anyway because verification happens on the server. A checkpoint file
(:mod:`mno_workflow.store.checkpoint`) is HMAC-signed with the same key.

Where the key comes from, first match wins:

1. ``$MNO_AUDIT_KEY``: the key itself (any string of at least 32 characters, e.g. 64 hex digits);
2. ``$MNO_AUDIT_KEY_FILE``: a file holding it;
3. a SQLite database ``/path/mno.db``: the file ``/path/mno.db.audit-key`` next to it;
4. any other database (PostgreSQL): ``$MNO_DATA_DIR/audit-<host>-<database>.key``, where
   ``$MNO_DATA_DIR`` defaults to ``$XDG_DATA_HOME/mno-workflow`` (``~/.local/share/mno-workflow``).

In cases 3 and 4 the file is created on first use with 32 random bytes (64 hex digits) and mode
600. Keep a copy of it in a safe place: without it the chain cannot be verified (``mno audit
verify`` then says "signed with another key"). The key's id (first 16 hex digits of its SHA-256)
is stored with each event, never the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class AuditKeyError(RuntimeError):
    """The audit key cannot be read or is too short (message says which source and why)."""


@dataclass(frozen=True)
class AuditKey:
    """A secret key and its public id (``key_id``: 16 hex digits), plus where it was read."""

    secret: bytes
    source: str

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.secret).hexdigest()[:16]

    def sign(self, text: str) -> str:
        """HMAC-SHA256 of ``text`` (UTF-8) as 64 hex digits."""
        return hmac.new(self.secret, text.encode(), hashlib.sha256).hexdigest()


_cache: dict[str, AuditKey] = {}
_fast: dict[tuple, AuditKey] = {}  # (url, environment, working directory) → key, see audit_key


def key_path(url: str | URL) -> Path:
    """The key file used for the database ``url`` when neither environment variable is set."""
    u = make_url(url) if isinstance(url, str) else url
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        return Path(u.database + ".audit-key")
    base = os.environ.get("MNO_DATA_DIR") or str(
        Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "mno-workflow")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{u.host or 'local'}-{u.database or 'default'}")
    return Path(base) / f"audit-{name}.key"


def _from_text(text: str, source: str) -> AuditKey:
    text = text.strip()
    if len(text) < 32:
        raise AuditKeyError(f"audit key from {source} is too short ({len(text)} characters, at least 32)")
    return AuditKey(text.encode(), source)


def _read_or_create(path: Path) -> AuditKey:
    if not path.exists():
        from ..config import private_dir
        private_dir(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it just now
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
    try:
        return _from_text(path.read_text(encoding="utf-8"), str(path))
    except OSError as e:
        raise AuditKeyError(f"audit key file {path} cannot be read: {e.strerror}") from e


def audit_key(url: str | URL | None) -> AuditKey:
    """The audit key for the database ``url`` (see the module text for the sources).

    Raises :class:`AuditKeyError` when the key is unreadable or shorter than 32 characters."""
    env = os.environ.get("MNO_AUDIT_KEY")
    if env:
        return _from_text(env, "$MNO_AUDIT_KEY")
    env_file = os.environ.get("MNO_AUDIT_KEY_FILE")
    # Every audit event asks: skip resolving the path again (file-system calls) for the same
    # database, environment and working directory.
    fast_key = (url, env_file, os.environ.get("MNO_DATA_DIR"), os.environ.get("XDG_DATA_HOME"), os.getcwd())
    hit = _fast.get(fast_key)
    if hit is not None:
        return hit
    path = Path(env_file) if env_file else key_path(url or "sqlite://")
    cache_key = str(path.resolve())
    if cache_key not in _cache:
        if env_file and not path.exists():
            raise AuditKeyError(f"$MNO_AUDIT_KEY_FILE names {path}, which does not exist")
        _cache[cache_key] = _read_or_create(path)
    _fast[fast_key] = _cache[cache_key]
    return _cache[cache_key]


def forget_keys() -> None:
    """Drop cached keys (tests that change the environment)."""
    _cache.clear()
    _fast.clear()
