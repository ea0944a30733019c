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
from functools import cached_property
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class AuditKeyError(RuntimeError):
    """The audit key cannot be read or is too short (message says which source and why)."""


@dataclass(frozen=True)
class AuditKey:
    """A secret key and its public id (``key_id``: 16 hex digits), plus where it was read."""

    secret: bytes
    source: str

    @cached_property
    def key_id(self) -> str:
        return hashlib.sha256(self.secret).hexdigest()[:16]

    @cached_property
    def _mac(self) -> hmac.HMAC:  # keyed once; copied per text (cheaper than hmac.new)
        return hmac.new(self.secret, digestmod=hashlib.sha256)

    def sign(self, text: str) -> str:
        """HMAC-SHA256 of ``text`` (UTF-8) as 64 hex digits."""
        mac = self._mac.copy()
        mac.update(text.encode())
        return mac.hexdigest()


_cache: dict[str, AuditKey] = {}  # resolved key file → key
_from_env: dict[str, AuditKey] = {}  # $MNO_AUDIT_KEY's text → key
# Every audit event asks for the key: the answer for one ``url`` *object* (the engine's URL) and
# the same $MNO_AUDIT_KEY_FILE is kept here, with what else its path depended on (None: nothing
# else, e.g. an absolute SQLite path; else the values of $MNO_DATA_DIR, $XDG_DATA_HOME, $HOME and
# the working directory), checked again on every call: id(url) → (url, env_file, depends, key).
_by_url: dict[int, tuple[object, str | None, tuple | None, AuditKey]] = {}


def _depends() -> tuple:
    """What a relative path or the data directory depends on besides the URL."""
    env = os.environ
    return (env.get("MNO_DATA_DIR"), env.get("XDG_DATA_HOME"), env.get("HOME"), os.getcwd())


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
        from ..sop.diagnostics import said_fr  # a catalogue message: the CLI says it in --lang
        raise AuditKeyError(said_fr("la clé d'audit de {source} est trop courte ({n} caractères, 32 au "
                                    "moins)", source=source, n=len(text)))
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
        from ..i18n.files import file_error
        raise AuditKeyError(file_error(path, e)) from e


def audit_key(url: str | URL | None) -> AuditKey:
    """The audit key for the database ``url`` (see the module text for the sources).

    Raises :class:`AuditKeyError` when the key is unreadable or shorter than 32 characters.
    A change of the environment (the variables above, ``$HOME``) or of the working directory is
    seen at the next call; a changed key *file* is read again only after :func:`forget_keys`."""
    env = os.environ.get("MNO_AUDIT_KEY")
    if env:
        key = _from_env.get(env)
        if key is None:
            key = _from_env[env] = _from_text(env, "$MNO_AUDIT_KEY")
        return key
    env_file = os.environ.get("MNO_AUDIT_KEY_FILE")
    hit = _by_url.get(id(url))
    if (hit is not None and hit[0] is url and hit[1] == env_file
            and (hit[2] is None or hit[2] == _depends())):
        return hit[3]
    path = Path(env_file) if env_file else key_path(url or "sqlite://")
    depends = None if path.is_absolute() and (env_file or _sqlite_file(url)) else _depends()
    cache_key = str(path.resolve())
    if cache_key not in _cache:
        if env_file and not path.exists():
            from ..sop.diagnostics import said_fr
            raise AuditKeyError(said_fr("$MNO_AUDIT_KEY_FILE désigne {path}, qui n'existe pas",
                                        path=str(path)))
        _cache[cache_key] = _read_or_create(path)
    if len(_by_url) > 64:  # URLs built per call (strings): keep the cache small
        _by_url.clear()
    _by_url[id(url)] = (url, env_file, depends, _cache[cache_key])  # holds url: its id stays its own
    return _cache[cache_key]


def _sqlite_file(url: str | URL | None) -> bool:
    """Whether the key file of ``url`` sits next to a SQLite file (no data directory involved)."""
    u = make_url(url or "sqlite://") if not isinstance(url, URL) else url
    return u.get_backend_name() == "sqlite" and bool(u.database) and u.database != ":memory:"


def forget_keys() -> None:
    """Drop cached keys (tests that change the environment)."""
    _cache.clear()
    _from_env.clear()
    _by_url.clear()
