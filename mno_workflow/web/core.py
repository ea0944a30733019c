"""What pages and the API share: the engine, the templates, SOP look-ups, diagrams, the user.

One :class:`Web` object per application (``app.state.web``).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import __version__, logs
from ..directory.names_lang import in_lang, names_in
from ..directory.tables import TABLES
from ..engine.compile import CompiledSOP
from ..engine.engine import WorkflowEngine
from ..render import diagrams
from ..sop.diagnostics import severity_word, text_in
from ..sop.schema import SOP
from ..store.models import AuditEvent, Case, SopVersion, User
from . import access, i18n

#: The reasons the one-click extension of « Mon travail » offers (catalogue keys; the supervisor
#: picks one: an extension is granted with a recorded reason, DOMAIN; tryout 5, H18).
QUICK_REASONS = ("extend_provider_called", "extend_person_unreachable", "extend_awaiting_documents")

HERE = Path(__file__).resolve().parent


class LoginRequired(Exception):
    """No signed-in user: pages redirect to the login page, the API answers 401."""


SOURCE_URL = "https://pypi.org/project/mno-workflow/{version}/#files"


class Web:
    def __init__(self, wf: WorkflowEngine, secret_key: str, sop_id: str | None = None):
        self.wf = wf
        self.secret_key = secret_key
        self._sop_id = sop_id
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        env = self.templates.env
        from ..i18n import colon
        from ..i18n.jinja import install
        install(env)  # {{ _("…") }} and {% trans %} in the page's language (gettext catalogues)
        from .nobreak import nobreak
        env.filters["nobreak"] = nobreak  # dates kept on one line on a phone (issue 18)
        from ..i18n.phones import phone_text
        from ..kit.coverage import percent_text
        env.filters["phone"] = phone_text  # one format for every number (tryout 2, finding 22)
        env.globals.update(
            t=i18n.t,
            fmt_date=i18n.fmt_date,
            fmt_datetime=i18n.fmt_datetime,
            due_words=i18n.due_words,
            static_url=lambda name: f"/static/{name}",  # fingerprinted by create_app
            role_label=i18n.role_label,
            # « Nom : » in French, « Name: » in English: the catalogue's separator (i18n.colon)
            colon=colon,
            can=access.can,
            quote=quote,
            # AGPL § 13: every page links to the source of the running version (MNO_SOURCE_URL
            # or source_url in mno.toml when the code was modified)
            source_url=os.environ.get("MNO_SOURCE_URL") or SOURCE_URL.format(version=__version__),
            app_version=__version__,
            in_lang=in_lang,  # a directory name in the reader's language (directory/names_lang.py)
            # an SOP diagnostic's message, hint and severity in the reader's language, as mno validate
            said_in=text_in,
            severity_word=severity_word,
            quick_reasons=QUICK_REASONS,  # the one-click extension's reasons (tryout 5, H18)
            percent_text=percent_text,  # « 87,5 % » as mno test writes it (tryout 5, H9)
        )
        self._svg: dict[tuple, bytes] = {}
        self._lock = threading.Lock()

    # -- SOP ----------------------------------------------------------------------------------
    def sop_id(self, s: Session) -> str:
        if self._sop_id is None:
            row = s.scalar(select(SopVersion).order_by(SopVersion.id).limit(1))
            if row is None:
                from ..engine.errors import Message, SOPNotFound

                raise SOPNotFound(Message.t("Aucune POS chargée."))
            self._sop_id = row.sop_id
        return self._sop_id

    def latest(self, s: Session) -> CompiledSOP:
        return self.wf.registry.compiled(self.wf.registry.latest(s, self.sop_id(s)))

    def compiled_for(self, case: Case) -> CompiledSOP:
        return self.wf.registry.for_case(case)

    def now(self):
        return self.wf.clock.now()

    # -- user ---------------------------------------------------------------------------------
    def user(self, request: Request, s: Session) -> User:
        uid = request.scope.get("mno.uid")  # set by websessions.ServerSessionMiddleware
        user = s.get(User, uid) if uid else None
        if user is None or not user.active:
            request.session.pop("uid", None)
            request.session.pop("sid", None)
            raise LoginRequired()
        logs.user_id.set(user.id)  # in the log lines of this request (an id, never a name)
        return user

    @staticmethod
    def lang(request: Request, user: User | None = None) -> str:
        lang = request.session.get("lang") or (user.language if user else None)
        if lang is None:  # signed out, no choice made yet: the browser's language (tryout 3, F29)
            from ..i18n import best_lang
            return best_lang(request.headers.get("accept-language"))
        return i18n.norm_lang(lang)

    # -- diagrams -----------------------------------------------------------------------------
    def svg(self, key: tuple, dot_source: str, cache: bool = True) -> bytes:
        """SVG of a DOT source (cached by ``key`` when ``cache``). Raises DiagramError."""
        if cache and key in self._svg:
            return self._svg[key]
        data = diagrams.render_bytes(dot_source, "svg")
        if cache:
            with self._lock:
                self._svg[key] = data
        return data

    @staticmethod
    def case_path(events: list[AuditEvent], inst_step: str, inst_key: str) -> list[tuple[str, str, str]]:
        return [
            (e.from_state, e.trigger or "", e.to_state)
            for e in events
            if e.action == "fire"
            and e.step == inst_step
            and e.instance_key == inst_key
            and e.from_state
            and e.to_state
        ]

    # -- labels -------------------------------------------------------------------------------
    @staticmethod
    def option_label(sop: SOP, options: str, code: str | None, lang: str) -> str:
        if not code:
            return ""
        return sop.label(sop.options.get(options, {}).get(code), lang) or code

    @staticmethod
    def organisations(s: Session, lang: str | None = None) -> dict[str, str]:
        """The directory's organisations, id → name; with ``lang``, each name in that language
        where the directory's translations give it (:mod:`..directory.names_lang`)."""
        org = TABLES["organization"]
        names = {r.id: r.name for r in s.execute(select(org.c.id, org.c.name).order_by(org.c.name))}
        return names_in(names, lang) if lang else names

    @staticmethod
    def directory_names(s: Session, lang: str | None = None) -> dict[str, str]:
        """Organisations and services of the directory by id → name (the ids of the two tables are
        distinct), for showing a stored recipient or directory service by its name (in ``lang``)."""
        svc = TABLES["service"]
        names = Web.organisations(s)
        names.update({r.id: r.name for r in s.execute(select(svc.c.id, svc.c.name))})
        return names_in(names, lang) if lang else names

    @staticmethod
    def organisation_names(s: Session, lang: str | None = None) -> dict[str, str]:
        """Every organisation a page may name, id → name: the directory's, then an organisation
        held by users but not in the directory (a first responders' post, ``fds-poste-…``) by the
        name of its account (« Agent FDS, poste de Seytenga ») — never its key."""
        names = Web.organisations(s, lang)
        for oid, name in s.execute(select(User.organisation, User.display_name)
                                   .where(User.organisation.is_not(None)).order_by(User.id)):
            names.setdefault(oid, name)
        return names

    def org_namer(self, lang: str | None = None):
        """``org_name(id)``: an organisation's name from the directory (its id when the directory
        has none), for templates that print an organisation (header, timeline, notes, logs:
        never a key like ``org-csps``). The names are read once per page, at the first call."""
        names: dict[str, str] | None = None

        def org_name(oid: str | None) -> str:
            nonlocal names
            if not oid:
                return ""
            if names is None:
                with self.wf.sessions() as s:
                    names = self.organisation_names(s, lang)
            return names.get(oid, oid)

        return org_name

    def user_namer(self, lang: str | None = None):
        """``user_name(id[, role])``: a person by display name (web/user_words.py: « compte
        supprimé » with the id when no user row names it), for templates that print who did
        something (timeline, notes, changes since a form was opened): never a login. The names are
        read once per page, at the first call."""
        names: dict[str, str] | None = None

        def user_name(uid: str | None, role: str | None = None) -> str:
            nonlocal names
            from .user_words import user_names, user_shown
            if not uid:
                return ""
            if names is None:
                with self.wf.sessions() as s:
                    names = user_names(s)
            u = user_shown(uid, names, lang or "fr", role)
            return u.name if u.known else f"{u.name} ({u.id})"

        return user_name

    def render(
        self,
        request: Request,
        name: str,
        ctx: dict[str, Any],
        status: int = 200,
        headers: dict[str, str] | None = None,
    ):
        ctx.setdefault("lang", "fr")
        ctx.setdefault("user", None)
        token_fn = request.scope.get("csrftoken")
        ctx["csrf"] = token_fn() if callable(token_fn) else ""
        ctx["path"] = request.url.path
        session = request.session if "session" in request.scope else {}
        for kind in ("flash", "flash_error", "flash_warning"):  # done / not done / done, but look
            ctx[kind] = session.pop(kind, None) or ctx.get(kind)  # or the page's own (case tools)
        ctx.setdefault("org_name", self.org_namer(ctx["lang"]))
        ctx.setdefault("user_name", self.user_namer(ctx["lang"]))
        return self.templates.TemplateResponse(request, name, ctx, status_code=status, headers=headers)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site absolute paths (no scheme, no ``//host``, no backslash)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
