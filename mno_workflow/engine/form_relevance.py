"""What a form does with a field whose ``relevant:`` does not hold: a value given there is refused
with a per-field message that says when the field is asked (never dropped without a word:
tryout 9, L3), at the top level and in every row of a repeat group alike; and the messages of a
field whose relevance cannot be decided yet (it reads a value that did not parse) are left out.
"""

from __future__ import annotations

import re
from typing import Any

from ..i18n import N_
from ..sop.schema import SOP, FormField
from .errors import Labels, Message

#: French source text (msgid); ``condition`` is the field's ``relevant_label`` or its words.
NOT_APPLICABLE = N_("Ce champ ne s'applique pas ici : il n'est demandé que si {condition}. "
                    "Laissez-le vide.")
#: The same for a condition without words (lint W126): never « si dans certains cas ».
NOT_APPLICABLE_UNSAID = N_("Ce champ ne s'applique pas dans ce cas : laissez-le vide.")
KINDS = (NOT_APPLICABLE, NOT_APPLICABLE_UNSAID)


def given(value: Any) -> bool:
    """Whether ``value`` says something (not None, an empty text or an empty list)."""
    return value is not None and value != "" and value != []


def not_applicable(sop: SOP, f: FormField) -> Message:
    """The message of a value given in ``f`` while its ``relevant`` does not hold, with the
    condition in the reader's language (:func:`mno_workflow.render.plain.relevant_words`)."""
    from ..render.plain import relevant_words, unsaid_words  # the words the documents print

    words = {lang: relevant_words(sop, f, lang) for lang in sop.languages or ["fr"]}
    if any(unsaid_words(w, lang) for lang, w in words.items()):
        return Message.t(NOT_APPLICABLE_UNSAID)
    return Message.t(NOT_APPLICABLE, condition=Labels((words,)))


def _field_at(fields: list[FormField], key: str) -> FormField | None:
    """The field of an error key (``field`` or ``group.0.sub``)."""
    parts = key.split(".")
    f = next((x for x in fields if x.id == parts[0]), None)
    if f is not None and len(parts) == 3 and parts[1].isdigit():
        return next((x for x in f.fields or [] if x.id == parts[2]), None)
    return f if len(parts) == 1 else None


def undecided(fields: list[FormField], found: dict[str, Message], errors: dict[str, Message],
              required: str, unknown_forms: frozenset[str] = frozenset()) -> None:
    """Drop « Ce champ est obligatoire » (``required``: its msgid) and « ne s'applique pas » of a
    conditional field whose ``relevant`` reads a field that did not parse (a birth date
    « 31/02/2000 »: ``found`` holds its error) or a form of the same submission that did not
    validate (``unknown_forms``): its relevance is unknown until that value is fixed, and the
    page hides it as the typed value is there (same rule as app.js). The form is refused anyway."""
    bad = {k.split(".")[0] for k in found if k}
    if not bad and not unknown_forms:
        return
    for key in [k for k in errors if k not in found]:
        msg = errors[key]
        f = _field_at(fields, key)
        if f is None or not f.relevant or msg is None or msg.msgid not in (required, *KINDS):
            continue
        if any(re.search(rf"\b{re.escape(b)}\b", f.relevant) for b in bad) \
                or any(re.search(rf"\b{re.escape(u)}\.", f.relevant) for u in unknown_forms):
            del errors[key]
