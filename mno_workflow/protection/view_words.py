"""The case-view log in words of the reader's language: its channels (``page``, ``api``,
``work``…), the roles of the people who looked, and what they looked at — for the person-data
page (``person_export.py``) and the coordinator's access log (``/journal-acces``).

Every word is a catalogue message (French source text, ``mno_workflow/locale``); an unknown code
is shown as it is, never dropped.
"""

from __future__ import annotations

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


def what_label(what: str | None, sop=None, lang: str | None = None) -> str:
    """What was looked at: a known word (``export-person``), else a step instance ``step:key``
    as « Référencement — Assistance en espèces » with the SOP's labels, else as written."""
    if not what:
        return ""
    if what in WHATS:
        return gettext(WHATS[what], lang)
    step_id, _, key = what.partition(":")
    step = sop.steps.get(step_id) if sop is not None else None
    if step is None:
        return what
    label = sop.label(step.label, lang or "fr")
    if key:
        need = sop.options.get("need", {}).get(key)
        label += " — " + (sop.label(need, lang or "fr") if need else key)
    return label
