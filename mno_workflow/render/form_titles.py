"""The forms of a transition as readers see them (handbook, SOP document, diagrams, overview):
titles in the reader's language, several forms (``form: [a, b]``) joined with « + »."""

from __future__ import annotations

from ..sop.schema import SOP, Transition

JOIN = " + "


def form_titles(sop: SOP, t: Transition, lang: str) -> list[str]:
    """Titles of ``t``'s forms in order (the id when the SOP has no such form); ``[]`` without."""
    return [sop.label(sop.forms[f].title, lang) if f in sop.forms else f for f in t.forms]


def forms_text(sop: SOP, t: Transition, lang: str) -> str:
    """``form_titles`` as one text (« Fiche de référencement + Rendez-vous »); ``""`` without form."""
    return JOIN.join(form_titles(sop, t, lang))


def known_forms(sop: SOP, t: Transition) -> list[str]:
    """The ids of ``t``'s forms that the SOP defines, in order."""
    return [f for f in t.forms if f in sop.forms]
