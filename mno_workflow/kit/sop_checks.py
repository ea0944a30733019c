"""Checks of a loaded scenario against its SOP, before anything runs: triggers, steps, states and
roles the SOP does not know, each reported at its file:line:col (split from :mod:`.model`, which
re-exports them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..sop.diagnostics import Diagnostic, said_fr
from ..sop.schema import SOP, Duration

if TYPE_CHECKING:  # annotations only: model re-exports this module's functions
    from .model import Scenario, UserSpec


def actor_role(text: str, users: dict[str, UserSpec]) -> str | None:
    """The role of ``as:`` (``user:role[@org]`` or a declared user id), or None if unparsable."""
    if ":" in text:
        return text.split(":", 1)[1].partition("@")[0] or None
    return users[text].role if text in users else None


def check_against_sop(scn: Scenario, sop: SOP) -> list[Diagnostic]:
    """Names the SOP does not know: triggers, steps, states, roles (each with file:line:col)."""
    out: list[Diagnostic] = []
    users = {u.id: u for u in scn.users}
    triggers = {t.trigger for st in sop.steps.values() for t in st.transitions}
    roles = set(sop.roles)

    def role_ok(text: str, where: tuple) -> None:
        role = actor_role(text, users)
        if role is None:
            out.append(scn.diag(where, "S030", said_fr(
                "« {text} » : écrire utilisateur:rôle, utilisateur:rôle@organisation, ou l'identifiant "
                "d'un utilisateur déclaré", text=text)))
        elif role not in roles:
            out.append(scn.diag(where, "S031", said_fr("rôle inconnu « {role} » (rôles de la POS : {roles})",
                                                       role=role, roles=", ".join(sorted(roles)))))

    def instance_ok(text: str, where: tuple) -> str | None:
        step = text.split(":", 1)[0]
        if step in sop.steps:
            return step
        if ":" in text:
            out.append(scn.diag(where, "S032", said_fr("étape inconnue « {step} » (étapes : {steps})",
                                                       step=step, steps=", ".join(sop.steps))))
        return None

    def state_ok(step: str | None, state: str | None, where: tuple) -> None:
        if step is None or state is None:
            if state is not None and not any(state in st.states for st in sop.steps.values()):
                out.append(scn.diag(where, "S033", said_fr("état inconnu « {state} »", state=state)))
            return
        if state not in sop.steps[step].states:
            out.append(scn.diag(where, "S033", said_fr("état inconnu « {state} » pour l'étape {step} "
                                                       "(états : {states})", state=state, step=step,
                                                       states=", ".join(sop.steps[step].states))))

    for i, u in enumerate(scn.users):
        if u.role not in roles:
            out.append(scn.diag(("users", i, "role"), "S031",
                                said_fr("rôle inconnu « {role} »", role=u.role)))
    for st in scn.steps:
        s = st.spec
        if st.kind == "create":
            role_ok(s.create.actor, st.path + ("create", "as"))
        elif st.kind == "fire":
            role_ok(s.actor, st.path + ("as",))
            if s.fire not in triggers:
                out.append(scn.diag(st.path + ("fire",), "S034", said_fr(
                    "action inconnue « {trigger} » (actions de la POS : {triggers})", trigger=s.fire,
                    triggers=", ".join(sorted(triggers)))))
            if s.instance:
                instance_ok(s.instance, st.path + ("instance",))
        elif st.kind == "extend":
            role_ok(s.extend.actor, st.path + ("extend", "as"))
            instance_ok(s.extend.instance, st.path + ("extend", "instance"))
            try:
                Duration.model_validate(s.extend.by)
            except ValueError:
                pass  # the engine's refusal (form_invalid) is what a scenario may test
        elif st.kind == "reopen":
            role_ok(s.reopen.actor, st.path + ("reopen", "as"))
        elif st.kind == "expect":
            ex = s.expect
            base = st.path + ("expect",)
            for key, state in (ex.states or {}).items():
                step = instance_ok(key, base + ("states", key))
                if step is None and key not in sop.steps and ":" not in key:
                    out.append(scn.diag(base + ("states", key), "S032", said_fr("étape inconnue « {step} »",
                                                                                 step=key)))
                state_ok(step, state, base + ("states", key))
            for name in ("reminders", "escalations", "auto_fired"):
                for j, item in enumerate(getattr(ex, name) or []):
                    step = instance_ok(item.instance, base + (name, j, "instance")) if item.instance else None
                    state_ok(step, item.state, base + (name, j, "state"))
                    to = getattr(item, "to", None)
                    if to is not None and to not in roles:
                        out.append(scn.diag(base + (name, j, "to"), "S031",
                                            said_fr("rôle inconnu « {role} »", role=to)))
            for j, item in enumerate(ex.outbox or []):
                if item.role is not None and item.role not in roles:
                    out.append(scn.diag(base + ("outbox", j, "role"), "S031",
                                        said_fr("rôle inconnu « {role} »", role=item.role)))
            dls = ex.deadline if isinstance(ex.deadline, list) else [ex.deadline] if ex.deadline else []
            for j, d in enumerate(dls):
                where = base + ("deadline", j) if isinstance(ex.deadline, list) else base + ("deadline",)
                step = instance_ok(d.instance, where + ("instance",))
                state_ok(step, d.state, where + ("state",))
    return out
