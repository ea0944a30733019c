"""The documents generated from the SOP in force and the directory, on the web (``/pos/documents``):
the SOP document, the deck (16:9), blank forms, the printable directory, pocket guides per region,
leaflets per audience, the training pack and the pathway diagrams — HTML with print CSS, or PDF
with ``?format=pdf``. The directory is the database's; the narrative the SOP's own, else the
shipped SOP folder's ``narrative.yaml`` (:mod:`...render.narrative_text`).

Staff contacts (contact persons, their own phones, the data-sharing agreements' focal points) are
printed only for a reader with the ``directory_contacts`` permission (else the public form), and
each document that printed some writes one access-log row naming them (:mod:`..contacts_log`).
"""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request

from ...i18n import N_, gettext
from ...render import diagrams
from ...render.paper_actions import multi_form_actions
from .. import access, sop_pick
from ..core import Web
from . import common
from .common import svg_response
from .print_forms import print_response

#: URL name → label (French message id, translated where shown)
DOCUMENTS = {
    "document": N_("Document de la POS"),
    "presentation": N_("Présentation (16:9)"),
    "fiche-referencement": N_("Fiche de référencement vierge"),
    "fiche-consentement": N_("Fiche de consentement vierge"),
    "annuaire": N_("Répertoire des prestataires"),
    "formation": N_("Dossier de formation"),
}
AUDIENCES = {
    "returnees": N_("Dépliant : migrants de retour"),
    "community": N_("Dépliant : communauté"),
    "partners": N_("Dépliant : partenaires"),
    "government": N_("Note : gouvernement"),
}


def _case_figures(s, lang: str) -> dict[str, int]:
    """Open and closed case counts (aggregates only: no personal data) for the government one-pager."""
    from sqlalchemy import func, select

    from ...store.models import Case

    counts = dict(s.execute(select(Case.status, func.count()).group_by(Case.status)).all())
    return {gettext("Dossiers ouverts", lang): counts.get("open", 0),
            gettext("Dossiers clos", lang): counts.get("closed", 0)}


def _public(user) -> bool:
    """Whether ``user`` reads the directory in its public form (no staff contacts, no focal
    points): every role without the ``directory_contacts`` permission (:mod:`..access`)."""
    return not access.can(user, "directory_contacts")


def _people(services, names: bool = True) -> list[str]:
    """Contact persons whose data ``services`` (PrintService) print (see PrintService.disclosed)."""
    return [p for sv in services for p in sv.disclosed(names)]


