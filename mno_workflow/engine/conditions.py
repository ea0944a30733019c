"""Flow conditions that fail at run time are never silently false.

A flow rule's ``when``, a ``for_each``'s ``where`` and a step's ``disclosure`` are CEL conditions
read while the engine moves a case. When one raises (a missing value, a type mismatch), the engine
still takes the safe branch — the rule does not apply, the item is not started, nothing is
disclosed — but it says so:

- ``when``/``where`` (inside the transition's transaction): an effect
  ``{"condition_error": {"where", "condition", "error", "fr", "en"}}`` in the transition's audit
  event, a WARNING log line, and one ``escalation`` message (template ``condition_error``: the
  condition and the reason, no personal data) to the SOP's ``supervisor`` role and the case's
  assigned caseworker, like an automatic trigger that failed (``auto_trigger_failed``);
- ``disclosure`` (read on provider pages and before a provider's action): the provider is refused
  with a message naming the broken condition (:func:`disclosure_problem`), and a WARNING log line.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from ..i18n import N_
from ..sop.expr import ExprError, compile_expr
from .errors import Message

log = logging.getLogger("mno.engine")

#: Where a condition sits, as catalogue message ids (French source text).
WHERE_LABELS = {
    "flow": N_("condition « when » d'une règle d'enchaînement"),
    "for_each": N_("condition « where » d'une étape répétée"),
    "disclosure": N_("condition « disclosure » de l'étape"),
}


_UNDEFINED = re.compile(r"(?:Undefined variable or function|no such key|missing value)\W+'?([\w.]+)")


def error_words(error: Exception) -> Message:
    """What went wrong evaluating a condition, in words of the catalogues: the value it reads and
    the case does not have (« valeur absente : age »), else that it cannot be computed — never
    the evaluator's English (kept in the audit event's ``error`` and the log)."""
    missing = getattr(error, "missing", None)
    found = _UNDEFINED.search(str(error)) if not missing else None
    if missing or found:
        return Message.t("valeur absente : {name}", name=missing or found.group(1))
    return Message.t("calcul impossible")


def problem_message(where: str, source: str, error: Exception) -> Message:
    """The catalogue message saying that condition ``source`` (at ``where``, a key of
    :data:`WHERE_LABELS`) raised ``error`` and is taken as false."""
    return Message.t("La {where} « {condition} » n'a pas pu être évaluée ({error}) : elle est traitée "
                     "comme fausse. Corrigez la POS ou les données du dossier.",
                     where=Message.t(WHERE_LABELS[where]), condition=source, error=error_words(error))


def problem(where: str, source: str, error: Exception) -> dict[str, str]:
    """The report of a broken condition: ``{"where", "condition", "error", "fr", "en"}`` (the
    texts of :func:`problem_message`, kept in the audit event)."""
    m = problem_message(where, source, error)
    return {"where": where, "condition": source, "error": str(error), "fr": m.fr, "en": m.en}


def holds_or_report(s: Any, case: Any, inst: Any, sop: Any, source: str, context: dict, where: str,
                    effects: list[dict] | None, now: datetime) -> bool:
    """Evaluate ``source``: True when it is ``true``. A run-time error counts as false and is
    reported (see the module doc): effect appended to ``effects`` (when given), log line, one
    escalation message through the outbox in session ``s``."""
    try:
        return compile_expr(source).evaluate(context) is True
    except ExprError as e:
        report = problem(where, source, e)
        log.warning("condition error on %s (%s): %s", getattr(case, "reference", "?"), where, report["en"],
                    extra={"event": "condition_error", "case": getattr(case, "reference", None)})
        if effects is not None:
            effects.append({"condition_error": report})
        _escalate(s, case, inst, sop, report, now)
        return False


def _escalate(s: Any, case: Any, inst: Any, sop: Any, report: dict, now: datetime) -> None:
    from ..reminders.stored_message import stored
    from ..store.outbox import enqueue
    # issue 18 (helper "mail"): the message id and parameters, rendered in the reader's language
    # at display/send time (not texts); rows written before carry where_fr/where_en, still read
    reason = problem_message(report["where"], report["condition"], RuntimeError(report["error"]))
    context = {"reference": case.reference, "step": inst.step if inst is not None else sop.start,
               "instance": inst.key if inst is not None else None,  # issue 18: the link's step box
               "condition": report["condition"],
               "where_msg": stored(Message.t(WHERE_LABELS[report["where"]])), "reason_msg": stored(reason)}
    targets = [(r, sop.roles[r].scope) for r in ("supervisor",) if r in sop.roles]
    targets += [(r, "assigned") for r, role in sop.roles.items() if role.scope == "assigned"][:1]
    for role, scope in targets or [("supervisor", "all")]:
        enqueue(s, case=case, inst=inst, role=role, scope=scope, kind="escalation",
                template="condition_error", context=context, now=now)


def disclosure_problem(sop: Any, source: str | None, context: dict) -> Message | None:
    """The refusal message when the step's ``disclosure`` condition raises; None when it
    evaluates (true or false) or there is none."""
    if not source:
        return None
    try:
        compile_expr(source).evaluate(context)
        return None
    except ExprError as e:
        message = problem_message("disclosure", source, e)
        log.warning("disclosure condition error: %s", message.en, extra={"event": "condition_error"})
        return message
