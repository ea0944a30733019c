"""The example SOP of docs/sop-language.md with its ``form: [referral, appointment]`` part merged
(the docs' own example, so what the docs promise is what the tests run), and a case driven to the
referral's draft state."""

from __future__ import annotations

import json
import re

from mno_workflow.engine.engine import Actor
from mno_workflow.sop.loader import parse_yaml

from ..sop.test_docs import BASE_TEXT, TEXT, merge

PART = re.search(r"### Plusieurs formulaires sur une transition.*?<!-- sop-part -->\n```yaml\n(.*?)```",
                 TEXT, re.S)[1]
CW = Actor("mariam", "caseworker")
REFERRAL = {"provider": "ong_a"}
APPOINTMENT = {"appointment_date": "2025-06-10", "escort": True}


def sop_text() -> str:
    """The merged SOP as JSON text (loads with ``load_text``)."""
    base, _ = parse_yaml(BASE_TEXT, "base")
    data, _ = parse_yaml(PART, "part")
    return json.dumps(merge(base, data), ensure_ascii=False)


def to_draft(wf) -> str:
    """A new case registered with one need to refer: its referral instance is in ``draft``."""
    ref = wf.create_case("exemple", CW)
    wf.fire(ref, "register", CW, {"name": "Awa", "priority": "normal", "consent": True,
                                   "needs": [{"need": "housing", "refer": True}]})
    return ref


APPOINTMENT_FORM = {
    "title": {"fr": "Rendez-vous", "en": "Appointment"},
    "fields": [
        {"id": "appointment_date", "type": "date", "required": True,
         "label": {"fr": "Date du rendez-vous", "en": "Appointment date"}},
        {"id": "escort", "type": "boolean", "label": {"fr": "Accompagnement", "en": "Escort"}},
    ],
}


def two_forms(doc: dict) -> None:
    """Edit of the Burkina Faso SOP (for ``sop_variants.variant``): the referral's ``send`` takes
    the referral form and an appointment form, ``form: [referral, appointment]``."""
    doc["forms"]["appointment"] = APPOINTMENT_FORM
    for t in doc["steps"]["referral"]["transitions"]:
        if t["trigger"] == "send":
            t["form"] = ["referral", "appointment"]
