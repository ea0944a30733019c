"""Typed errors of the engine, each explaining itself in the reader's language.

Every error carries a stable ``code`` (used by the CLI exit code, the REST API's error body and
the UI) and a ``message``: ``Message.t("Dossier introuvable : {reference}", reference=…)`` takes
its text from the gettext catalogues (:mod:`mno_workflow.i18n`; any language with a catalogue),
the legacy ``Message(fr=…, en=…)`` carries both texts itself. None of them leaves a partial write
behind: the engine raises them before or instead of committing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..i18n import N_


@dataclass(frozen=True)
class Message:
    """A sentence for a person: ``fr`` and ``en`` texts, and for a catalogue message its ``msgid``
    (French source text with ``{name}`` placeholders) and ``params``, so that :meth:`text` can
    render it in any language with a catalogue."""

    fr: str
    en: str
    msgid: str = ""
    params: tuple[tuple[str, Any], ...] = ()
    plural: str = ""  #: the plural msgid of a :meth:`n` message (its count is the ``n`` parameter)

    @classmethod
    def t(cls, msgid: str, **params: Any) -> Message:
        """The catalogue message ``msgid`` (extracted by ``pybabel``), placeholders filled with
        ``params``. Raises nothing: a missing translation shows the French text."""
        from ..i18n import gettext
        return cls(fr=gettext(msgid, "fr", **_in(params, "fr")), en=gettext(msgid, "en", **_in(params, "en")),
                   msgid=msgid, params=tuple(params.items()))

    @classmethod
    def n(cls, singular: str, plural: str, n: int, **params: Any) -> Message:
        """The catalogue message with plural forms (``ngettext``): ``Message.n("Au moins {n}
        élément.", "Au moins {n} éléments.", 2)`` — the form for ``n`` in the reader's language
        (French: 0 and 1 singular), ``{n}`` filled too. Extracted by ``pybabel -k n:1,2``."""
        from ..i18n import ngettext
        return cls(fr=ngettext(singular, plural, n, "fr", **_in(params, "fr")),
                   en=ngettext(singular, plural, n, "en", **_in(params, "en")),
                   msgid=singular, params=(*params.items(), ("n", n)), plural=plural)

    def text(self, lang: str = "fr") -> str:
        if self.msgid and self.plural:
            from ..i18n import ngettext
            values = _in(dict(self.params), lang)
            return ngettext(self.msgid, self.plural, values.pop("n"), lang, **values)
        if self.msgid:
            from ..i18n import gettext
            return gettext(self.msgid, lang, **_in(dict(self.params), lang))
        if lang in ("fr", "en"):
            return self.en if lang == "en" else self.fr
        from ..i18n import gettext  # a legacy pair in a third language: its French text as msgid
        return gettext(self.fr, lang)


def _in(params: dict[str, Any], lang: str) -> dict[str, Any]:
    """``params`` with the values that are messages themselves (:class:`Message`,
    :class:`Labels`, :class:`Joined`…: anything with a ``text(lang)`` method) shown in ``lang``."""
    return {k: v.text(lang) if callable(getattr(v, "text", None)) else v for k, v in params.items()}


@dataclass(frozen=True)
class Labels:
    """SOP labels (``{fr: …, en: …}`` mappings of the YAML) as one value of a message, joined with
    ``sep`` and shown in the reader's language (French, then any language, as a fallback)."""

    labels: tuple[Any, ...]
    sep: str = ", "
    lower: bool = False  #: lower-cased (a step's label inside a sentence: « un référencement »)

    def text(self, lang: str = "fr") -> str:
        said = self.sep.join((lb.get(lang) or lb.get("fr") or next(iter(lb.values()), "")) if lb else ""
                             for lb in self.labels)
        return said.lower() if self.lower else said


def sop_text(label: Any) -> Message:
    """An SOP's own sentence (a ``{fr: …, en: …}`` label of the YAML: a ``when_message``, a form
    rule's ``message``) as a message: shown in the reader's language, French as fallback."""
    # TRANSLATORS: an SOP author's own sentence, in the reader's language; keep it as is.
    return Message.t("{sop_message}", sop_message=Labels((label,)))


def trigger_label(sop: Any, trigger: str, step: str | None = None) -> Any:
    """The SOP's label of the action ``trigger`` (« Accepter » / "Accept"; a transition of
    ``step`` first, else of any step) as a message value shown in the reader's language — never
    the key (issue 18); ``trigger`` itself when no transition of the SOP has it."""
    steps = list(sop.steps.values())
    if step in sop.steps:
        steps.insert(0, sop.steps[step])
    for st in steps:
        for t in st.transitions:
            if t.trigger == trigger and t.label:
                return Labels((t.label,))
    return trigger


def role_label(sop: Any, role: str) -> Any:
    """The SOP's label of ``role`` in the reader's language, ``role`` itself when unknown."""
    found = sop.roles.get(role)
    return Labels((found.label,)) if found is not None and found.label else role


def role_labels(sop: Any, roles: Any, empty: str = "-") -> Any:
    """The SOP's labels of ``roles`` joined with « , » as one message value (the codes of roles
    the SOP does not name); ``empty`` when there are none."""
    roles = list(roles)
    if not roles:
        return empty
    return Labels(tuple(sop.roles[r].label if r in sop.roles and sop.roles[r].label else {"fr": r}
                        for r in roles))


@dataclass(frozen=True)
class RoleName:
    """An application role's name (``role.<code>`` of the catalogues: « Gestionnaire de cas ») as
    one value of a message, in the reader's language; the code when no catalogue names it."""

    code: str

    def text(self, lang: str = "fr") -> str:
        from ..i18n import gettext
        said = gettext(f"role.{self.code}", lang)
        return self.code if said == f"role.{self.code}" else said


@dataclass(frozen=True)
class FieldErrors:
    """Per-field errors ``((field_path, Message), …)`` as one value of a message: « champ :
    erreur » joined with « ; », in the reader's language (``""``: the whole form)."""

    errors: tuple[tuple[str, Message], ...]
    #: field path → its label (SOP :class:`Labels`), to name fields as people read them
    labels: tuple[tuple[str, Any], ...] = ()

    def text(self, lang: str = "fr") -> str:
        from ..i18n import gettext
        named = dict(self.labels)

        def field(k: str) -> str:
            if not k:
                return gettext("formulaire", lang)
            return named[k].text(lang) if k in named else k

        # each error's own full stop dropped inside the list (« obligatoire ; … », not « .; »)
        from ..i18n import listed
        return listed([gettext("{field} : {error}", lang, field=field(k), error=m.text(lang).rstrip("."))
                       for k, m in self.errors], lang)


@dataclass(frozen=True)
class FormNames:
    """Forms quoted in the reader's language (« a », « b » / 'a', 'b'), one value of a message."""

    names: tuple[Any, ...]  #: ids, or their SOP :class:`Labels`

    def text(self, lang: str = "fr") -> str:
        from ..i18n import gettext
        return ", ".join(gettext("« {name} »", lang, name=n.text(lang) if isinstance(n, Labels) else n)
                         for n in self.names)


@dataclass(frozen=True)
class Joined:
    """Messages (or SOP :class:`Labels`) as one value of a message, each shown in the reader's
    language and joined with ``sep``; ``empty`` (a message, or None: ``""``) when there are none."""

    parts: tuple[Any, ...]
    sep: str = ", "
    empty: Message | None = None

    def text(self, lang: str = "fr") -> str:
        if not self.parts:
            return self.empty.text(lang) if self.empty is not None else ""
        return self.sep.join(p.text(lang) for p in self.parts)


class EngineError(Exception):
    """Base class. ``code`` is stable; ``http_status`` is what the web layer answers."""

    code = "engine_error"
    http_status = 400

    def __init__(self, message: Message, **details: Any):
        self.message = message
        self.details = details
        super().__init__(message.fr)

    def text(self, lang: str = "fr") -> str:
        return self.message.text(lang)

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {"code": self.code, "message": self.text(lang), **self.details}


class CaseNotFound(EngineError):
    code, http_status = "case_not_found", 404


class SOPNotFound(EngineError):
    code, http_status = "sop_not_found", 404


class UnknownTrigger(EngineError):
    """The trigger does not exist in this step, or is not allowed in the current state."""

    code, http_status = "trigger_not_allowed", 409


class AmbiguousInstance(EngineError):
    """Several open step instances accept this trigger; the caller must name one."""

    code, http_status = "ambiguous_instance", 409


class RoleNotAllowed(EngineError):
    code, http_status = "role_not_allowed", 403


class GuardNotMet(EngineError):
    code, http_status = "guard_not_met", 422


class GuardError(EngineError):
    """A transition's ``when`` condition could not be evaluated (a CEL run-time error: missing
    value, type mismatch): a mistake in the SOP, not a refusal. ``details``: ``condition`` (the
    expression) and ``error`` (CEL's message)."""

    code, http_status = "guard_error", 422


def guard_error(transition: Any, exc: Exception) -> GuardError:
    """The :class:`GuardError` of ``transition`` (an SOP transition) whose ``when`` raised ``exc``."""
    return GuardError(Message.t(
        "La condition de « {trigger} » n'a pas pu être évaluée : {when} — {exc}. C'est une erreur de la "
        "POS : signalez-la à son auteur.",
        trigger=transition.trigger, when=transition.when, exc=exc),
        condition=transition.when, error=str(exc))


class CaseClosed(EngineError):
    code, http_status = "case_closed", 409


class CaseOpen(EngineError):
    """An action that needs a closed case (erasure at the person's request, tryout 9, L9)."""

    code, http_status = "case_open", 409


class CaseErased(EngineError):
    """The person's data were erased: nothing personal may be added to the case (tryout 9, L12)."""

    code, http_status = "case_erased", 409


class StaleVersion(EngineError):
    """Someone else changed the case since ``expected_version``; the submitted data is kept in
    ``details['payload']`` so the user can re-submit."""

    code, http_status = "stale_version", 409


#: The forms of the application's own actions (not the SOP's): their names and their fields' names,
#: French source text, msgid of the catalogues — a 422 names them as the page does, never
#: « reopen », « risk_level » (tryout 5, G22). The SOP's forms are named by the SOP
#: (:func:`mno_workflow.engine.forms.invalid`).
ACTION_FORMS = {
    "reopen": N_("Réouverture du dossier"), "extension": N_("Prolongation du délai"),
    "correct": N_("Correction d'état"), "reassign": N_("Réattribution"), "note": N_("Note"),
    "erase": N_("Effacement des données de la personne"), "create": N_("Ouverture du dossier"),
}
ACTION_FIELDS = {
    "reason": N_("Motif"), "by": N_("Durée"), "assignee": N_("Nouveau gestionnaire de cas"),
    "references": N_("Dossiers"), "text": N_("Texte de la note"), "state": N_("Nouvel état"),
    "target": N_("Étape et son nouvel état"), "step": N_("Étape"), "region": N_("Région"),
    "confirm": N_("Confirmation"),
}


class FormInvalid(EngineError):
    """Per-field validation errors: ``errors = {field_path: Message}``."""

    code, http_status = "form_invalid", 422

    def __init__(self, form_id: str, errors: dict[str, Message], *, title: Any = None,
                 labels: dict[str, Any] | None = None):
        """``title`` (SOP :class:`Labels` of the form) and ``labels`` (field path → Labels) name
        the form and its fields in the message as people read them (« Retrait du consentement »,
        « Date du retrait »); an action's own form (:data:`ACTION_FORMS`: reopen, extension…) and
        its fields are named from the catalogues; the id otherwise. ``errors`` stays keyed by path."""
        self.form_id = form_id
        self.errors = errors
        if title is None and form_id in ACTION_FORMS:
            title = Message.t(ACTION_FORMS[form_id])
            labels = {**{k: Message.t(ACTION_FIELDS[k]) for k in errors if k in ACTION_FIELDS},
                      **(labels or {})}
        self.title, self.labels = title, dict(labels or {})
        super().__init__(Message.t("Formulaire « {form} » invalide — {errors}", form=title or form_id,
                                   errors=FieldErrors(tuple(errors.items()), tuple(self.labels.items()))))

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {"code": self.code, "message": self.text(lang), "form": self.form_id,
                "errors": {k: m.text(lang) for k, m in self.errors.items()}}


class FormsInvalid(FormInvalid):
    """Per-field errors of a transition with several forms (``form: [a, b]``), keyed by form:
    ``by_form = {form_id: {field_path: Message}}`` (``""`` as form id: a key of the payload that is
    none of the forms). ``errors`` flattens them as ``{"form.field": Message}``; ``form_id`` is the
    first form with an error. ``as_dict`` adds ``forms: {form_id: {field_path: text}}``."""

    def __init__(self, by_form: dict[str, dict[str, Message]], *, titles: dict[str, Any] | None = None,
                 labels: dict[str, Any] | None = None):
        """``titles`` (form id → SOP :class:`Labels`) and ``labels`` (``form.field`` → Labels) name
        the forms and fields as people read them; their ids otherwise."""
        self.by_form = by_form
        flat = {f"{fid}.{k}" if fid and k else (fid or k): m
                for fid, errs in by_form.items() for k, m in errs.items()}
        super().__init__(next(iter(by_form)) or "", flat, labels=labels)
        titles = titles or {}
        self.message = Message.t("Formulaires invalides {names} — {errors}",
                                 names=FormNames(tuple(titles.get(fid, fid) for fid in by_form if fid)),
                                 errors=FieldErrors(tuple(flat.items()), tuple((labels or {}).items())))
        self.args = (self.message.fr,)

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {**super().as_dict(lang),
                "forms": {fid: {k: m.text(lang) for k, m in errs.items()}
                          for fid, errs in self.by_form.items()}}


class DeadlineNotArmed(EngineError):
    """The state entered has a deadline that cannot be computed (a ``by:`` field left empty, a
    ``start:`` field missing or not a date): nothing is committed, unless the SOP marks the
    deadline ``optional: true``. ``details``: ``step``, ``state``, ``field``."""

    code, http_status = "deadline_not_armed", 422
