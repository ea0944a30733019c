"""The case-view log in words of the reader's language: its channels (``page``, ``api``,
``work``…), the roles of the people who looked, and what they looked at — for the person-data
page (``person_export.py``) and the coordinator's access log (``/journal-acces``).

Every word is a catalogue message (French source text, ``mno_workflow/locale``); an unknown code
is shown as it is, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..i18n import N_, gettext

#: ``web_case_views.channel`` → French message id (translated where shown)
CHANNELS: dict[str, str] = {
    "page": N_("page du dossier"),
    "list": N_("liste des dossiers"),
    "work": N_("Mon travail"),
    "referral": N_("page du référencement (prestataire)"),
    "print": N_("impression"),
    "export": N_("export"),
    "api": N_("API"),
    "attachment": N_("pièce jointe"),
    "cli": N_("ligne de commande"),
}

#: ``web_case_views.instance`` values that are not a step instance
WHATS: dict[str, str] = {
    "export-person": N_("données détenues sur la personne"),
}


def channel_label(code: str | None, lang: str | None = None) -> str:
    """``code`` (``"work"``) in words (« Mon travail », "My work"); the code itself when unknown."""
    if not code:
        return ""
    return gettext(CHANNELS[code], lang) if code in CHANNELS else code


def role_name(code: str | None, lang: str | None = None) -> str:
    """An application role (``caseworker`` → « Gestionnaire de cas »; ``cli`` → « ligne de
    commande ») from the catalogues' ``role.<code>`` entries; the code itself when unknown."""
    if not code:
        return ""
    if code == "cli":
        return channel_label(code, lang)
    text = gettext(f"role.{code}", lang)
    return code if text == f"role.{code}" else text


def instance_words(sop, step_id: str, key: Any, lang: str) -> str:
    """A step instance in words: « Référencement — Formation professionnelle » (a need's label;
    « … (2) » for a second referral of the same need), « Suivi (2) »; the step alone for the only
    instance (``1``). One look-up of the step and one of the need."""
    step = sop.steps.get(step_id)
    label = sop.label(step.label, lang) if step is not None else step_id.replace("_", " ")
    key = str(key or "")
    needs = sop.options.get("need", {})
    need = needs.get(key)
    if need is not None:
        return f"{label} — {sop.label(need, lang)}"
    base, _, n = key.rpartition("-")
    if n.isdigit() and base in needs:
        return f"{label} — {sop.label(needs[base], lang)} ({n})"
    if key in ("", "1"):
        return label
    return f"{label} ({key})"


def what_label(what: str | None, sop=None, lang: str | None = None) -> str:
    """What was looked at: a known word (``export-person``), else a step instance ``step:key``
    as « Référencement — Assistance en espèces » with the SOP's labels (:func:`instance_words`),
    else as written."""
    if not what:
        return ""
    if what in WHATS:
        return gettext(WHATS[what], lang)
    step_id, _, key = what.partition(":")
    if sop is None or step_id not in sop.steps:
        return what
    return instance_words(sop, step_id, key, lang or "fr")


def what_labels(sop, lang: str | None = None) -> Callable[[str | None], str]:
    """:func:`what_label` for one page or record in ``lang``: each distinct value (``referral:cash``
    on many rows of the access log) is put in words once, not once per row."""
    cache: dict[str | None, str] = {}

    def label(what: str | None) -> str:
        if what not in cache:
            cache[what] = what_label(what, sop, lang)
        return cache[what]

    return label
