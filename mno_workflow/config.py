"""Settings of MNO Workflow, from four places; the first that gives a value wins:

1. the command line (``mno --db URL …``, ``--lang``, ``--log-format``);
2. environment variables (``MNO_DATABASE_URL``, ``MNO_DATA_DIR``, ``MNO_SECRET_KEY``, ``MNO_LANG``,
   ``MNO_LOG_FORMAT``, ``MNO_LOG_LEVEL``, ``MNO_SMTP_HOST`` …);
3. the configuration file: ``$MNO_CONFIG``, else ``mno.toml`` in the working folder (the current
   directory); relative paths in it are relative to the file's folder;
4. defaults: the data directory ``./data`` (``MNO_DATA_DIR``) holds the SQLite file ``mno.db``, the
   session secret ``secret-key`` and generated files; it is created with mode 700, the files 600.

The file's values are applied as the environment variables they stand for, when those are not set,
so every part of the application reads one place (``os.environ``). See ``docs/deployment.md``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .i18n import N_

#: Keys of ``mno.toml`` (top level, and the ``[smtp]`` table) and the variable each one sets.
FILE_KEYS = {
    "database_url": "MNO_DATABASE_URL", "data_dir": "MNO_DATA_DIR", "secret_key": "MNO_SECRET_KEY",
    "lang": "MNO_LANG", "log_format": "MNO_LOG_FORMAT", "log_level": "MNO_LOG_LEVEL",
    "source_url": "MNO_SOURCE_URL", "public_url": "MNO_PUBLIC_URL",
}
SMTP_KEYS = {"host": "MNO_SMTP_HOST", "port": "MNO_SMTP_PORT", "from": "MNO_SMTP_FROM",
             "user": "MNO_SMTP_USER", "password": "MNO_SMTP_PASSWORD", "starttls": "MNO_SMTP_STARTTLS"}
PATH_KEYS = ("data_dir",)
LEGACY_DB = "mno.db"


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or has an unknown key or a bad value."""


def _error(msgid: str, **values: Any) -> ConfigError:
    """A :class:`ConfigError` saying ``msgid`` (French source text) with ``values``: French as a
    ``str``, in another language through the catalogues (``commands.common.error_text``)."""
    from .sop.diagnostics import said_fr  # here: a good configuration loads no SOP schema
    return ConfigError(said_fr(msgid, **values))


def config_file() -> Path | None:
    """``$MNO_CONFIG`` (must exist), else ``./mno.toml`` when present, else None."""
    named = os.environ.get("MNO_CONFIG")
    if named:
        p = Path(named).expanduser()
        if not p.is_file():
            raise _error(N_("MNO_CONFIG={path} : fichier de configuration introuvable"), path=named)
        return p
    p = Path("mno.toml")
    return p if p.is_file() else None


def read_file(path: Path) -> dict[str, str]:
    """The variables a configuration file sets: ``{"MNO_DATABASE_URL": ..., ...}``.

    Raises ConfigError (with the file name and the accepted keys) for bad TOML or unknown keys."""
    import re
    import tomllib
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        from .i18n.files import file_error
        raise ConfigError(file_error(path, e)) from None  # a said_fr message
    except tomllib.TOMLDecodeError as e:  # its English message ends with « (at line 3, column 5) »
        at = re.search(r"line (\d+), column (\d+)", str(e))
        raise _error(N_("{path} : configuration illisible (TOML invalide, ligne {line}, colonne {column})"),
                     path=str(path), line=at.group(1) if at else "?",
                     column=at.group(2) if at else "?") from None
    out: dict[str, str] = {}
    base = path.resolve().parent
    for key, value in data.items():
        if key == "smtp" and isinstance(value, dict):
            for k, v in value.items():
                if k not in SMTP_KEYS:
                    raise _error(N_("{path} : clé inconnue {key} (acceptées : {accepted})"),
                                 path=str(path), key=f"smtp.{k}", accepted=", ".join(SMTP_KEYS))
                out[SMTP_KEYS[k]] = str(v).lower() if isinstance(v, bool) else str(v)
            continue
        if key not in FILE_KEYS:
            accepted = ", ".join([*FILE_KEYS, "smtp"])
            raise _error(N_("{path} : clé inconnue {key} (acceptées : {accepted})"),
                         path=str(path), key=repr(key), accepted=accepted)
        text = str(value)
        if key == "public_url" and not text.strip().startswith(("http://", "https://")):
            raise _error(N_("{path} : public_url doit être une adresse http(s)://, reçu « {value} »"),
                         path=str(path), value=text)
        if key in PATH_KEYS:
            text = str((base / Path(text).expanduser()).resolve())
        if key == "database_url" and text.startswith("sqlite:///") and not text.startswith("sqlite:////"):
            text = f"sqlite:///{(base / text.removeprefix('sqlite:///')).resolve()}"
        out[FILE_KEYS[key]] = text
    return out


def apply_file() -> Path | None:
    """Apply the configuration file (if any) to ``os.environ`` where a variable is not already set;
    returns the file used. Raises ConfigError."""
    path = config_file()
    if path is not None:
        for var, value in read_file(path).items():
            os.environ.setdefault(var, value)
    return path


def data_dir(create: bool = True) -> Path:
    """The data directory (``$MNO_DATA_DIR``, default ``./data``), created with mode 700."""
    p = Path(os.environ.get("MNO_DATA_DIR") or "data").expanduser().resolve()
    if create and not p.is_dir():
        private_dir(p)
    return p


def private_dir(path: Path) -> Path:
    """Create the folder ``path`` and every missing parent with mode 700 (owner only), whatever the
    umask; folders that already exist are left as they are. Returns ``path``. Raises OSError."""
    missing = []
    p = Path(path)
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:  # created just now by another process
            continue
        folder.chmod(0o700)  # mkdir's mode is filtered by the umask
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 600 if it does not exist; returns it."""
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    return path


def default_database_url() -> str:
    """``sqlite:///<data dir>/mno.db`` (file created with mode 600).

    Raises ConfigError when an older ``mno.db`` sits in the current folder and the data directory
    has none yet: the user is told to move it or to name it with ``--db``, never silently given an
    empty database."""
    target = data_dir(create=False) / "mno.db"
    legacy = Path(LEGACY_DB).resolve()
    if not target.exists() and legacy.is_file() and legacy != target:
        raise _error(N_(
            "un fichier {legacy} existe dans ce dossier, mais la base par défaut est désormais "
            "{target} ; déplacez-le (mkdir -p {folder} && mv {legacy} {target}) ou "
            "indiquez-le : --db {legacy}"), legacy=LEGACY_DB, target=str(target), folder=str(target.parent))
    data_dir()
    return f"sqlite:///{private_file(target)}"


def secret_key_file() -> Path:
    """The file of the session secret: ``<data dir>/secret-key`` (an older ``.mno-secret-key`` of the
    current folder is still read when the new file does not exist)."""
    target = data_dir(create=False) / "secret-key"
    legacy = Path(".mno-secret-key")
    if not target.exists() and legacy.is_file():
        return legacy
    data_dir()
    return target
