"""The words shown when the audit key cannot be read (missing, unreadable, too short): catalogue
messages used by the web error page and the API error, and the CLI line, so every path
says the same thing and none shows a traceback or a 500."""

from __future__ import annotations

from ..i18n import N_

#: French message ids (English and other languages: the catalogues), shown with ``gettext(…, lang)``
TITLE = N_("Clé d'audit indisponible")
TEXT = N_("Le journal d'audit ne peut pas être signé : la clé d'audit est absente ou illisible. "
          "Rien n'a été enregistré. Prévenez l'administrateur du serveur (voir docs/audit.md, "
          "« Clé d'audit »).")
CODE = "audit_key_unavailable"


def cli_line(detail: object, lang: str | None = None) -> str:
    """The one line the CLI prints in ``lang`` (``mno --lang``), with the ``detail`` (the
    :class:`~mno_workflow.store.auditkey.AuditKeyError` itself, or its catalogue message) in
    ``lang`` too."""
    from ..i18n import gettext
    from ..sop.diagnostics import text_in
    if isinstance(detail, BaseException):
        detail = detail.args[0] if detail.args else ""
    detail = text_in(detail, lang)
    return gettext("audit_key: {detail} — clé d'audit absente ou illisible, rien n'a été enregistré "
                   "(voir docs/audit.md)", lang, detail=detail)
