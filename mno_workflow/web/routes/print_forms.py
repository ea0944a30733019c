"""Printing from a case: « Imprimer la fiche de référencement » on a referral and « Imprimer le
consentement », as standalone print pages (HTML with print CSS) or PDF (``?format=pdf``).

The slip shows only what the consent allows for its recipient (:mod:`..printing`); every print is
logged as a view of the case (channel ``print``), and the recipient's contact person it prints as a
read of staff contacts (``print.referral_slip``, :mod:`..contacts_log`). The consent sheet is for
the case roles only.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...render.paper_forms import consent_sheet_html, referral_slip_html
from ...store import repository
from .. import access, queries
from ..contacts_log import log_contacts_read
from ..core import Web
from ..printing import filled_referral
from .common import case_and_instance

PRINT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)


def print_response(html: str, fmt: str, filename: str) -> Response:
    """HTML (no script) or, with ``fmt == "pdf"``, the PDF made by WeasyPrint."""
    if fmt == "pdf":
        from ...render.pdf import html_to_pdf

        return Response(
            html_to_pdf(html),
            media_type="application/pdf",
            headers={"content-disposition": f'inline; filename="{filename}.pdf"'},
        )
    return Response(
        html, media_type="text/html; charset=utf-8", headers={"content-security-policy": PRINT_CSP}
    )


def add_routes(r: APIRouter, web: Web) -> None:
    """Add the print routes under ``/dossiers/{reference}/imprimer``."""
    wf = web.wf

    @r.get("/dossiers/{reference}/imprimer/referencement/{instance}")
    def print_referral(request: Request, reference: str, instance: str, format: str = "html"):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            if not (access.can(user, "cases") or access.can(user, "inbox")):
                raise access.Forbidden()
            case, inst = case_and_instance(s, reference, instance)
            sop = web.compiled_for(case).sop
            step = sop.steps.get(inst.step)
            if step is None or not step.recipient or not access.can_view_referral(user, sop, case, inst):
                raise access.NotVisible()
            lang = web.lang(request, user)
            queries.log_view(s, user, case, "print", web.now(), inst.label_key)
            filled = filled_referral(s, sop, case, inst, user, web.now(), lang, web.organisations(s, lang))
            html = referral_slip_html(sop, lang, filled)
            # the recipient's contact person is staff personal data: one access-log row (contacts_log.py)
            log_contacts_read(s, user.id, user.role, "print.referral_slip", request.url.path,
                              [filled.recipient.get("focal_point_id", "")], 1, web.now(),
                              {"reference": case.reference, "instance": inst.label_key, "format": format})
        return print_response(html, format, f"referencement-{case.reference}-{inst.key}")

    @r.get("/dossiers/{reference}/imprimer/consentement")
    def print_consent(request: Request, reference: str, format: str = "html"):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "cases")
            case = access.require_case(user, repository.get_case(s, reference[:40].upper()))
            sop = web.compiled_for(case).sop
            lang = web.lang(request, user)
            form_id = sop.data_protection.consent_form if sop.data_protection else "consent"
            queries.log_view(s, user, case, "print", web.now())
            html = consent_sheet_html(sop, lang, (case.data or {}).get(form_id) or {}, case.reference or "")
        return print_response(html, format, f"consentement-{case.reference}")