def add_routes(r: APIRouter, web: Web) -> None:
    """Add the routes under ``/pos/documents`` and ``/pos/parcours``."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    def log_read(request: Request, user, what: str, disclosed: list[str], objects: int,
                 **filters) -> None:
        """One access-log row when the document printed staff contacts (web/contacts_log.py)."""
        from ..contacts_log import log_contacts_read

        if user is None or _public(user) or not disclosed:
            return
        with wf.sessions.begin() as s:
            log_contacts_read(s, user.id, user.role, what, request.url.path, disclosed, objects,
                              web.now(), filters)

    def _context(request: Request, s):
        user = web.user(request, s)
        access.require(user, "sop")
        # ?sop=ID: any registered SOP (routes/sop_pages.py); without it the user's own or the first
        compiled, _regs = sop_pick.pick(web, s, user, request.query_params.get("sop", "")[:64] or None)
        return user, compiled.sop, web.lang(request, user)

    @r.get("/pos/documents")
    def documents_page(request: Request):
        from ...render.directory_data import directory_from_session

        with wf.sessions() as s:
            user, sop, lang = _context(request, s)
            directory = directory_from_session(s, lang, sop.sop, public=_public(user), sop=sop)
            q = sop_pick.query(sop.sop, web, s)  # ?sop=ID on every link of another SOP than the first
            links = [(f"/pos/documents/{k}{q}", gettext(v, lang)) for k, v in DOCUMENTS.items()]
            links += [
                (f"/pos/documents/fiches/{fid}{q}", sop.label(f.title, lang)) for fid, f in sop.forms.items()
            ]
            links += [  # actions with several forms (form: [a, b]): one sheet with all of them
                (f"/pos/documents/actions/{trig}{q}", sop.label(t.label, lang))
                for trig, t in multi_form_actions(sop).items()
            ]
            links += [(f"/pos/documents/depliants/{k}{q}", gettext(v, lang)) for k, v in AUDIENCES.items()]
            # one guide per region of the SOP (its own list, tryout 9, L10), else per region served
            regions = list(sop.options.get("region") or {}) or sorted(
                {x for sv in directory.services for x in sv.regions})
            guides = [(f"/pos/documents/guide/{x}{q}", sop.label(sop.options.get("region", {}).get(x), lang)
                       or directory.region_names.get(x, x)) for x in regions]
            needs = [
                (f"/pos/parcours/{n}.svg{q}", sop.label(lab, lang))
                for n, lab in sop.options.get("need", {}).items()
                if n in directory.needs
            ]
            return web.render(
                request,
                "sop_documents.html",
                {**base_ctx(request, s, user), "sop": sop, "sop_q": q, "links": links, "guides": guides,
                 "needs": needs},
            )

    @r.get("/pos/documents/{name}")
    def document(request: Request, name: str, format: str = "html"):
        from ...render.deck import render_deck
        from ...render.directory_data import directory_from_session
        from ...render.directory_print import render_directory
        from ...render.narrative_text import shipped_sop_path
        from ...render.paper_forms import consent_sheet_html, referral_slip_html
        from ...render.sop_document import render_sop_document
        from ...render.training import render_training

        if name not in DOCUMENTS:
            raise access.NotVisible()
        with wf.sessions() as s:
            user, sop, lang = _context(request, s)
            public = _public(user)
            directory = directory_from_session(s, lang, sop.sop, public=public, sop=sop)
            path = shipped_sop_path(sop.sop)
            folder = path.parent / "directory" if path else None
            builders = {
                "document": lambda: render_sop_document(sop, lang, path, folder, public=public),
                "presentation": lambda: render_deck(sop, lang, directory),
                "fiche-referencement": lambda: referral_slip_html(sop, lang),
                "fiche-consentement": lambda: consent_sheet_html(sop, lang),
                "annuaire": lambda: render_directory(sop, directory, lang),
                "formation": lambda: render_training(sop, lang, path),
            }
            html = builders[name]()
        if name == "document":  # the data-sharing register names each agreement's focal point
            from ...render.data_protection_doc import sharing_agreements

            register = sharing_agreements(folder, lang, public=public)
            people = [a["id"] for a in register if a.get("focal_point_name") or a.get("focal_point_email")]
            log_read(request, user, "document.document", people, len(register), format=format)
        elif name in ("annuaire", "presentation"):  # the deck's pathway slides print contact persons
            log_read(request, user, f"document.{name}", _people(directory.services),
                     len(directory.services), format=format)
        return print_response(html, format, f"{sop.sop}-{name}-{lang}")

    @r.get("/pos/documents/fiches/{form_id}")
    def blank_form(request: Request, form_id: str, format: str = "html"):
        from ...render.paper_forms import blank_form_html

        with wf.sessions() as s:
            _user, sop, lang = _context(request, s)
            if form_id not in sop.forms:
                raise access.NotVisible()
            html = blank_form_html(sop, form_id, lang)
        return print_response(html, format, f"{sop.sop}-{form_id}-{lang}")

    @r.get("/pos/documents/actions/{trigger}")
    def blank_action(request: Request, trigger: str, format: str = "html"):
        """The blank sheet of an action with several forms (``form: [a, b]``), every form in it."""
        from ...render.paper_actions import blank_action_html

        with wf.sessions() as s:
            _user, sop, lang = _context(request, s)
            if trigger not in multi_form_actions(sop):
                raise access.NotVisible()
            html = blank_action_html(sop, trigger, lang)
        return print_response(html, format, f"{sop.sop}-{trigger}-{lang}")

    @r.get("/pos/documents/depliants/{audience}")
    def leaflet(request: Request, audience: str, format: str = "html", region: str | None = None):
        from ...render.directory_data import directory_from_session
        from ...render.leaflets import render_leaflet
        from ...render.narrative_text import find_narrative
        from ...render.overview import default_region

        if audience not in AUDIENCES:
            raise access.NotVisible()
        with wf.sessions() as s:
            user, sop, lang = _context(request, s)
            directory = directory_from_session(s, lang, sop.sop, public=_public(user), sop=sop)
            chosen = region or user.region or default_region(directory)
            figures = _case_figures(s, lang) if audience == "government" else None
            html = render_leaflet(sop, find_narrative(sop), directory, audience, lang, chosen, figures)
        shown = directory.for_region(chosen) if chosen else directory.services
        log_read(request, user, f"document.depliant.{audience}", _people(shown, names=False), len(shown),
                 region=chosen, format=format)
        return print_response(html, format, f"{sop.sop}-{audience}-{lang}")

    @r.get("/pos/documents/guide/{region}")
    def pocket_guide(request: Request, region: str, format: str = "html"):
        from ...render.directory_data import directory_from_session
        from ...render.directory_print import render_pocket_guide
        from ...render.narrative_text import find_narrative

        with wf.sessions() as s:
            user, sop, lang = _context(request, s)
            directory = directory_from_session(s, lang, sop.sop, public=_public(user), sop=sop)
            if region not in directory.region_names:
                raise access.NotVisible()
            html = render_pocket_guide(sop, directory, find_narrative(sop), region, lang)
        shown = directory.for_region(region)
        log_read(request, user, f"document.guide.{region}", _people(shown, names=False), len(shown),
                 format=format)
        return print_response(html, format, f"{sop.sop}-guide-{region}-{lang}")

    @r.get("/pos/vue-ensemble.svg")
    def overview_svg(request: Request):
        from ...render.overview import overview_dot

        with wf.sessions() as s:
            _user, sop, lang = _context(request, s)
            return svg_response(web.svg(("overview", sop.key, lang), overview_dot(sop, lang)))

    @r.get("/pos/parcours/{need}.svg")
    def pathway_svg(request: Request, need: str, region: str | None = None):
        from ...render.directory_data import directory_from_session
        from ...render.overview import default_region, pathway_dot

        with wf.sessions() as s:
            user, sop, lang = _context(request, s)
            directory = directory_from_session(s, lang, sop.sop, public=_public(user), sop=sop)
            if need not in directory.needs:
                raise access.NotVisible()
            chosen = (
                region if region in directory.region_names else (user.region or default_region(directory))
            )
            dot = pathway_dot(sop, directory, need, chosen, lang)
        shown = [sv for _link, services in directory.for_need(need, chosen) for sv in services[:4]]
        log_read(request, user, f"document.parcours.{need}", _people(shown), len(shown), region=chosen)
        return svg_response(diagrams.render_bytes(dot, "svg"))
