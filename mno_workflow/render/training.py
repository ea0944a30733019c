"""The training pack: modules per step, exercises generated from the SOP's scenarios with answer keys
computed by running them, a pre/post quiz and facilitator notes.

Exercises: each scenario of ``scenarios/`` beside the SOP is played on its own SQLite database
(a copy of a template migrated once per process) with a simulated clock (the scenario kit's
player, :mod:`mno_workflow.kit.runner`), its ``expect`` steps skipped. After each action that
moves the case, the learner is asked « what happens next? » and « which deadline applies? »;
the answer key is what the engine did (steps and states now open, the next due date in the SOP's
time zone). A changed SOP therefore changes the
answers. The quiz asks, per step, who is responsible and what the deadline is, with the answer
from the SOP; and, per data category, whether a provider may see it without consent (no).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from mno_workflow.i18n import N_, P_, Words, colon
from mno_workflow.i18n.dates import instant_text
from mno_workflow.sop.schema import SOP

from .narrative_text import find_narrative, markdown_html
from .paper_forms import env
from .sop_document import DOC_WORDS, step_facts

__all__ = ["TRAIN_WORDS", "scenario_exercises", "render_training", "quiz"]

TRAIN_WORDS: Words = Words({  # key → French message id (English and others: the catalogues)
    "pack": N_("Dossier de formation"),
    "modules": N_("Modules (une par étape)"),
    "module": N_("Module {n} — {x}"),
    "objectives": N_("Objectifs"),
    "objective": N_("À la fin du module, chaque participant sait qui fait quoi à l'étape « {x} », dans quel "
                    "délai, et ce qui se passe ensuite."),
    "messages": N_("Messages clés"),
    "exercises": N_("Exercices tirés des scénarios"),
    "situation": N_("Situation"),
    "question_next": N_("Que se passe-t-il ensuite ?"),
    "question_deadline": N_("Quel délai s'applique ?"),
    "answers": N_("Corrigé (calculé en exécutant le scénario)"),
    "open": N_("En cours"),
    "none": N_("aucun délai en cours"),
    "due": N_("{x} : au plus tard le {d}"),
    "after": N_("Après « {x} » ({r})."),
    "closed": N_("le dossier est clôturé"),
    "quiz": N_("Quiz avant / après la formation"),
    "answer": N_("Réponse"),
    "who_q": N_("Qui est responsable de l'étape « {x} » ?"),
    "deadline_q": N_("Quel est le délai de l'état « {s} » (étape « {x} ») ?"),
    "consent_q": N_("Un prestataire peut-il voir « {c} » sans le consentement de la personne ?"),
    "consent_a": N_("Non, sauf dérogation d'un superviseur avec une base légale et un motif écrits."),
    "facilitator": P_("training", "Notes pour l'animateur"),
    "fac_1": N_("Projeter le schéma de l'étape, puis faire l'exercice en petits groupes (15 minutes)."),
    "fac_2": N_("Corriger avec le corrigé : il vient de la POS en vigueur ; si la POS change, régénérer le "
                "dossier."),
    "fac_3": N_("Faire le quiz en début et en fin de formation ; comparer les scores."),
    "scenario": N_("Scénario"),
    "failed": N_("Scénario non joué jusqu'au bout : {x}"),
})


def _snapshot(play, sop: SOP, lang: str) -> dict[str, Any]:
    """Open steps/states and the earliest pending expiry of the case of ``play``, in words."""
    from mno_workflow.store.models import Case, Deadline, StepInstance

    w = TRAIN_WORDS[lang]
    with play.wf.sessions() as s:
        case = s.scalar(select(Case).where(Case.reference == play.ref))
        insts = s.scalars(
            select(StepInstance).where(StepInstance.case_id == case.id).order_by(StepInstance.id)
        ).all()
        opened = []
        for i in insts:
            if i.final:
                continue
            step = sop.steps[i.step]
            key_label = sop.label(sop.options.get("need", {}).get(i.key), lang) or i.key
            item = f" ({key_label})" if i.key and i.key != "1" and i.key != i.step else ""
            opened.append(f"{sop.label(step.label, lang)}{item}{colon(lang)}"
                          f"{sop.label(step.states[i.state].label, lang)}")
        due = s.execute(
            select(Deadline.step, Deadline.state, Deadline.due_at)
            .where(Deadline.case_id == case.id, Deadline.status == "pending", Deadline.kind == "expiry")
            .order_by(Deadline.due_at)
        ).first()
        status = case.status
    deadline = w["none"]
    if due is not None:
        step = sop.steps[due.step]
        label = sop.label(step.states[due.state].label, lang)
        deadline = w["due"].format(x=label, d=instant_text(due.due_at, lang, sop.calendar.timezone))
    if status == "closed":
        opened.append(w["closed"])
    return {"open": opened, "deadline": deadline}


def scenario_exercises(
    sop: SOP, scenario_paths: list[Path], lang: str = "fr", per_scenario: int = 4
) -> list[dict[str, Any]]:
    """Exercises of each scenario: ``{"scenario", "items": [{"situation", "open", "deadline"}], "error"}``.

    Each scenario is played (``expect`` steps skipped) on a fresh database; after each successful
    action the case's open states and next deadline are recorded. ``per_scenario`` items at most
    (the first actions that change the open states).
    """
    from mno_workflow.kit.model import load_scenario
    from mno_workflow.kit.runner import Runner, StepFailed, _Play
    from mno_workflow.logs import routine

    w = TRAIN_WORDS[lang]
    out = []
    asked: set[tuple] = set()  # the same situation and answer once, even if several scenarios share it
    # Exercise runs, not casework: their transitions are not logged as real ones (logs.routine).
    with Runner() as runner, routine("exercise"):
        for path in scenario_paths:
            scn = load_scenario(path)
            loaded = runner.sop(scn.sop_path)
            play = _Play(scn, loaded, runner._fresh_db())
            items, error, last_open = [], "", None
            try:
                for step in scn.steps:
                    if step.kind == "expect":
                        continue
                    getattr(play, f"_do_{step.kind}")(step)
                    if step.kind != "fire" or play.ref is None or getattr(step.spec, "expect_error", None):
                        continue
                    snap = _snapshot(play, loaded.model, lang)
                    if snap["open"] == last_open:
                        continue
                    last_open = snap["open"]
                    seen = (step.spec.fire, tuple(snap["open"]), snap["deadline"])
                    if seen in asked:
                        continue
                    asked.add(seen)
                    trigger = step.spec.fire
                    t = next(
                        (
                            t
                            for s in loaded.model.steps.values()
                            for t in s.transitions
                            if t.trigger == trigger
                        ),
                        None,
                    )
                    actor = play.actor(step.spec.actor)
                    role = (
                        loaded.model.label(loaded.model.roles[actor.role].label, lang)
                        if actor.role in loaded.model.roles
                        else actor.role
                    )
                    items.append(
                        {
                            "situation": w["after"].format(
                                x=loaded.model.label(t.label, lang) if t else trigger, r=role
                            ),
                            **snap,
                        }
                    )
                    if len(items) >= per_scenario:
                        break
            except StepFailed as e:
                error = w["failed"].format(x=e.message)
            finally:
                play.close()
            out.append({"scenario": scn.title(lang), "items": items, "error": error})
    return out


def quiz(sop: SOP, lang: str = "fr") -> list[dict[str, str]]:
    """Quiz questions with their answers, from the SOP (responsible roles, deadlines, consent)."""
    w = TRAIN_WORDS[lang]
    qs = []
    for sid in sop.steps:
        f = step_facts(sop, sid, lang)
        if f["owners"]:
            qs.append({"q": w["who_q"].format(x=f["label"]), "a": f["owners"]})
        for d in f["deadlines"][:1]:
            qs.append(
                {
                    "q": w["deadline_q"].format(s=d["state"], x=f["label"]),
                    "a": d["words"] or " ; ".join(d["cases"]),
                }
            )
    for label in list(sop.options.get("data_category", {}).values())[:2]:
        qs.append({"q": w["consent_q"].format(c=sop.label(label, lang)), "a": w["consent_a"]})
    return qs


def scenarios_of(sop_path: str | Path | None) -> list[Path]:
    """The scenario files in ``scenarios/`` beside the SOP file (sorted; [] when none)."""
    if sop_path is None:
        return []
    folder = Path(sop_path).resolve().parent / "scenarios"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def render_training(
    sop: SOP, lang: str = "fr", sop_path: str | Path | None = None, max_scenarios: int = 3
) -> str:
    """The training pack as HTML: modules, exercises with answer keys, quiz, facilitator notes."""
    w = TRAIN_WORDS[lang]
    narrative = find_narrative(sop, sop_path)
    principles = next((c for c in narrative.chapters if c.id == "principles"), None)
    modules = [step_facts(sop, sid, lang) for sid in sop.steps]
    exercises = scenario_exercises(sop, scenarios_of(sop_path)[:max_scenarios], lang)
    return (
        env()
        .get_template("documents/training.html.j2")
        .render(
            lang=lang,
            w=w,
            dw=DOC_WORDS[lang],
            title=f"{w['pack']} — {sop.label(sop.title, lang)}",
            modules=modules,
            exercises=exercises,
            quiz=quiz(sop, lang),
            principles=markdown_html(sop.label(principles.text, lang)) if principles else "",
        )
    )
