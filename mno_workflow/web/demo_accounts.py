"""The demo accounts list printed by ``mno serve --demo``: each account's login, then the person's
name, the role's name and the organisation's name (or the region's), in the ``--lang`` language —
never an organisation id or a role code."""

from __future__ import annotations

from typing import Any

from ..i18n import current, gettext


def demo_account_lines(wf: Any, logins: dict[str, str], demo_password: str | None,
                       lang: str | None = None) -> list[str]:
    """The lines printed at start: a heading (the shared password, or « random passwords »), then
    one line per demo account (``login  Name — Role @ Organisation  password: …``). Organisation
    names are read from the directory of ``wf``'s database (the id when it is not there)."""
    from sqlalchemy import select

    from ..directory.areas import default_registry
    from ..directory.tables import TABLES
    from .demo_data import demo_users
    from .i18n import role_label

    lang = lang or current.get()
    org = TABLES["organization"]
    with wf.sessions() as s:
        orgs = {oid: name for oid, name in s.execute(select(org.c.id, org.c.name)) if name}
    areas = default_registry()
    shared = len(set(logins.values())) == 1
    if shared and demo_password:
        lines = [gettext("Comptes de démonstration (mot de passe : {password}) :", lang,
                         password=demo_password)]
    else:
        lines = [gettext("Comptes de démonstration (mots de passe aléatoires de cette exécution) :", lang)]
    for u in demo_users():
        if u.organisation:  # not in the directory (the FDS post): the person's name says it
            where = f" @ {orgs[u.organisation]}" if u.organisation in orgs else ""
        elif u.region:
            codes = sorted(areas.resolve_regions(u.region))
            where = f" ({', '.join(areas.areas[c].name for c in codes) or u.region})"
        else:
            where = ""
        pw = "" if demo_password else "  " + gettext("mot de passe : {password}", lang,
                                                      password=logins.get(u.id, "?"))
        lines.append(f"  {u.id:<20} {u.name} — {role_label(u.role, lang)}{where}{pw}")
    return lines
