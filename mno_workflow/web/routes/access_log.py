"""The coordinator's access log: who read which case (pages, lists, Mon travail, API, CLI, exports
with names), every export and read of the directory's staff contacts (``/hsds`` full form), and
every reset of the practice sandbox (``web_sandbox_resets``: it deletes cases), filtered by user and
by case (law 001-2021/AN: reads of personal data are traceable)."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from sqlalchemy import select

from ...i18n import gettext
from ...protection.view_words import channel_label, what_labels
from ...store.models import Case, User
from .. import access, sop_pick
from ..core import Web
from ..log_words import detail_pairs, export_label
from ..models import CaseView, ExportLog, SandboxReset
from ..user_words import namer, user_names
from . import common

LIMIT = 500


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the route ``/journal-acces`` (coordinator only)."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    @r.get("/journal-acces")
    def access_log(request: Request, utilisateur: str = "", dossier: str = ""):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "access_log")
            who, ref = utilisateur.strip()[:100], dossier.strip()[:40].upper()
            # a coordinator tied to one SOP reads that SOP's register only (tryout 7, J9): the
            # reads of its cases, the exports and resets of its SOP's accounts
            q = (select(CaseView, Case.reference).join(Case, Case.id == CaseView.case_id)
                 .where(access.sop_admits_clause(user.sop_id, Case.sop_version_id))
                 .order_by(CaseView.at.desc(), CaseView.id.desc()).limit(LIMIT))
            if who:
                q = q.where(CaseView.user_id == who)
            if ref:
                q = q.where(Case.reference == ref)
            views = [{"at": v.at, "user": v.user_id, "role": v.role, "org": v.organisation,
                      "channel": v.channel, "reference": reference, "instance": v.instance}
                     for v, reference in s.execute(q)]
            eq = select(ExportLog).order_by(ExportLog.at.desc(), ExportLog.id.desc()).limit(LIMIT)
            if who:
                eq = eq.where(ExportLog.user_id == who)
            if user.sop_id:
                eq = eq.where(ExportLog.user_id.in_(_accounts_of(user.sop_id)))
            exports = [] if ref else list(s.scalars(eq))
            rq = select(SandboxReset).order_by(SandboxReset.at.desc(), SandboxReset.id.desc()).limit(LIMIT)
            if who:
                rq = rq.where(SandboxReset.user_id == who)
            if user.sop_id:
                rq = rq.where(SandboxReset.user_id.in_(_accounts_of(user.sop_id)))
            resets = [] if ref else list(s.scalars(rq))  # a reset names no case
            sop = sop_pick.own(web, s, user).sop
            ctx = base_ctx(request, s, user)
            users = user_names(s)
            return web.render(request, "access_log.html", {
                **ctx, "views": views, "exports": exports, "resets": resets,
                "f": {"utilisateur": who, "dossier": ref}, "tz": sop.calendar.timezone, "limit": LIMIT,
                # the channel and the step instance in words (protection/view_words.py; each distinct
                # instance once per page, not once per row), as the
                # case's timeline and the person-data record show them (issue 18: no keys shown)
                "channel_label": channel_label, "what_label": what_labels(sop, ctx["lang"]), "sop": sop,
                # an export's record as words (log_words.py), never its JSON
                "export_label": export_label, "detail_pairs": detail_pairs,
                "users": users,
                # the people whose details a page disclosed: accounts and directory contacts, by name
                "readers": {**contact_names(s), **users},
                # the user column: display names, the id in the title; a deleted account in words
                "who": namer(users, ctx["lang"]),
                "directory_names": web.directory_names(s, web.lang(request, user)),
                "agreements": agreement_names(s, ctx["lang"])})


def _accounts_of(sop_id: str):
    """The logins of the accounts tied to ``sop_id`` (a subquery)."""
    return select(User.id).where(User.sop_id == sop_id)


def agreement_names(s, lang: str) -> dict[str, str]:
    """Data-sharing agreements by id → « Accord avec <organisation> (version) » in ``lang``: the
    agreements page logs the agreements whose focal points it showed (never shown as keys)."""
    from ...directory.names_lang import names_in
    from ...directory.tables import TABLES
    from ..core import Web

    agr = TABLES["sharing_agreement"]
    orgs = names_in(Web.organisations(s), lang)
    out = {}
    for aid, oid, version in s.execute(select(agr.c.id, agr.c.organization_id, agr.c.agreement_version)):
        name = gettext("Accord avec {organisation}", lang, organisation=orgs.get(oid, oid))
        out[aid] = f"{name} ({version})" if version else name
    return out


def contact_names(s) -> dict[str, str]:
    """The directory's contacts (HSDS ``contact``), id → name: a directory page logs the contacts
    it showed by id (« ct-csps »); the access log names them."""
    from sqlalchemy import select

    from ...directory.tables import TABLES
    contact = TABLES["contact"]
    return {r.id: r.name or r.id for r in s.execute(select(contact.c.id, contact.c.name))}
