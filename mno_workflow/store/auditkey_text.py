"""The words shown when the audit key cannot be read (missing, unreadable, too short): one French
and one English text used by the web error page, the API error and the CLI line, so every path
says the same thing and none shows a traceback or a 500."""

from __future__ import annotations

TITLE = {"fr": "Clé d'audit indisponible", "en": "Audit key unavailable"}
TEXT = {
    "fr": ("Le journal d'audit ne peut pas être signé : la clé d'audit est absente ou illisible. "
           "Rien n'a été enregistré. Prévenez l'administrateur du serveur (voir docs/audit.md, "
           "« Clé d'audit »)."),
    "en": ("The audit trail cannot be signed: the audit key is missing or unreadable. Nothing was "
           "saved. Tell the server administrator (see docs/audit.md, 'Audit key')."),
}
CODE = "audit_key_unavailable"


def cli_line(detail: str) -> str:
    """The one line the CLI prints (French, then English), with the technical ``detail``."""
    return (f"audit_key: {detail} — clé d'audit absente ou illisible, rien n'a été enregistré / "
            "audit key missing or unreadable, nothing was saved (voir/see docs/audit.md)")
