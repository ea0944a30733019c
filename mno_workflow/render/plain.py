"""Plain-language words for the generated documents: conditions in words, never CEL or software terms.

Documents for trainers, partners and returnees (forms, SOP document, deck, leaflets) must say
*when* something applies in words. A transition or a flow rule says it with its ``when_label``, a
form field with its ``relevant_label``; without a label, the common shapes are put into words
here (``!has(f)``, ``has(f) && f.exists(v, v == 'code')``, ``f == 'code'``, ``f == true``…) with the
field and option labels of the SOP; any other expression becomes « dans certains cas (voir
l'annexe) » and its CEL text goes to the authors' annex only. :func:`software_words` finds the
words no reader should meet (« instance », « trigger », « clé : », state ids) in a text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from mno_workflow.i18n import N_, Words, quoted
from mno_workflow.sop.schema import SOP, Cap, FlowRule, ForEach, FormField, Transition


def field_by_path(sop: SOP, path: str) -> FormField | None:
    """The top-level field named ``form.field``, or None (here, not in :mod:`.diagrams`, so that
    the linter's wording of conditions does not import Graphviz). ``item.field`` (a deadline
    counted from a date of the need, e.g. ``item.incident_at``): the first definition of that
    field among the items of the SOP's steps (:func:`~mno_workflow.engine.item_source.step_item_fields`)."""
    form_id, _, field_id = path.partition(".")
    if form_id == "item" and "item" not in sop.forms:
        from ..engine.item_source import step_item_fields
        return next((f for sid in sop.steps if (f := step_item_fields(sop, sid).get(field_id))), None)
    form = sop.forms.get(form_id)
    if form is None:
        return None
    return next((f for f in form.fields if f.id == field_id), None)


__all__ = ["WORDS", "cap_condition", "condition_words", "field_condition", "relevant_words", "rule_words",
           "software_words", "transition_condition", "unsaid", "unsaid_words", "where_words"]

WORDS: Words = Words({  # key → French message id (English and others: the catalogues)
    "if": N_("si"),
    "filled": N_("{f} est renseigné"),
    "not_filled": N_("{f} n'est pas renseigné"),
    "includes": N_("{f} comprend {o}"),
    "is": N_("{f} est {o}"),
    "is_not": N_("{f} n'est pas {o}"),
    "yes": N_("{f} : oui"),
    "no": N_("{f} : non"),
    "some_cases": N_("dans certains cas (voir l'annexe)"),
    "and": N_(" et "),
    "or": N_(" ou "),
    "lq": N_("« "),
    "rq": N_(" »"),
})


_PATH = r"([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^!\s*has\({_PATH}\)$"), "not_filled"),
    (re.compile(rf"^has\({_PATH}\)$"), "filled"),
    (re.compile(rf"^(?:has\({_PATH}\)\s*&&\s*)?{_PATH}\.exists\((\w+),\s*\3\s*==\s*'([^']*)'\)$"),
     "includes"),
    (re.compile(rf"^(?:has\({_PATH}\)\s*&&\s*)?{_PATH}\s*==\s*'([^']*)'$"), "is"),
    (re.compile(rf"^(?:has\({_PATH}\)\s*&&\s*)?{_PATH}\s*!=\s*'([^']*)'$"), "is_not"),
    (re.compile(rf"^(?:has\({_PATH}\)\s*&&\s*)?{_PATH}\s*==\s*true$"), "yes"),
    (re.compile(rf"^(?:has\({_PATH}\)\s*&&\s*)?{_PATH}\s*==\s*false$"), "no"),
    (re.compile(rf"^(?:has\({_PATH}\)\s*&&\s*)?{_PATH}$"), "yes"),
    (re.compile(rf"^(?:has\({_PATH}\)\s*&&\s*)?!\s*{_PATH}$"), "no"),
]


def _q(text: str, lang: str) -> str:
    w = WORDS[lang]
    return f"{w['lq']}{text}{w['rq']}"


def _one(sop: SOP, expr: str, lang: str) -> str | None:
    """One simple condition in words, or None when its shape is not known."""
    w = WORDS[lang]
    expr = expr.strip()
    while expr.startswith("(") and expr.endswith(")") and expr.count("(") == expr.count(")"):
        expr = expr[1:-1].strip()
    state = re.match(r"^steps\.([a-z][a-z0-9_]*)\s*(==|!=)\s*'([^']*)'$", expr)
    if state:  # steps.consent != 'refused': a step's state, both by their labels
        step = sop.steps.get(state.group(1))
        st = step.states.get(state.group(3)) if step else None
        if st is None:
            return None
        kind = "is" if state.group(2) == "==" else "is_not"
        return w[kind].format(f=_q(sop.label(step.label, lang), lang), o=_q(sop.label(st.label, lang), lang))
    empty = re.match(rf"^{_PATH}\s*(==|!=)\s*''$", expr)  # f == '' / f != '': (not) filled in
    if empty:
        f = field_by_path(sop, empty.group(1))
        if f is None:
            return None
        kind = "not_filled" if empty.group(2) == "==" else "filled"
        return w[kind].format(f=_q(sop.label(f.label, lang), lang))
    for pattern, kind in _PATTERNS:
        m = pattern.match(expr)
        if not m:
            continue
        groups = [g for g in m.groups()]
        if kind in ("not_filled", "filled"):
            path, code = groups[0], None
        elif kind == "includes":
            path, code = groups[1], groups[3]
        elif kind in ("is", "is_not"):
            path, code = groups[1], groups[2]
        else:
            path, code = groups[1], None
        f = field_by_path(sop, path)
        if f is None:
            return None
        label = _q(sop.label(f.label, lang), lang)
        option = ""
        if code is not None:
            opts = sop.options.get(f.options or "", {})
            option = _q(sop.label(opts.get(code), lang) or code, lang)
        return w[kind].format(f=label, o=option)
    return None


