"""The SOP workbench (``/pos/atelier``, coordinator and ``sop_author`` roles): SOPs and versions
with their open cases, drafts in the database, the YAML editor with diagnostics at their line and
the draft's diagram re-rendered as the author types (htmx, debounced), scenarios, comparison with
the published version, and publication with the migration plan of affected open cases.
The work itself is in :mod:`mno_workflow.web.workbench`."""

from __future__ import annotations

import html
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from ...engine.errors import EngineError
from ...i18n import N_, colon, gettext, ngettext
from ...render import diagrams
from ...sop.diagnostics import SOPError
from ...store.models import SopDraft, SopVersion, User
from .. import access, workbench
from ..core import Web
from ..security import CSP
from . import common

MAX_TEXT = 400_000
# The editor page only: CodeMirror sets inline styles (line heights, gutters); scripts stay 'self'.
EDITOR_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


log = logging.getLogger(__name__)


def _diagram_error(e: Exception, lang: str) -> str:
    """Why the draft's diagram cannot be drawn, in ``lang``: Graphviz missing (its catalogue
    message), else a sentence with the detail in the server log (never the renderer's English)."""
    from ...render.diagram_render import DotNotFound
    from ...sop.diagnostics import text_in
    if isinstance(e, DotNotFound) and e.args:
        return text_in(e.args[0], lang)
    log.warning("draft diagram cannot be drawn: %s", e)
    return gettext("Le schéma n'a pas pu être dessiné (détail dans le journal du serveur).", lang)


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes under ``/pos/atelier``."""
    wf = web.wf

    def base_ctx(request, s, user) -> dict[str, Any]:
        """The pages' context, with the words of the workbench: an SOP by its title (never
        ``mnr_bf``), an author by name, instants in the SOP's time zone (issue 18)."""
        ctx = common.base_ctx(web, request, s, user)
        lang = ctx["lang"]
        titles: dict[str, str] = {}
        for sid in s.scalars(select(SopVersion.sop_id).distinct()):
            sop = wf.registry.compiled(wf.registry.latest(s, sid)).sop
            titles[sid] = sop.label(sop.title, lang)
        names = dict(s.execute(select(User.id, User.display_name)).all())
        ctx.update(sop_title=lambda sid: titles.get(sid, sid), author_name=lambda uid: names.get(uid, uid),
                   tz=web.latest(s).sop.calendar.timezone)
        return ctx

    def _user(request, s):
        user = web.user(request, s)
        access.require(user, "sop_workbench")
        return user

    def _draft(s, number: int, user: User) -> SopDraft:
        """Draft ``number`` (latest revision); 404 when there is none, or when it is a draft of
        another SOP than the author's (``users.sop_id``; tryout 7, J3's rule for authors)."""
        row = workbench.latest_revision(s, number)
        if row is None or not access.sop_admits(user.sop_id, row.sop_id):
            raise access.NotVisible()
        return row

    def _scenarios(draft: SopDraft) -> dict[str, str]:
        """The draft's own scenarios ``{file name: text}``, by name (JSONB keeps no key order)."""
        return {k.split("/", 1)[1]: v for k, v in sorted((draft.files or {}).items())
                if k.startswith("scenarios/")}

    @r.get("/pos/atelier")
    def workbench_home(request: Request):
        with wf.sessions() as s:
            user = _user(request, s)
            versions = [v for v in s.scalars(select(SopVersion).order_by(SopVersion.sop_id, SopVersion.id))
                        if access.sop_admits(user.sop_id, v.sop_id)]  # an author's own SOP only
            return web.render(request, "workbench.html", {
                **base_ctx(request, s, user), "versions": versions,
                "open_cases": workbench.open_cases_by_version(s),
                "drafts": [d for d in workbench.drafts(s) if access.sop_admits(user.sop_id, d.sop_id)],
                "sop_ids": sorted({v.sop_id for v in versions})})

    @r.get("/pos/atelier/schema.json")
    def workbench_schema(request: Request):
        """The SOP language's JSON Schema (docs/sop-language.schema.json), for the editor's
        completion of keys and values."""
        from ...sop.jsonschema import build_schema
        with wf.sessions() as s:
            _user(request, s)
        return JSONResponse(build_schema(), headers={"Cache-Control": "private, max-age=3600"})

    @r.post("/pos/atelier/brouillons")
    async def workbench_new(request: Request):
        form = await request.form()
        sop_id = str(form.get("sop_id", ""))[:64]
        with wf.sessions.begin() as s:
            user = _user(request, s)
            if not access.sop_admits(user.sop_id, sop_id):  # another SOP's: as if unknown
                raise access.NotVisible()
            try:
                row = workbench.new_draft(s, sop_id, user.id, web.now())
            except LookupError:
                raise access.NotVisible() from None
            number = row.draft
        return RedirectResponse(f"/pos/atelier/brouillons/{number}", status_code=303)

    def _file(draft: SopDraft, asked: Any) -> str:
        """The draft file being edited: ``asked`` when it is one of the SOP's files of the
        draft, else ``""`` (the main text)."""
        asked = str(asked or "")
        return asked if asked in workbench.sop_files(draft.files) else ""

    def _check_ctx(s, request, user, text: str, draft: SopDraft, file: str = "") -> dict[str, Any]:
        """Diagnostics and diagram of the draft with ``text`` as its main text, or as its file
        ``file`` when given (the other files as saved)."""
        lang = web.lang(request, user)
        files = dict(draft.files or {})
        if file:
            files[file] = text
        check = workbench.check_text(draft.source if file else text, files, workbench.main_name(s, draft))
        svg = ""
        if check.loaded is not None:
            try:
                svg = web.svg(("draft", check.loaded.sha256, lang),
                              diagrams.flow_dot(check.loaded.model, lang)).decode("utf-8")
                svg = svg[svg.index("<svg"):]
            except Exception as e:  # noqa: BLE001 - said to the author in words, never a 500
                svg = f'<p class="error">{html.escape(_diagram_error(e, lang))}</p>'
        return {"check": check, "by_line": check.by_line(file), "lines": max(1, text.count("\n") + 1),
                "diagram": svg, "draft": draft, "file": file, "main_path": workbench.DRAFT_PATH,
                "main_name": (s.get(SopVersion, draft.base_version_id).source_path.rsplit("/", 1)[-1]
                              or workbench.DRAFT_PATH),
                "sop_files": sorted(workbench.sop_files(draft.files))}

    def _draft_page(request, s, user, number: int, fichier: Any = "", results: dict[str, Any] | None = None):
        """The editor page of draft ``number``; ``results`` (``{"results": partial template, …its
        values}``) fills « Résultats » as htmx would: the scenarios or the comparison asked for
        without JavaScript, by a plain form post (tryout 5, H9)."""
        draft = _draft(s, number, user)
        base = s.get(SopVersion, draft.base_version_id)
        history = list(s.scalars(select(SopDraft).where(SopDraft.draft == number)
                                 .order_by(SopDraft.revision.desc())))
        file = _file(draft, fichier)
        text = draft.files[file] if file else draft.source
        ctx = _check_ctx(s, request, user, text, draft, file)  # the saved text: its errors
        resp = web.render(request, "workbench_draft.html", {
            **base_ctx(request, s, user), **ctx, "saved_errors": ctx["check"].errors,
            "text": text, "base": base, "history": history,
            "scenarios": _scenarios(draft), **(results or {})})
        resp.headers["content-security-policy"] = EDITOR_CSP
        return resp

    @r.get("/pos/atelier/brouillons/{number}")
    def workbench_draft(request: Request, number: int, fichier: str = ""):
        """The draft's editor: its main text, or (``?fichier=commun/forms.yaml``) one of the files
        the SOP imports; a tab per file."""
        with wf.sessions() as s:
            return _draft_page(request, s, _user(request, s), number, fichier)

    @r.post("/pos/atelier/brouillons/{number}/verifier")
    async def workbench_check(request: Request, number: int):
        form = await request.form()
        text = str(form.get("source", ""))[:MAX_TEXT]

        def work():
            with wf.sessions() as s:
                user = _user(request, s)
                draft = _draft(s, number, user)
                ctx = _check_ctx(s, request, user, text, draft, _file(draft, form.get("fichier")))
                return web.render(request, "_workbench_check.html", {**base_ctx(request, s, user), **ctx})

        return await run_in_threadpool(work)

    @r.post("/pos/atelier/brouillons/{number}/enregistrer")
    async def workbench_save(request: Request, number: int):
        form = await request.form()
        text = str(form.get("source", ""))[:MAX_TEXT]
        seen = str(form.get("revision", ""))
        asked = str(form.get("fichier", "")).strip()[:300]
        file = ""
        try:
            with wf.sessions.begin() as s:
                user = _user(request, s)
                draft = _draft(s, number, user)
                lang = web.lang(request, user)
                if draft.published_version_id is not None or (seen and seen != str(draft.revision)):
                    raise ValueError("stale")
                if asked:
                    try:  # one of the SOP's files (a new one from the "new file" form)
                        row = workbench.save_file(s, draft, asked, text, user.id, web.now())
                    except ValueError as e:
                        if str(e) != "path":
                            raise
                        request.session["flash"] = gettext(
                            "Fichier refusé : {path} (chemin relatif dans le dossier de la POS, "
                            "hors scenarios/, en .yaml).", lang, path=asked)
                        return RedirectResponse(f"/pos/atelier/brouillons/{number}", status_code=303)
                    file = asked if asked in (row.files or {}) else ""
                else:
                    row = workbench.save(s, draft, text, user.id, web.now())
                request.session["flash"] = gettext("Brouillon {number} : révision {revision} enregistrée.",
                                                   lang, number=number, revision=row.revision)
        except (ValueError, IntegrityError):
            # Published, or saved by someone else meanwhile: the page again, the author's text kept.
            with wf.sessions() as s:
                user = _user(request, s)
                draft = _draft(s, number, user)
                lang = web.lang(request, user)
                base = s.get(SopVersion, draft.base_version_id)
                history = list(s.scalars(select(SopDraft).where(SopDraft.draft == number)
                                         .order_by(SopDraft.revision.desc())))
                error = gettext("Non enregistré : le brouillon a changé (révision {revision} par {author}) "
                                "ou a été publié. Votre texte est conservé ci-dessous.", lang,
                                revision=draft.revision, author=draft.author)
                file = _file(draft, asked)
                resp = web.render(request, "workbench_draft.html", {
                    **base_ctx(request, s, user), **_check_ctx(s, request, user, text, draft, file),
                    "text": text, "base": base, "history": history, "error": error,
                    "saved_errors": workbench.check_text(draft.source, draft.files,
                                                         workbench.main_name(s, draft)).errors,
                    "scenarios": _scenarios(draft)}, status=409)
                resp.headers["content-security-policy"] = EDITOR_CSP
                return resp
        from urllib.parse import quote
        there = f"?fichier={quote(file)}" if file else ""
        return RedirectResponse(f"/pos/atelier/brouillons/{number}{there}", status_code=303)

    @r.post("/pos/atelier/brouillons/{number}/scenario")
    async def workbench_save_scenario(request: Request, number: int):
        """Add, change or (empty text) remove one of the draft's own scenarios: a new revision."""
        form = await request.form()
        name = str(form.get("name", "")).strip()[:80]
        text = str(form.get("text", ""))[:MAX_TEXT]
        with wf.sessions.begin() as s:
            user = _user(request, s)
            draft = _draft(s, number, user)
            lang = web.lang(request, user)
            try:
                row = workbench.save_scenario(s, draft, name, text, user.id, web.now())
            except ValueError as e:
                why = {"name": N_("Nom de scénario invalide : minuscules, chiffres, - et _, puis .yaml."),
                       "published": N_("Ce brouillon est publié : il ne change plus.")}[str(e)]
                request.session["flash"] = gettext(why, lang)
            else:
                request.session["flash"] = gettext(
                    "Brouillon {number} : scénario {name}, révision {revision}.", lang, number=number,
                    name=name, revision=row.revision)
        return RedirectResponse(f"/pos/atelier/brouillons/{number}#draft-scenarios", status_code=303)

    @r.post("/pos/atelier/brouillons/{number}/scenarios")
    async def workbench_scenarios(request: Request, number: int):
        form = await request.form()

        def work():
            with wf.sessions() as s:
                user = _user(request, s)
                draft = _draft(s, number, user)
                base = s.get(SopVersion, draft.base_version_id)
                check = workbench.check_text(draft.source, draft.files, workbench.main_name(s, draft))
                run = workbench.run_scenarios(draft, base.source_path) if check.loaded else None
                if not common.is_htmx(request):  # without JavaScript: the page, results in place
                    return _draft_page(request, s, user, number, form.get("fichier"),
                                       {"results": "_workbench_scenarios.html", "run": run})
                return web.render(request, "_workbench_scenarios.html",
                                  {**base_ctx(request, s, user), "check": check, "run": run})

        return await run_in_threadpool(work)

    @r.post("/pos/atelier/brouillons/{number}/comparer")
    async def workbench_compare(request: Request, number: int):
        with wf.sessions() as s:
            user = _user(request, s)
            draft = _draft(s, number, user)
            base = s.get(SopVersion, draft.base_version_id)
            check = workbench.check_text(draft.source, draft.files, workbench.main_name(s, draft))
            ctx: dict[str, Any] = {"check": check, "diff": None, "affected": []}
            if check.loaded is not None:
                old = wf.registry.compiled(base).sop
                from ...sop.diff import diff_sops  # here: it loads Typer (server start-up memory)

                lang = web.lang(request, user)  # issue 18: the comparison in the reader's language
                ctx["diff"] = diff_sops(old, check.loaded.model, lang).text(lang)
                ctx["affected"] = workbench.affected_cases(s, base, check.loaded.model)
                from ...engine.migrate_words import instance_words, state_words
                for a in ctx["affected"]:  # the published version's labels, never the ids (G15)
                    a["words"] = (f"{instance_words(old, a['instance'], lang)}{colon(lang)}"
                                  f"{state_words(old, a['step'], a['state'], lang)}")
            if not common.is_htmx(request):  # without JavaScript: the page, results in place (H9)
                form = await request.form()
                del ctx["check"]
                return _draft_page(request, s, user, number, form.get("fichier"),
                                   {"results": "_workbench_compare.html", **ctx})
            return web.render(request, "_workbench_compare.html", {**base_ctx(request, s, user), **ctx})

    def _publish_ctx(s, request, user, draft, form: dict[str, str]) -> dict[str, Any]:
        base = s.get(SopVersion, draft.base_version_id)
        check = workbench.check_text(draft.source, draft.files, workbench.main_name(s, draft))
        affected = workbench.affected_cases(s, base, check.loaded.model) if check.loaded else []
        # each step left in a state the draft lacks: « Référencement · À envoyer » (the published
        # version's labels), and the draft's states of that step by their labels (tryout 5, G15)
        choices: dict[str, dict[str, Any]] = {}
        if check.loaded is not None:
            from ...engine.migrate_words import state_words
            lang = web.lang(request, user)
            old, new = wf.registry.compiled(base).sop, check.loaded.model
            for a in affected:
                step = new.steps.get(a["step"])
                was = old.steps.get(a["step"])
                choices[f"{a['step']}.{a['state']}"] = {
                    "label": f"{old.label(was.label, lang) if was else a['step']} · "
                             f"{state_words(old, a['step'], a['state'], lang)}",
                    "states": [(sid, state_words(new, a["step"], sid, lang)) for sid in step.states]
                    if step else []}
        return {"draft": draft, "base": base, "check": check, "affected": affected, "choices": choices,
                "form": form, "rules": ("recompute", "keep", "restart")}

    @r.get("/pos/atelier/brouillons/{number}/publier")
    def workbench_publish_page(request: Request, number: int):
        with wf.sessions() as s:
            user = _user(request, s)
            draft = _draft(s, number, user)
            return web.render(request, "workbench_publish.html", {
                **base_ctx(request, s, user), **_publish_ctx(s, request, user, draft, {})})

    @r.post("/pos/atelier/brouillons/{number}/publier")
    async def workbench_publish(request: Request, number: int):
        raw = await request.form()
        form = {k: str(v)[:200] for k, v in raw.items() if isinstance(v, str)}

        def work():
            with wf.sessions() as s:
                user = _user(request, s)
                draft = _draft(s, number, user)
                ctx = {**base_ctx(request, s, user), **_publish_ctx(s, request, user, draft, form)}
            lang = ctx["lang"]
            check = ctx["check"]
            if draft.published_version_id is not None:
                ctx["error"] = gettext("Ce brouillon est déjà publié.", lang)
                return web.render(request, "workbench_publish.html", ctx, status=409)
            if check.errors:
                ctx["error"] = gettext("Publication impossible : le brouillon a des erreurs.", lang)
                return web.render(request, "workbench_publish.html", ctx, status=422)
            run = workbench.run_scenarios(draft, ctx["base"].source_path)  # the draft's own scenarios
            ctx["run"] = run
            if not run["ok"]:
                ctx["error"] = gettext("Publication impossible : des scénarios échouent.", lang)
                return web.render(request, "workbench_publish.html", ctx, status=422)
            mapping = {k[4:]: v for k, v in form.items() if k.startswith("map:") and v}
            missing = [c["label"] for key, c in ctx["choices"].items() if key not in mapping]
            if missing:  # said with the page's labels, not the « --map step.state=<état> » of the CLI
                from ...i18n import listed
                ctx["error"] = gettext("Plan de migration incomplet : choisissez le nouvel état de {steps}.",
                                       lang, steps=listed([gettext("« {name} »", lang, name=m)
                                                           for m in missing], lang))
                return web.render(request, "workbench_publish.html", ctx, status=409)
            rule = form.get("rule", "recompute")
            dry = form.get("go") != "publish"
            try:
                target, plan = workbench.publish(wf, draft, mapping, rule, access.actor_for(user),
                                                 dry_run=dry)
            except (EngineError, SOPError) as e:
                ctx["error"] = e.text(lang) if isinstance(e, EngineError) else \
                    " · ".join(d.format(lang) for d in e.diagnostics)
                return web.render(request, "workbench_publish.html", ctx, status=409)
            if dry:
                from ...engine.migrate_words import deadline_line, states_line
                ctx["plan"] = plan
                ctx["target"] = target
                with wf.sessions() as s:  # the steps and states by the versions' labels (G15)
                    old = wf.registry.compiled(s.get(SopVersion, draft.base_version_id)).sop
                new = ctx["check"].loaded.model
                ctx["moves"] = {ref: states_line(c.states, lang, old, new) for ref, c in plan.cases.items()}
                ctx["due_lines"] = {ref: [deadline_line(d, lang, plan.timezone, new) for d in c.deadlines
                                          if d["rule"] != "same"] for ref, c in plan.cases.items()}
                return web.render(request, "workbench_publish.html", ctx)
            request.session["flash"] = ngettext(
                "Version {target} publiée ; {n} dossier migré.",
                "Version {target} publiée ; {n} dossiers migrés.", len(plan.cases), lang, target=target)
            return RedirectResponse("/pos/atelier", status_code=303)

        return await run_in_threadpool(work)
