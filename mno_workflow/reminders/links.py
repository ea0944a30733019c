"""Where a notification sends its reader: the path of the place to act (the case page at the
step's box, or the provider's referral page), and the absolute link e-mails need.

The public address of the server is the setting ``public_url`` of ``mno.toml`` (variable
``MNO_PUBLIC_URL``, e.g. ``https://mno.example.org``). Without it, e-mails carry the case
reference and the path (``/dossiers/MNR-BF-000046#instance-12``), and the server's start-up
says so (:func:`relative_links_warning`): never a silent skip.
"""

from __future__ import annotations

import os
from urllib.parse import quote

from ..i18n import gettext

__all__ = ["absolute", "mail_path", "place_path", "public_url", "relative_links_warning"]

PROVIDER_ROLE = "provider"
#: Templates of notices that need no access to their case: no link, no case page (the former case
#: manager's notice of a reassignment, engine/reassign_notify.py).
NO_CASE_TEMPLATES = frozenset({"reassigned_away"})


def public_url() -> str:
    """``$MNO_PUBLIC_URL`` without its trailing ``/`` when it is an ``http(s)://`` address; else
    ``""`` (unset, or not an address: :func:`relative_links_warning` reports it)."""
    value = (os.environ.get("MNO_PUBLIC_URL") or "").strip().rstrip("/")
    return value if value.startswith(("http://", "https://")) else ""


def place_path(reference: str | None, step: str | None = None, instance: str | None = None, *,
               provider: bool = False, done: bool = False) -> str | None:
    """The path of the place to act on a case step: ``/prestataire/<ref>/<step>:<instance>`` for a
    provider, else ``/dossiers/<ref>#step-<step>-<instance>`` (the case page at the step's box;
    without the anchor when ``done``, or when the step or instance is not known). None without a
    reference."""
    if not reference:
        return None
    ref = quote(str(reference), safe="")
    if provider:
        return f"/prestataire/{ref}/{step}:{instance}" if step and instance else "/prestataire"
    return f"/dossiers/{ref}" + (f"#step-{step}-{instance}" if step and instance and not done else "")


def mail_path(reference: str | None, instance_id: int | None = None, *, provider: bool = False) -> str:
    """The path an e-mail links to, naming no need (a referral's instance key is the need: personal
    data in a message): ``/prestataire/<ref>/<instance id>`` for a provider, else
    ``/dossiers/<ref>#instance-<instance id>`` (the step's box); without an instance the provider's
    inbox or the case page; ``/`` without a reference."""
    if not reference:
        return "/prestataire" if provider else "/"
    ref = quote(str(reference), safe="")
    if provider:
        return f"/prestataire/{ref}/{instance_id}" if instance_id else "/prestataire"
    return f"/dossiers/{ref}" + (f"#instance-{instance_id}" if instance_id else "")


def absolute(path: str) -> str:
    """``path`` prefixed with :func:`public_url` (the path alone when there is none)."""
    return public_url() + path


def relative_links_warning(lang: str | None = None) -> str | None:
    """The start-up warning when e-mails cannot carry absolute links (``MNO_PUBLIC_URL`` unset or
    not an ``http(s)://`` address), in ``lang``; None when the setting is right."""
    raw = (os.environ.get("MNO_PUBLIC_URL") or "").strip()
    if public_url():
        return None
    if raw:
        return gettext("MNO_PUBLIC_URL={value} n'est pas une adresse http(s):// : les liens des courriels "
                       "sont relatifs (chemin seul, ex. /dossiers/…).", lang, value=raw)
    return gettext("Adresse publique du serveur non définie (public_url dans mno.toml ou MNO_PUBLIC_URL) : "
                   "les liens des courriels sont relatifs (chemin seul, ex. /dossiers/…).", lang)
