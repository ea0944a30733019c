"""A small SOP for the time rules (Africa/Nairobi incident times, a date-only decision, a deadline
chosen by an optional field, an automatic expiry that needs a form), as YAML text."""

from __future__ import annotations

TIME_SOP = """
sop: timing
version: "1"
title: {fr: Délais, en: Deadlines}
languages: [fr, en]
calendar: {timezone: Africa/Nairobi, holidays: KE}
roles:
  caseworker: {label: {fr: Gestionnaire, en: Caseworker}}
  supervisor: {label: {fr: Superviseur, en: Supervisor}}
options:
  priority:
    urgent: {fr: Urgent, en: Urgent}
    normal: {fr: Normal, en: Normal}
forms:
  incident:
    title: {fr: Incident, en: Incident}
    fields:
      - {id: occurred_at, type: datetime, required: true, not_future: true,
         label: {fr: Survenu, en: Occurred}}
      - {id: reported_at, type: datetime, not_before: incident.occurred_at,
         label: {fr: Signalé, en: Reported}}
      - {id: priority, type: choice, options: priority, label: {fr: Priorité, en: Priority}}
      - {id: decided_on, type: date, label: {fr: Décision, en: Decision}}
  close_note:
    title: {fr: Note, en: Note}
    fields:
      - {id: note, type: text, required: true, label: {fr: Note, en: Note}}
start: intake
steps:
  intake:
    label: {fr: Accueil, en: Intake}
    states:
      open: {label: {fr: Ouvert, en: Open}, initial: true, owner: caseworker}
      pep:
        label: {fr: PEP, en: PEP}
        owner: caseworker
        deadline: {within: 72 hours, start: incident.occurred_at, remind: [50%]}
      by_priority:
        label: {fr: Par priorité, en: By priority}
        owner: caseworker
        deadline: {within: {by: incident.priority, cases: {urgent: 1 day, normal: 5 working days}}}
      optional_priority:
        label: {fr: Priorité facultative, en: Optional priority}
        owner: caseworker
        deadline:
          within: {by: incident.priority, cases: {urgent: 1 day, normal: 5 working days}}
          optional: true
      appeal:
        label: {fr: Recours, en: Appeal}
        owner: caseworker
        deadline: {within: 15 days, start: incident.decided_on}
      stuck:
        label: {fr: Bloqué, en: Stuck}
        owner: caseworker
        deadline: {within: 1 day, on_expiry: {fire: close_with_note}}
      watch:
        label: {fr: Veille, en: Watch}
        owner: caseworker
        deadline: {within: 3 days, remind: [50%, 1 day before, every 1 day after]}
      first:
        label: {fr: Premier, en: First}
        owner: caseworker
        deadline: {within: 1 day, on_expiry: {fire: move_on}}
      second:
        label: {fr: Second, en: Second}
        owner: caseworker
        deadline: {within: 2 hours, on_expiry: {escalate: supervisor}}
      done: {label: {fr: Fini, en: Done}, final: true}
    transitions:
      - {trigger: start_chain, label: {fr: Enchaîner, en: Chain}, from: open, to: first, by: [caseworker]}
      - {trigger: move_on, label: {fr: Suivant, en: Next}, from: first, to: second, by: [supervisor]}
      - {trigger: watch, label: {fr: Veiller, en: Watch}, from: open, to: watch, by: [caseworker]}
      - {trigger: record, label: {fr: Saisir, en: Record}, from: open, to: pep, by: [caseworker],
         form: incident}
      - {trigger: prioritise, label: {fr: Prioriser, en: Prioritise}, from: open, to: by_priority,
         by: [caseworker], form: incident}
      - {trigger: maybe, label: {fr: Peut-être, en: Maybe}, from: open, to: optional_priority,
         by: [caseworker], form: incident}
      - {trigger: decide, label: {fr: Décider, en: Decide}, from: open, to: appeal, by: [caseworker],
         form: incident}
      - {trigger: park, label: {fr: Garer, en: Park}, from: open, to: stuck, by: [caseworker]}
      - {trigger: close_with_note, label: {fr: Clore, en: Close}, from: stuck, to: done,
         by: [supervisor], form: close_note}
      - {trigger: finish, label: {fr: Finir, en: Finish},
         from: [pep, by_priority, optional_priority, appeal, watch, second], to: done, by: [caseworker]}
flow:
  - {after: intake.done, close_case: true}
"""
