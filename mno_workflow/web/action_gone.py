"""An action's address that cannot be used now, said at once on its form page (tryout 7, J14).

An old link (a task of before a reopen: ``…/actions/follow_up:1/record_visit`` when the follow-up
now runs as ``follow_up:1-2``), or a step whose state has moved on, used to open the whole form,
filled in for nothing and then refused. :func:`gone_action` says why the action cannot be done on
that step instance now and, when the same step has an open instance where it can, gives the
address of that action there; the page then shows no form.
"""

from __future__ import annotations

from typing import Any

from ..i18n import gettext
from ..sop.schema import SOP, Transition


def accepts(tr: Transition, inst: Any) -> bool:
    """``inst``'s state takes ``tr``: an open step its transitions from that state, a done step only
    its edits (BF SOP « Rectifier l'identification », tryout 9, L5)."""
    return (not inst.final or tr.internal) and ("*" in tr.sources or inst.state in tr.sources)


def gone_action(sop: SOP, case: Any, inst: Any, tr: Transition, lang: str,
                organisation: str | None = None) -> dict[str, str] | None:
    """None when ``tr`` may be fired on ``inst`` of ``case`` now (as far as the state goes);
    else ``{"message", "link", "link_label"}`` (link and its label empty when no open instance of
    the same step accepts it; ``organisation``: a provider's, whose referrals alone are offered)."""
    step = sop.steps[inst.step]
    if case.status != "closed" and accepts(tr, inst):
        return None
    action = sop.label(tr.label, lang)
    state = sop.label(step.states[inst.state].label, lang)
    if case.status == "closed":
        return {"message": gettext("Dossier clos : l'action « {action} » n'est plus possible.", lang,
                                   action=action), "link": "", "link_label": ""}
    current = [i for i in case.instances if i.step == inst.step and i.id != inst.id and accepts(tr, i)
               and (organisation is None or i.recipient == organisation)]
    if inst.final:
        message = gettext("Cette étape « {step} » est terminée ({state}) : l'action « {action} » ne s'y "
                          "fait plus.", lang, step=sop.label(step.label, lang), state=state, action=action)
    else:
        message = gettext("L'action « {action} » n'est plus possible ici : l'étape est maintenant "
                          "« {state} ».", lang, action=action, state=state)
    if len(current) != 1:
        return {"message": message, "link": "", "link_label": ""}
    now = current[0]
    return {"message": message,
            "link": f"/dossiers/{case.reference}/actions/{now.label_key}/{tr.trigger}",
            "link_label": gettext("« {action} » sur l'étape en cours ({step} : {state})", lang, action=action,
                                  step=sop.label(step.label, lang),
                                  state=sop.label(step.states[now.state].label, lang))}
