"""Issue 18: the reasons of ``condition_error`` and ``auto_failed`` notifications are stored as a
catalogue message id and parameters (not texts) and rendered in the reader's language at send or
display time; rows written before (``where_fr``/``where_en``, ``reason_fr``/``reason_en``) still
render, in e-mails and on the notifications page."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select

from mno_workflow.engine.conditions import WHERE_LABELS, problem_message
from mno_workflow.engine.errors import FieldErrors, FormNames, Joined, Labels, Message
from mno_workflow.reminders.outbox import render
from mno_workflow.reminders.stored_message import restored, stored, text_of
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.sop.expr import ExprError
from mno_workflow.store.models import OutboxMessage, User
from mno_workflow.web.notif_view import entry

from .test_auto_trigger_failure import CW, START, tw  # noqa: F401 - the fixture

OLD_CONDITION = {
    "condition": "identification.age > 17",
    "where_fr": "condition « when » d'une règle d'enchaînement",
    "where_en": "'when' condition of a flow rule",
    "reason_fr": "La condition « when » … n'a pas pu être évaluée (no such key: age) : elle est "
                 "traitée comme fausse.",
    "reason_en": "The 'when' condition … could not be evaluated (no such key: age): it is taken as false.",
}


def test_a_message_and_its_values_survive_json_in_every_language():
    inner = Message.t("Dossier introuvable : {reference}", reference="MNR-1")
    m = Message.t("{field} : {error}", field=Labels(({"fr": "Âge", "en": "Age"},), lower=True),
                  error=Joined((inner, FieldErrors((("age", inner),)), FormNames(("a", "b"))), sep=" / "))
    data = json.loads(json.dumps(stored(m)))  # what the outbox's JSON column keeps
    assert data["msgid"] == "{field} : {error}" and "fr" not in data  # the key, not the text
    back = restored(data)
    for lang in ("fr", "en"):
        assert back.text(lang) == m.text(lang)
    assert "Case not found: MNR-1" in back.text("en") and "Dossier introuvable : MNR-1" in back.text("fr")
    odd = stored(Message.t("{day} {codes}", day=date(2025, 6, 2), codes=("a", "b")))
    assert json.loads(json.dumps(odd))["params"] == {"day": "2025-06-02", "codes": "('a', 'b')"}
    legacy = restored(stored(Message(fr="Bonjour", en="Hello")))  # a (fr, en) pair: its texts
    assert (legacy.text("fr"), legacy.text("en")) == ("Bonjour", "Hello")


def test_text_of_reads_both_shapes():
    new = {"reason_msg": stored(problem_message("flow", "x > 1", RuntimeError("boom")))}
    assert text_of(new, "reason", "en").startswith(
        "The flow rule 'when' condition 'x > 1' could not be evaluated (cannot be computed)")
    assert text_of(new, "reason", "fr").startswith("La condition « when » d'une règle d'enchaînement")
    assert "boom" not in text_of(new, "reason", "fr")  # never the evaluator's own text
    missing = {"reason_msg": stored(problem_message("flow", "x > 1", ExprError("missing value 'x'",
                                                                                missing="x")))}
    assert "could not be evaluated (value missing: x)" in text_of(missing, "reason", "en")
    assert "n'a pas pu être évaluée (valeur absente : x)" in text_of(missing, "reason", "fr")
    assert text_of(OLD_CONDITION, "reason", "en") == OLD_CONDITION["reason_en"]
    assert text_of(OLD_CONDITION, "reason", "fr") == OLD_CONDITION["reason_fr"]
    assert text_of(OLD_CONDITION, "reason", "pt") == OLD_CONDITION["reason_fr"]  # French for others
    assert text_of({}, "reason", "fr") is None


def test_auto_failed_stores_the_message_and_renders_in_the_readers_language(tw):  # noqa: F811
    ref = tw.create_case("timing", CW, assignee="wanjiru")
    tw.fire(ref, "park", CW)
    sweep(tw, now=START + timedelta(days=1, hours=1))
    with tw.sessions() as s:
        m = s.scalars(select(OutboxMessage).where(OutboxMessage.template == "auto_failed",
                                                  OutboxMessage.recipient_user == "otieno")).first()
        assert m.lang == "fr" and "reason_fr" not in m.context and "reason_en" not in m.context
        assert m.context["reason_msg"]["msgid"]  # a catalogue message id and its parameters
        assert "Raison : Formulaire « Note » invalide — Note : Ce champ est obligatoire" in render(s, m).text
        m.lang = "en"  # the recipient switched to English before the message went out
        assert "Reason: Form 'Note' is invalid — Note: This field is required" in render(s, m).text
        s.rollback()


def _old_row(s, template: str, ref: str, case_id: int, lang: str) -> OutboxMessage:
    ctx = {"reference": ref, "step": "park_step", **OLD_CONDITION}
    if template == "auto_failed":
        ctx = {**ctx, "instance": "", "state": "parked", "due_at": "2025-06-03T06:00:00+00:00",
               "trigger": "close_with_note", "code": "form_invalid"}
    m = OutboxMessage(case_id=case_id, kind="escalation", channel="inapp", recipient_user="wanjiru",
                      recipient_role="caseworker", lang=lang, template=template, context=ctx, status="sent",
                      attempts=1, next_attempt_at=START, created_at=START)
    s.add(m)
    s.flush()
    return m


def test_rows_in_the_old_shape_still_render(tw):  # noqa: F811
    ref = tw.create_case("timing", CW, assignee="wanjiru")
    with tw.sessions() as s:
        from mno_workflow.store.models import Case
        case = s.scalar(select(Case).where(Case.reference == ref))
        step = next(iter(tw.registry.for_case(case).sop.steps))
        for template in ("condition_error", "auto_failed"):
            for lang in ("fr", "en"):
                m = _old_row(s, template, ref, case.id, lang)
                m.context = {**m.context, "step": step}
                text = render(s, m).text
                assert OLD_CONDITION[f"reason_{lang}"] in text
                if template == "condition_error":
                    assert OLD_CONDITION[f"where_{lang}"] in text
                user = s.get(User, "wanjiru")
                other = "fr" if lang == "en" else "en"  # the page reads the reader's language, not the row's
                shown = entry(s, tw.registry.for_case(case).sop, m, "info", user, other)
                assert OLD_CONDITION[f"reason_{other}"] in shown["text"]
        s.rollback()


def test_where_labels_are_catalogue_messages():
    for msgid in WHERE_LABELS.values():
        assert Message.t(msgid).text("en") != msgid  # translated: the stored key renders in English


def test_inbox_reads_a_message_in_the_readers_language(tw):  # noqa: F811
    from mno_workflow.reminders.outbox import inbox
    ref = tw.create_case("timing", CW, assignee="wanjiru")
    tw.fire(ref, "park", CW)
    sweep(tw, now=START + timedelta(days=1, hours=1))
    with tw.sessions.begin() as s:  # in-app messages count as delivered at their first run
        for m in s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "inapp")):
            m.status = "sent"
    with tw.sessions() as s:
        stored_fr = [i for i in inbox(s, "otieno") if i.template == "auto_failed"]
        read_en = [i for i in inbox(s, "otieno", lang="en") if i.template == "auto_failed"]
    assert "Raison : Formulaire « Note » invalide — Note : Ce champ est obligatoire" in stored_fr[0].text
    assert "Reason: Form 'Note' is invalid — Note: This field is required" in read_en[0].text
