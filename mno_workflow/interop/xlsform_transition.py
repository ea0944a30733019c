"""XLSForm of one SOP action with several forms (``form: [a, b]``): one survey in which each form
is a group (``begin_group``/``end_group`` named by the form id, labelled with its title), so a
collector fills both in one submission, as on the web page.

The rows, choices and warnings of each form are those of :func:`.xlsform.build`; option lists
used by both forms are written once. ``settings.form_id`` is ``<sop>_<trigger>``. Raises
:class:`.xlsform.XLSFormError` (unknown trigger, a trigger without form, anything ``build``
refuses)."""

from __future__ import annotations

from mno_workflow.i18n import gettext
from mno_workflow.interop.xlsform import XLSForm, XLSFormError, _labels, build
from mno_workflow.sop.schema import SOP


def build_transition(sop: SOP, trigger: str) -> XLSForm:
    """The XLSForm of every form of the (first) transition ``trigger`` of ``sop``, in its order."""
    t = next((t for st in sop.steps.values() for t in st.transitions
              if t.trigger == trigger and t.forms), None)
    if t is None:
        known = sorted({t.trigger for st in sop.steps.values() for t in st.transitions if t.forms})
        raise XLSFormError(gettext("action inconnue ou sans formulaire « {trigger} » ; actions : {triggers}",
                                   trigger=trigger, triggers=", ".join(known)))
    out = XLSForm(trigger)
    seen: set[tuple[str, str]] = set()
    for fid in t.forms:
        one = build(sop, fid)
        out.survey += [{"type": "begin_group", "name": fid, **_labels("label", sop.forms[fid].title)},
                       *one.survey, {"type": "end_group", "name": fid}]
        for c in one.choices:
            if (c["list_name"], c["name"]) not in seen:
                seen.add((c["list_name"], c["name"]))
                out.choices.append(c)
        out.warnings += one.warnings
    out.settings = {"form_title": t.label.get("fr") or next(iter(t.label.values())),
                    "form_id": f"{sop.sop}_{trigger}", "version": sop.version,
                    "default_language": build(sop, t.forms[0]).settings["default_language"]}
    return out
