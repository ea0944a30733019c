"""``mno user list``: the accounts of this database for a coordinator on the command line —
login, name, role, SOP (its title; « toutes les POS » without one), region and organisation in
words (the SOP's labels, the directory's names, a first responders' post by its account's name),
state — as aligned text or JSON (codes kept for scripts). Tryout 3, F24."""

from __future__ import annotations

import json
from typing import Any

import typer


def _names(s: Any) -> dict[str, str]:
    """Directory organisations, id → name (empty without a directory)."""
    from sqlalchemy import inspect, select

    from .directory.tables import TABLES
    org = TABLES["organization"]
    if not inspect(s.connection()).has_table(org.name):
        return {}
    return {r.id: r.name for r in s.execute(select(org.c.id, org.c.name))}


def print_users(engine: Any, fmt: str, inactive: bool) -> None:
    """Print the accounts (active ones unless ``inactive``), sorted by role then login; ``fmt``
    ``text`` (columns as wide as their widest cell) or ``json``. Exit 2 on another format."""
    from sqlalchemy import select

    from .commands.common import _, fail, lang, ngettext
    from .i18n.phones import phone_text
    from .protection.view_words import role_name
    from .store.models import SopVersion, User

    if fmt not in ("text", "json"):
        fail(_("--format : text ou json"), 2)
    language = lang()
    with engine.sessions() as s:
        q = select(User).order_by(User.role, User.id)
        users = list(s.scalars(q if inactive else q.where(User.active.is_(True))))
        # every SOP's region labels (the newest version of each): the accounts of one country keep
        # their labels once another country's SOP is loaded (tryout 4, G6)
        newest = {v.sop_id: v for v in s.scalars(select(SopVersion).order_by(SopVersion.id))}
        sops = [engine.registry.compiled(v).sop for v in sorted(newest.values(), key=lambda v: -v.id)]
        from .user_sops import known_sops, sop_label
        titles = known_sops(s, engine.registry)
        from .directory.names_lang import names_in
        from .views import post_names
        orgs = names_in(_names(s), language)  # the directory's name, in the reader's language
        # a first responders' post is in no directory nor SOP: its account's name (tryout 5, G6)
        orgs.update(post_names(s, {u.organisation for u in users if u.organisation} - set(orgs)))
    if fmt == "json":
        typer.echo(json.dumps([{"id": u.id, "name": u.display_name, "role": u.role, "region": u.region,
                                "organisation": u.organisation, "email": u.email, "phone": u.phone,
                                "language": u.language, "active": bool(u.active), "sop": u.sop_id}
                               for u in users],
                              ensure_ascii=False, indent=2))
        return
    regions: dict[str, str] = {}
    for sop in sops:
        for code, label in (sop.options.get("region") or {}).items():
            regions.setdefault(code, sop.label(label, language))

    def region(code: str | None) -> str:
        return regions.get(code or "", code or "—")

    # the SOP column once the database holds several SOPs, or an account is tied to one (H24)
    by_sop = len(titles) > 1 or any(u.sop_id for u in users)
    table = [(u.id, u.display_name or "—", role_name(u.role, language),
              *((sop_label(u.sop_id, titles, language),) if by_sop else ()),
              region(u.region), orgs.get(u.organisation or "", u.organisation or "—"),
              phone_text(u.phone) or "—", _("actif") if u.active else _("désactivé"))
             for u in users]
    head = (_("Identifiant"), _("Nom"), _("Rôle"), *((_("POS"),) if by_sop else ()), _("Région"),
            _("Organisation"), _("Téléphone"), _("État"))
    if table:
        widths = [max(len(r[i]) for r in [head, *table]) for i in range(len(head))]
        for r in [head, *table]:
            typer.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    typer.echo(ngettext("{n} compte", "{n} comptes", len(users)))
