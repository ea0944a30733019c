"""Words of the diagrams: durations, deadlines, guards, roles and the transitions as drawn, in the
reader's language (split from :mod:`.diagrams`, which re-exports them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from mno_workflow.i18n import N_, Words
from mno_workflow.render.plain import cap_condition, field_by_path, transition_condition
from mno_workflow.sop.schema import SOP, ByField, Deadline, Duration, Step, Transition

CLOCK = "\u25f7"  # ◷ clock face, present in DejaVu Sans so PNG/PDF show it: marks a deadline

# Words of the diagrams and of durations, per language (the handbook has its own dict for the rest).
TEXT: Words = Words({  # key → French message id (English and others: the catalogues)
    "start": N_("Début"),
    "version": N_("Version"),
    "case_closed": N_("Dossier clôturé"),
    "any_open": N_("Tout état non final"),
    "all_final": N_("Terminée pour chaque élément"),
    "any_final": N_("Terminée pour un élément"),
    "waits": N_("en attente de"),
    "by": N_("par"),
    "form": N_("fiche"),
    "colon": N_(" : "),
    "from_field": N_("à partir de"),
    "per_item": N_("en parallèle : une fois pour chaque « {x} »"),
    "no_owner": N_("Sans responsable"),
    "and": N_(" et "),
    "cutoff": N_("reçu après {t} : compte à partir du jour ouvrable suivant"),
    "no_later_than": N_("au plus tard {d} après {x}"),
    "no_later_than_entry": N_("au plus tard {d}"),
    "if": N_("{rule} si {condition}"),
    "cap_sep": N_(" ; "),
})


class EdgeFact(NamedTuple):
    """One transition as drawn: step, source state, trigger, destination, guard label ('' if none)."""

    step: str
    source: str
    trigger: str
    dest: str
    guard: str


def _t(lang: str) -> dict[str, str]:
    return TEXT.get(lang, TEXT["fr"])


def duration_words(duration: Duration, lang: str = "fr") -> str:
    """``Duration`` in words: ``10 jours ouvrables``, ``24 heures``, ``1 mois``; ``10 working days``."""
    from ..i18n.durations import duration_text  # the catalogues' plural rule (« 0 jour », "0 days")
    return duration_text(duration.amount, duration.unit.value, lang)


def _field_label(sop: SOP, path: str, lang: str) -> str:
    if path.startswith("steps."):  # a deadline starting at a step's state (issue 13)
        from ..engine.step_start import state_label
        return state_label(sop, path, lang)
    f = field_by_path(sop, path)
    return sop.label(f.label, lang) if f else path


def deadline_cases(sop: SOP, deadline: Deadline, lang: str = "fr") -> list[str]:
    """The deadline's period(s) in words, one item per case of a field-dependent deadline.

    ``["10 jours ouvrables"]`` or ``["Urgence vitale : 24 heures", "Normal : 10 jours ouvrables"]``
    (cases in the order of the option list, then any other code).
    """
    within = deadline.within
    if isinstance(within, Duration):
        return [duration_words(within, lang)]
    assert isinstance(within, ByField)
    f = field_by_path(sop, within.by)
    options = sop.options.get(f.options, {}) if f and f.options else {}
    order = [c for c in options if c in within.cases] + [c for c in within.cases if c not in options]
    colon = _t(lang)["colon"]
    return [f"{sop.label(options.get(code), lang) or code}{colon}{duration_words(within.cases[code], lang)}"
            for code in order]


def deadline_words(sop: SOP, deadline: Deadline, lang: str = "fr") -> str:
    """The deadline in one line of words, without the clock symbol.

    E.g. ``10 jours ouvrables``; ``Urgence vitale : 24 heures / Normal : 10 jours ouvrables``;
    a clock started on a date field adds ``(à partir de Date de l'incident)``.
    """
    text = " / ".join(deadline_cases(sop, deadline, lang))
    if deadline.start and deadline.start != "entered":
        text += f" ({_t(lang)['from_field']} {_field_label(sop, deadline.start, lang)})"
    cap = cap_words(sop, deadline, lang)
    return f"{text}, {cap}" if cap else text


def cap_words(sop: SOP, deadline: Deadline, lang: str = "fr") -> str:
    """The deadline's ``no_later_than`` in words, '' without one: « au plus tard 72 heures après
    Date et heure de l'incident », « au plus tard 24 heures si <condition> » (a cap chosen by a
    field: its cases joined by « / »; several caps joined by « ; »)."""
    words = _t(lang)
    out = []
    for cap in deadline.no_later_than:
        period = " / ".join(deadline_cases(sop, Deadline(within=cap.within), lang))
        start = cap.start or deadline.start
        text = (words["no_later_than"].format(d=period, x=_field_label(sop, start, lang))
                if start and start != "entered" else words["no_later_than_entry"].format(d=period))
        if cap.when:
            text = words["if"].format(rule=text, condition=cap_condition(sop, cap, lang))
        out.append(text)
    return words["cap_sep"].join(out)


def guard_label(sop: SOP, transition: Transition, lang: str = "fr") -> str:
    """What a guard means, in words: its ``when_label`` in ``lang``, else its expression put into
    words (:func:`.plain.transition_condition`, as the handbook and lint W126 do: never CEL, state
    ids or software words); '' if none. ``when_message`` is the refusal, never the condition."""
    return transition_condition(sop, transition, lang)


def _roles(sop: SOP, roles: Iterable[str], lang: str) -> str:
    return ", ".join(sop.label(sop.roles[r].label, lang) if r in sop.roles else r for r in roles)


def expand_sources(step: Step, transition: Transition) -> list[str]:
    """The transition's source states, ``*`` expanded to every non-final state (in step order)."""
    out: list[str] = []
    for src in transition.sources:
        names = [n for n, s in step.states.items() if not s.final] if src == "*" else [src]
        out += [n for n in names if n not in out]
    return out


def transition_facts(sop: SOP, lang: str = "fr", step_id: str | None = None) -> set[EdgeFact]:
    """Every transition of the SOP (or of one step) expanded to one :class:`EdgeFact` per source."""
    steps = [step_id] if step_id else list(sop.steps)
    return {EdgeFact(sid, src, t.trigger, t.dest or src, guard_label(sop, t, lang))
            for sid in steps for t in sop.steps[sid].transitions
            for src in expand_sources(sop.steps[sid], t)}



def _check_step(sop: SOP, step_id: str) -> None:
    if step_id not in sop.steps:
        raise KeyError(f"unknown step {step_id!r}; steps: {', '.join(sop.steps)}")

