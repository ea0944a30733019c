"""W126: a condition shown to people that has no words.

Paper forms, the SOP document, the deck and the leaflets say *when* something applies in plain
language; the CEL text goes only to the annex for SOP authors. A condition gets its words from its
label — ``when_label`` of a transition guard or of a flow rule (a step that starts, or a case that
closes, only in some cases), ``relevant_label`` of a form field asked only in some cases — or,
without a label, from the common shapes the documents know how to say
(:func:`mno_workflow.render.plain.condition_words`: ``has(f)``, ``f == 'code'``, ``f == true``…).
A condition with neither would print as « dans certains cas (voir l'annexe) »: nothing a trainer,
a provider or a returnee can use. Each is reported at the condition itself (file:line:col).
"""

from __future__ import annotations

from collections.abc import Iterator

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


def _said(sop: SOP, expr: str) -> bool:
    """Whether the documents can put ``expr`` into words without a label."""
    # Late import: the words live with the documents (render.plain); loading an SOP never needs them.
    from mno_workflow.render.plain import WORDS, condition_words

    return condition_words(sop, expr, "fr") != WORDS["fr"]["some_cases"]


def conditions_needing_words(sop: SOP) -> Iterator[tuple[tuple, str, str, str]]:
    """``(path, expression, what, label key)`` of every condition shown to people that has no label
    and no automatic words: transition guards, fields asked only in some cases, flow rules."""
    for sid, step in sop.steps.items():
        for i, t in enumerate(step.transitions):
            if t.when and not t.when_label and not _said(sop, t.when):
                yield (("steps", sid, "transitions", i, "when"), t.when,
                       said("the condition of transition {transition}", transition=f"{sid}.{t.trigger}"),
                       "when_label")
    for fid, form in sop.forms.items():
        for path, f in _fields(form.fields, ("forms", fid, "fields")):
            if f.relevant and not f.relevant_label and not _said(sop, f.relevant):
                yield (path + ("relevant",), f.relevant,
                       said("the condition under which field {field} is asked", field=f"{fid}.{f.id}"),
                       "relevant_label")
    for i, rule in enumerate(sop.flow):
        if rule.when and not rule.when_label and not _said(sop, rule.when):
            what = (said("the condition under which step {step!r} starts after {after}", step=rule.start,
                         after=rule.after) if rule.start
                    else said("the condition under which the case closes after {after}", after=rule.after))
            yield (("flow", i, "when"), rule.when, what, "when_label")


def check_condition_labels(loaded: LoadedSOP) -> list[Diagnostic]:
    """W126 for every condition of :func:`conditions_needing_words`, at the condition."""
    return [
        loaded.diag(path, CODE,
                    said("{what} ({expr!r}) has no words: documents would print 'in some cases'",
                         what=what, expr=expr),
                    said("add '{key}: {{fr: …, en: …}}' saying the condition in plain words", key=key),
                    severity="warning")
        for path, expr, what, key in conditions_needing_words(loaded.model)
    ]
