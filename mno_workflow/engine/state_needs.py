"""The form data a step's state stands for, read from the SOP: what a correction may not leave out.

A state entered only through transitions that record a form (``consent.given`` through
« Enregistrer le consentement » and the consent form, ``consent.overridden`` through the
supervisor's override form) means that data exists: the SOP's conditions read it
(``'referral' in consent.purposes``). A coordination's correction (:mod:`.correct`) puts a step
in a state without a form, so it is refused when the case does not hold the data of at least one
way in; the refusal names what is missing and the action that records it. Derived from the
transitions of the SOP, never from step or state names, so it holds for any country's SOP.

A state needs nothing when it is the step's initial state, when some transition enters it without
a form (or with forms that have no required field), or when no transition enters it.
"""

from __future__ import annotations

from typing import Any

from .errors import FormInvalid, Joined, Labels, Message, trigger_label


def _needs_data(sop: Any, form_id: str) -> bool:
    form = sop.forms.get(form_id)
    return form is not None and any(f.required for f in form.fields)


def _held(case: Any, inst: Any, form_id: str) -> bool:
    return (inst.data or {}).get(form_id) is not None or (case.data or {}).get(form_id) is not None


def missing_entry(sop: Any, case: Any, inst: Any, state: str) -> list[tuple[Any, list[str]]]:
    """The ways into ``state`` of ``inst``'s step whose form data ``case`` lacks, as
    ``[(transition, [missing form ids])]`` — empty when the state needs nothing or when the case
    holds the data of one way in."""
    step = sop.steps[inst.step]
    if step.states[state].initial:
        return []
    ways = [t for t in step.transitions if t.dest == state and not t.internal]
    if not ways:
        return []
    missing = []
    for t in ways:
        lacking = [f for f in t.forms if _needs_data(sop, f) and not _held(case, inst, f)]
        if not lacking:
            return []
        missing.append((t, lacking))
    return missing


class StateNeedsData(FormInvalid):
    """A correction into a state whose data the case does not hold (422, on the ``state`` field).
    ``details``: ``missing`` = ``[{"trigger", "forms"}]``, the actions that would record it."""

    code = "state_needs_data"

    def __init__(self, message: Message, missing: list[dict[str, Any]]):
        super().__init__("correct", {"state": message})
        self.message = message
        self.args = (message.fr,)
        self.details = {"missing": missing}

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {**super().as_dict(lang), **self.details}


def refuse_without_data(sop: Any, case: Any, inst: Any, state: str) -> None:
    """Raise :class:`StateNeedsData` when ``state`` stands for form data the case lacks (see
    :func:`missing_entry`): « Correction impossible vers « Consentement donné » (Consentement
    éclairé) : le dossier n'a pas les données que cet état suppose — « Consentement éclairé »,
    enregistré par l'action « Enregistrer le consentement ». Faites cette action à la place. »"""
    missing = missing_entry(sop, case, inst, state)
    if not missing:
        return
    step = sop.steps[inst.step]
    ways = tuple(Message.t("{forms}, enregistré par l'action « {action} »",
                           forms=Joined(tuple(Message.t("« {name} »", name=Labels((sop.forms[f].title,)))
                                              for f in forms)),
                           action=trigger_label(sop, t.trigger, inst.step))
                 for t, forms in missing)
    label = step.states[state].label
    message = Message.n(
        "Correction impossible vers « {state} » ({step}) : le dossier n'a pas les données que cet état "
        "suppose — {missing}. Faites cette action à la place.",
        "Correction impossible vers « {state} » ({step}) : le dossier n'a pas les données que cet état "
        "suppose — {missing}. Faites l'une de ces actions à la place.",
        len(missing), state=Labels((label,)) if label else state, step=Labels((step.label,)),
        missing=Joined(ways, sep=" ; "))
    raise StateNeedsData(message, [{"trigger": t.trigger, "forms": forms} for t, forms in missing])
