"""W126: a condition shown to people that has no words.

Paper forms, the SOP document, the deck and the leaflets say *when* something applies in plain
language; the CEL text goes only to the annex for SOP authors. A condition gets its words from its
label — ``when_label`` of a transition guard, of a flow rule (a step that starts, or a case that
closes, only in some cases) or of a deadline's ``no_later_than`` cap, ``relevant_label`` of a form
field asked only in some cases, ``where_label`` of the items a for-each step runs for — or,
without a label, from the common shapes the documents know how to say
(:func:`mno_workflow.render.plain.condition_words`: ``has(f)``, ``f == 'code'``, a yes/no field
``f``, ``!f``, ``has(f) && f``…).
A condition with neither would print as « dans certains cas (voir l'annexe) »: nothing a trainer,
a provider or a returnee can use. Each is reported at the condition itself (file:line:col).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..diagnostics import Diagnostic, said
from ..loader import LoadedSOP
from ..schema import SOP, FormField

__all__ = ["check_condition_labels", "conditions_needing_words"]

CODE = "W126"


def _fields(fields: list[FormField], path: tuple) -> Iterator[tuple[tuple, FormField]]:
    for i, f in enumerate(fields):
        yield path + (i,), f
        if f.fields:
            yield from _fields(f.fields, path + (i, "fields"))


def _unsaid(sop: SOP, words: Callable[[str], str]) -> bool:
    """Whether the documents print « dans certains cas » for a condition: ``words(lang)`` is what
    they print (the very function they call), asked in every language of the SOP."""
    # Late import: the words live with the documents (render.plain); loading an SOP never needs them.
    from mno_workflow.render.plain import unsaid_words

    return any(unsaid_words(words(lang), lang) for lang in sop.languages)


def conditions_needing_words(sop: SOP) -> Iterator[tuple[tuple, str, str, str]]:
    """``(path, expression, what, label key)`` of every condition shown to people that the documents
    cannot put into words (no label, no shape they know): transition guards, fields asked only in
    some cases, the items a for-each step runs for (``where``), deadline caps (``no_later_than``
    ``when``), flow rules. The test is the documents' own wording (:mod:`mno_workflow.render.plain`),
    so ``mno validate`` (W126) and ``mno publish`` warn about the same conditions (tryout 5, H20)."""
    from mno_workflow.render import plain

    for sid, step in sop.steps.items():
        fe = step.instances
        if (not isinstance(fe, str) and fe.where
                and _unsaid(sop, lambda lang, fe=fe: plain.where_words(sop, fe, lang))):
            yield (("steps", sid, "instances", "where"), fe.where,
                   said("the condition of the items step {step!r} runs for", step=sid), "where_label")
        for st, state in step.states.items():
            for i, cap in enumerate(state.deadline.no_later_than if state.deadline else []):
                if cap.when and _unsaid(sop, lambda lang, cap=cap: plain.cap_condition(sop, cap, lang)):
                    yield (("steps", sid, "states", st, "deadline", "no_later_than", i, "when"), cap.when,
                           said("the condition of a 'no_later_than' of the deadline of {state}",
                                state=f"{sid}.{st}"), "when_label")
        for i, t in enumerate(step.transitions):
            if t.when and _unsaid(sop, lambda lang, t=t: plain.transition_condition(sop, t, lang)):
                yield (("steps", sid, "transitions", i, "when"), t.when,
                       said("the condition of transition {transition}", transition=f"{sid}.{t.trigger}"),
                       "when_label")
    for fid, form in sop.forms.items():
        for path, f in _fields(form.fields, ("forms", fid, "fields")):
            if f.relevant and _unsaid(sop, lambda lang, f=f: plain.relevant_words(sop, f, lang)):
                yield (path + ("relevant",), f.relevant,
                       said("the condition under which field {field} is asked", field=f"{fid}.{f.id}"),
                       "relevant_label")
    for i, rule in enumerate(sop.flow):
        if rule.when and _unsaid(sop, lambda lang, rule=rule: plain.rule_words(sop, rule, lang)):
            what = (said("the condition under which step {step!r} starts after {after}", step=rule.start,
                         after=rule.after) if rule.start
                    else said("the condition under which the case closes after {after}", after=rule.after))
            yield (("flow", i, "when"), rule.when, what, "when_label")


def _at(loaded: LoadedSOP, path: tuple) -> tuple:
    """``path`` as written: a ``no_later_than`` written as one mapping has no list index."""
    if "no_later_than" in path:
        k = path.index("no_later_than")
        if path[:k + 2] not in loaded.positions.values:
            return path[:k + 1] + path[k + 2:]
    return path


def check_condition_labels(loaded: LoadedSOP) -> list[Diagnostic]:
    """W126 for every condition of :func:`conditions_needing_words`, at the condition."""
    return [
        loaded.diag(_at(loaded, path), CODE,
                    said("{what} ({expr!r}) has no words: documents would print 'in some cases'",
                         what=what, expr=expr),
                    said("add '{key}: {{fr: …, en: …}}' saying the condition in plain words", key=key),
                    severity="warning")
        for path, expr, what, key in conditions_needing_words(loaded.model)
    ]
