"""A blank paper sheet for an SOP action with several forms (``form: [a, b]``): the action's name
as title, then each form under its own heading, in the SOP's order, as filled in one go on the web
page (the one-form sheets are :func:`.paper_forms.blank_form_html`)."""

from __future__ import annotations

from ..sop.schema import SOP, Transition
from .paper_forms import _head, env, field_rows


def multi_form_actions(sop: SOP) -> dict[str, Transition]:
    """The SOP's actions with several forms, ``{trigger: transition}`` (first of each trigger)."""
    out: dict[str, Transition] = {}
    for step in sop.steps.values():
        for t in step.transitions:
            if len(t.forms) > 1 and t.trigger not in out:
                out[t.trigger] = t
    return out


def blank_action_html(sop: SOP, trigger: str, lang: str = "fr", case_code: str = "") -> str:
    """The printable blank sheet of action ``trigger`` with every one of its forms (HTML).
    ``KeyError``: ``trigger`` is no action with several forms."""
    t = multi_form_actions(sop)[trigger]
    ctx = _head(sop, lang, sop.label(t.label, lang))
    sections = [{"title": sop.label(sop.forms[fid].title, lang), "fields": field_rows(sop, fid, lang)}
                for fid in t.forms if fid in sop.forms]
    ctx.update(fields=[], sections=sections, case_code=case_code)
    return env().get_template("documents/form.html.j2").render(**ctx)