def condition_words(sop: SOP, expr: str | None, lang: str = "fr") -> str:
    """``expr`` (a CEL condition on the case) in words without « si », or '' for no condition.

    Conjunctions (``&&``) and disjunctions (``||``) of known shapes are joined with « et » / « ou »;
    anything else gives « dans certains cas (voir l'annexe) »: never CEL text.
    """
    if not expr:
        return ""
    w = WORDS.get(lang, WORDS["fr"])
    whole = _one(sop, expr, lang)
    if whole:
        return whole
    for op, word in (("||", w["or"]), ("&&", w["and"])):
        if op in expr:
            parts = [_one(sop, p, lang) for p in expr.split(op)]
            if all(parts):
                return word.join(p for p in parts if p)
    return w["some_cases"]


def unsaid(sop: SOP, expr: str | None, lang: str = "fr") -> bool:
    """Whether ``expr`` is a condition :func:`condition_words` cannot put into words (it says « dans
    certains cas »): the only case where a reader is shown the expression itself, as code."""
    return bool(expr) and unsaid_words(condition_words(sop, expr, lang), lang)


def unsaid_words(words: str, lang: str = "fr") -> bool:
    """Whether ``words`` (what a document prints for a condition: :func:`transition_condition`,
    :func:`relevant_words`, :func:`rule_words`, :func:`where_words`, :func:`cap_condition`) is « dans
    certains cas (voir l'annexe) », i.e. no words at all. Lint W126 asks this of the very words the
    documents print, so that ``mno validate`` and ``mno publish`` never disagree (tryout 5, H20)."""
    return words == WORDS.get(lang, WORDS["fr"])["some_cases"]


def where_words(sop: SOP, fe: ForEach, lang: str = "fr") -> str:
    """Which items of a for-each step get an instance, in words, without « si »: the ``where_label``,
    else ``item.<sub>`` (a yes/no sub-field of the repeat group) as its label, else the words of the
    expression (``has(item.refer) && item.refer`` → « « À référer » : oui »); '' without ``where``."""
    if not fe.where:
        return ""
    if fe.where_label:
        return sop.label(fe.where_label, lang)
    group = field_by_path(sop, fe.for_each)
    expr = fe.where.strip()
    if group and expr.startswith("item.") and expr[5:].isidentifier():
        sub = next((s for s in group.fields or [] if s.id == expr[5:]), None)
        if sub:
            return quoted(sop.label(sub.label, lang), lang)
    return condition_words(sop, fe.where, lang)


def cap_condition(sop: SOP, cap: Cap, lang: str = "fr") -> str:
    """When a deadline's ``no_later_than`` cap applies, in words: its ``when_label``, else the words
    of its ``when``; '' for a cap that always applies."""
    if not cap.when:
        return ""
    if cap.when_label:
        return sop.label(cap.when_label, lang)
    return condition_words(sop, cap.when, lang)


def relevant_words(sop: SOP, f: FormField, lang: str = "fr") -> str:
    """When a field is asked, without « si »: its ``relevant_label``, else the words of its
    ``relevant`` expression; '' for a field always asked."""
    if not f.relevant:
        return ""
    if f.relevant_label:
        return sop.label(f.relevant_label, lang)
    return condition_words(sop, f.relevant, lang)


def rule_words(sop: SOP, rule: FlowRule, lang: str = "fr") -> str:
    """A flow rule's condition in words: its ``when_label``, else the words of its ``when``."""
    if not rule.when:
        return ""
    if rule.when_label:
        return sop.label(rule.when_label, lang)
    return condition_words(sop, rule.when, lang)


def field_condition(sop: SOP, f: FormField, lang: str = "fr") -> str:
    """« si … » for a field with ``relevant``, '' for a field always asked."""
    if not f.relevant:
        return ""
    return f"{WORDS[lang]['if']} {relevant_words(sop, f, lang)}"


def transition_condition(sop: SOP, t: Transition, lang: str = "fr") -> str:
    """A transition's condition in words: its ``when_label``, else the words of its expression."""
    if not t.when:
        return ""
    if t.when_label:
        return sop.label(t.when_label, lang)
    return condition_words(sop, t.when, lang)


_SOFTWARE = re.compile(r"\b(instances?|trigger|triggers|clé\s?:|key\s?:|attend |waits for|"
                       r"has\(|steps\.|\.exists\(|&&|\|\||!has|==)", re.IGNORECASE)


def software_words(text: str, state_ids: Iterable[str] = ()) -> list[str]:
    """The software words, CEL fragments and state ids found in ``text`` (plain text, not HTML).

    State ids are looked for only when they contain ``_`` (``not_eligible``): a one-word id such as
    ``pending`` is an ordinary English word.
    """
    found = [m.group(0) for m in _SOFTWARE.finditer(text)]
    for sid in state_ids:
        if "_" in sid and re.search(rf"\b{re.escape(sid)}\b", text):
            found.append(sid)
    return found
