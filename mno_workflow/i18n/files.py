"""A file that cannot be read, said in words of the catalogues (« Fichier introuvable : {path} »,
"File not found: {path}"), never Python's ``[Errno 2] No such file or directory``.

Every command taking a path (``mno validate``, ``sop load``, ``directory import``, ``case fire
--json``…) reports a missing or unreadable file through :func:`file_error`. The result is a
``said_fr`` message: as a ``str`` the French text, shown in another language with ``.text(lang)``
(``mno_workflow.commands.common.error_text``, ``Diagnostic.format(lang)``).
"""

from __future__ import annotations

from typing import Any


def file_error(path: Any, exc: BaseException | None = None) -> Any:
    """What went wrong reading ``path`` (``exc``: the ``OSError`` or ``UnicodeDecodeError``
    raised; None: the file does not exist) as a message in the catalogues: words for the common
    cases (not found, access refused, a folder, disk full, read-only file system, name too long),
    else the error number's name (``EIO``), never the operating system's English text."""
    import errno

    from ..sop.diagnostics import said_fr
    path = str(path)
    if exc is None or isinstance(exc, FileNotFoundError):
        return said_fr("Fichier introuvable : {path}", path=path)
    if isinstance(exc, IsADirectoryError):
        return said_fr("« {path} » est un dossier, pas un fichier", path=path)
    if isinstance(exc, NotADirectoryError):
        return said_fr("Dossier introuvable : {path}", path=path)
    if isinstance(exc, PermissionError):
        return said_fr("Accès refusé : {path}", path=path)
    if isinstance(exc, UnicodeDecodeError):
        return said_fr("{path} n'est pas un texte UTF-8", path=path)
    code = exc.errno if isinstance(exc, OSError) else None
    if code == errno.ENOSPC:
        return said_fr("Lecture impossible de {path} : le disque est plein", path=path)
    if code == errno.EROFS:
        return said_fr("Lecture impossible de {path} : le système de fichiers est en lecture seule",
                       path=path)
    if code == errno.ENAMETOOLONG:
        return said_fr("Lecture impossible de {path} : le nom du fichier est trop long", path=path)
    if code:
        return said_fr("Lecture impossible de {path} : erreur du système {error}", path=path,
                       error=errno.errorcode.get(code, str(code)))
    return said_fr("Lecture impossible de {path}", path=path)


def write_error(path: Any, exc: OSError) -> Any:
    """What went wrong writing ``path`` (``exc``: the ``OSError`` raised) as a message in the
    catalogues: a missing folder, no permission, a folder in the way, a full disk, else the error
    number's name (never the operating system's English text)."""
    import errno

    from ..sop.diagnostics import said_fr
    path = str(path)
    if isinstance(exc, FileNotFoundError):
        return said_fr("Écriture impossible de {path} : le dossier n'existe pas", path=path)
    if isinstance(exc, PermissionError):
        return said_fr("Écriture impossible de {path} : accès refusé", path=path)
    if isinstance(exc, IsADirectoryError):
        return said_fr("Écriture impossible de {path} : c'est un dossier", path=path)
    if isinstance(exc, NotADirectoryError):
        return said_fr("Écriture impossible de {path} : un fichier porte déjà le nom d'un dossier de ce "
                       "chemin", path=path)
    if exc.errno == errno.ENOSPC:
        return said_fr("Écriture impossible de {path} : le disque est plein", path=path)
    if exc.errno == errno.EROFS:
        return said_fr("Écriture impossible de {path} : le système de fichiers est en lecture seule",
                       path=path)
    if exc.errno == errno.ENAMETOOLONG:
        return said_fr("Écriture impossible de {path} : le nom du fichier est trop long", path=path)
    name = errno.errorcode.get(exc.errno or 0, "?")
    return said_fr("Écriture impossible de {path} : erreur du système {error}", path=path, error=name)


def folder_missing(path: Any) -> Any:
    """« Dossier introuvable : {path} » (a folder argument that does not exist)."""
    from ..sop.diagnostics import said_fr
    return said_fr("Dossier introuvable : {path}", path=str(path))
