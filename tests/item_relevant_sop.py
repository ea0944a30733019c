"""An SOP with a conditional field inside a repeat group (tryout 9, L3): ``mnr_it``, the Burkina
Faso text under another id, whose needs assessment asks « Date de l'incident » in a need's row only
when that row's need is « Services VBG » (``relevant: "item.need == 'gbv_services'"``). The BF SOP
itself has no such field; the Mali SOP of the tryout had one."""

from __future__ import annotations

from mno_workflow.sop.loader import load_text

from .conftest import BF_SOP

SOP_ID = "mnr_it"
ANCHOR = ("            label: {fr: Référencement nécessaire, en: Referral needed}\n"
          "      - id: summary\n")
FIELD = ("          - id: incident_on\n"
         "            type: text\n"
         "            max_length: 200\n"
         "            relevant: \"item.need == 'gbv_services'\"\n"
         "            relevant_label:\n"
         "              fr: \"le besoin est « Services VBG »\"\n"
         "              en: \"the need is GBV services\"\n"
         "            classification: sensitive\n"
         "            category: needs\n"
         "            label: {fr: Date de l'incident, en: Date of the incident}\n")


def item_text() -> str:
    text = BF_SOP.read_text(encoding="utf-8")
    assert text.count(ANCHOR) == 1, "the BF SOP's needs assessment changed: adapt this SOP"
    text = text.replace("sop: mnr_bf", f"sop: {SOP_ID}", 1)
    head, _, tail = ANCHOR.partition("      - id: summary\n")
    return text.replace(ANCHOR, head + FIELD + "      - id: summary\n", 1)


def item_sop():
    """The loaded SOP (its imports read beside the BF SOP)."""
    return load_text(item_text(), str(BF_SOP.parent / "mnr_it.yaml"))
