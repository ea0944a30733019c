"""Checks of a loaded SOP beyond its shape: references, languages, initial states, CEL guards,
and design advice (reachability, waiting states, referrals, data disclosure, roles).

Each rule has a stable code, a severity and a fix hint written for SOP authors (protection
officers, not programmers). Errors (``E0xx``) stop loading (:func:`check_references`); warnings
(``W1xx``) are design advice reported by ``mno validate`` (:func:`lint`; ``--strict`` makes them
errors). ``W109`` has severity ``info``: it is worth a look, not always a mistake.

| code | severity | rule |
|---|---|---|
| E020 | error | unknown state |
| E021 | error | unknown role |
| E022 | error | unknown form |
| E023 | error | unknown option list |
| E024 | error | unknown step |
| E025 | error | label missing a language (or in a language not listed) |
| E026 | error | a step without exactly one initial state |
| E027 | error | CEL expression does not compile or names an unknown form |
| E028 | error | unknown field reference ``form.field`` (for_each, recipient, deadline...) |
| E029 | error | unknown trigger (``on_expiry.fire``) |
| E030 | error | French missing from ``languages`` |
| E031 | error | duplicate field id |
| E032 | error | options / sub-fields misuse |
| E033 | error | field-dependent deadline misses a choice (or names a code that is not one) |
| E034 | error | ``for_each`` is not a repeat field (or ``spawn`` targets a single step / no repeat) |
| E043 | error | ``spawn: from`` lacks the field the target step keys its instances by |
| E044 | error | an ``entries`` entry that cannot work (see ``checks/entries.py``) |
| E045 | error | ``within: {from_directory: …}`` on a step without ``recipient`` and ``service`` |
| E037 | error | an ``imports`` entry cannot be read, leaves the SOP folder, closes a cycle or holds more |
| E035 | error | data disclosed to a recipient without a guard, or ``recipient`` without ``disclosure`` |
| E036 | error | a condition reads ``form.field`` or ``item.field`` that no form defines |
| E038 | error | unknown time zone or holiday code (country / ISO 3166-2 subdivision) |
| E039 | error | a condition compares a step, state or option code that does not exist |
| E040 | error | a condition that is always false (reads no case data) |
| E041 | error | personal/sensitive field without ``category`` (SOP with ``data_protection``) |
| E042 | error | ``data_protection``/``category`` names something unknown |
| E070 | error | ``indicators``: unknown step, state or trigger (see ``indicators/lint.py``) |
| E071 | error | ``indicators``: unknown field, or ``items`` not a repeat field |
| E072 | error | ``indicators``: unknown dimension or option list |
| E073 | error | ``indicators``: duplicate indicator code |
| E074 | error | ``indicators``: ``item`` names no field of a repeat |
| W101 | warning | final state with outgoing transitions |
| W102 | warning | unreachable state |
| W104 | warning | option list never used |
| W170 | warning | ``indicators``: ``within_deadline`` on a state without deadline |
| W106 | warning | state from which no final state can be reached |
| W107 | warning | waiting state (owner, not final) without a deadline |
| W108 | warning | deadline without ``on_expiry`` (nobody is told, nothing happens) |
| W109 | info | state without owner where a case can sit forever |
| W110 | warning | referral state of a recipient without accept/decline exits or timeout |
| W111 | warning | two transitions with the same trigger from the same state, guards overlapping |
| W112 | warning | role never used |
| W113 | warning | a condition that is always true (reads no case data) |
| W114 | warning | a step that can never start (nothing starts it, or only after itself) |
| W115 | warning | no way to close a case (no reachable ``close_case`` rule) |
| W116 | warning | a final state after which nothing happens (the case stays open for ever) |
| W120 | warning | ``--simulate``: a deadline that cannot be armed for a sample case |
| W121 | warning | ``--simulate``: an automatic trigger (``on_expiry.fire``) that would be refused |
| W122 | warning | ``--simulate``: a condition that raises for a sample case |
| W123 | warning | ``--simulate``: a condition with the same value on every sample case |
| W124 | warning | ``--simulate``: a state where a case is stuck with nothing to do |
| W126 | warning | a condition shown to people without words (``when_label`` / ``relevant_label``) |
| W127 | warning | ``narrative.yaml`` found beside the SOP by name, not declared under ``narrative:`` |
| W128 | warning | a narrative file listed under ``narrative:`` does not exist |
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..indicators.lint import check_indicators
from .checks.allow import justify
from .checks.calendar import check_calendar
from .checks.condition_labels import check_condition_labels
from .checks.conditions import check_codes, check_constant
from .checks.entries import check_entries
from .checks.forms import check_forms
from .checks.graph import can_finish_states, reachable_states, step_graph
from .checks.narrative_files import check_narrative_files
from .checks.notify import check_notify
from .checks.owner import check_owner
from .checks.service_levels import check_service_levels
from .checks.spawn import check_spawn
from .checks.traps import check_traps
from .diagnostics import Diagnostic, said
from .expr import _MACRO_VAR_RE, BUILTIN_NAMES, ExprError, compile_expr
from .lint_protection import check_protection
from .loader import LoadedSOP
from .schema import SOP, ByField, FieldType, FormField, Step

# Every code: (severity, what it means in French, in English). docs/sop-language.md lists them all.
CODES: dict[str, tuple[str, str, str]] = {
    "E000": ("error", "fichier illisible", "file cannot be read"),
    "E001": ("error", "syntaxe YAML", "YAML syntax"),
    "E002": ("error", "clé en double", "duplicate key"),
    "E003": ("error", "tabulation dans le YAML", "tab character"),
    "E004": ("error", "le fichier n'est pas un mapping YAML", "file is not a YAML mapping"),
    "E010": ("error", "clé inconnue", "unknown key"),
    "E011": ("error", "clé obligatoire manquante", "missing required key"),
    "E012": ("error", "valeur invalide", "invalid value"),
    "E020": ("error", "état inconnu", "unknown state"),
    "E021": ("error", "rôle inconnu", "unknown role"),
    "E022": ("error", "formulaire inconnu", "unknown form"),
    "E023": ("error", "liste d'options inconnue", "unknown option list"),
    "E024": ("error", "étape inconnue", "unknown step"),
    "E025": ("error", "libellé sans une des langues", "label missing a language"),
    "E026": ("error", "étape sans exactement un état initial", "step without exactly one initial state"),
    "E027": ("error", "expression CEL invalide ou nom inconnu", "CEL does not compile or unknown name"),
    "E028": ("error", "référence de champ inconnue", "unknown field reference"),
    "E029": ("error", "déclencheur inconnu", "unknown trigger"),
    "E030": ("error", "le français manque dans languages", "French missing from languages"),
    "E031": ("error", "identifiant de champ en double", "duplicate field id"),
    "E032": ("error", "options ou sous-champs mal employés", "options or sub-fields misuse"),
    "E033": ("error", "délai par champ incomplet", "field-dependent deadline misses a choice"),
    "E034": ("error", "for_each ne vise pas un groupe répété", "for_each is not a repeat field"),
    "E043": ("error", "spawn sans le champ clé des instances", "spawn lacks the instance key field"),
    "E044": ("error", "entrée (entries) impossible à exécuter", "an entry that cannot work"),
    "E045": ("error", "délai de l'annuaire sans prestataire ni service",
             "directory deadline without provider and service"),
    "E037": ("error", "import impossible (fichier absent, invalide, hors du dossier, cycle, ou autre "
                      "chose que options/forms)",
             "cannot import (missing or invalid file, outside the folder, cycle, or keys other than "
             "options/forms)"),
    "E035": ("error", "communication de données sans garde (loi 001-2021/AN)",
             "data disclosed without a guard (law 001-2021/AN)"),
    "E036": ("error", "condition lisant un champ qui n'existe pas", "condition reads an undefined field"),
    "E038": ("error", "fuseau horaire ou code de jours fériés inconnu", "unknown time zone or holiday code"),
    "E039": ("error", "condition comparant un code d'étape, d'état ou d'option inexistant",
             "condition compares a step, state or option code that does not exist"),
    "E040": ("error", "condition toujours fausse", "condition always false"),
    "E041": ("error", "champ personnel ou sensible sans catégorie de données",
             "personal or sensitive field without data category"),
    "E042": ("error", "protection des données : référence inconnue", "data protection: unknown reference"),
    "E070": ("error", "indicateurs : étape, état ou déclencheur inconnu", "indicators: unknown step, state"),
    "E071": ("error", "indicateurs : champ inconnu ou non répété", "indicators: unknown or non-repeat field"),
    "E072": ("error", "indicateurs : dimension ou liste inconnue", "indicators: unknown dimension or list"),
    "E073": ("error", "indicateurs : code en double", "indicators: duplicate code"),
    "E074": ("error", "indicateurs : clé d'élément inconnue", "indicators: unknown item key"),
    "W170": ("warning", "indicateurs : état sans délai", "indicators: state without deadline"),
    "W101": ("warning", "état final avec des sorties", "final state with exits"),
    "W102": ("warning", "état inatteignable", "unreachable state"),
    "W104": ("warning", "liste d'options jamais utilisée", "option list never used"),
    "W106": ("warning", "état d'où aucun état final n'est atteignable", "state cannot reach a final state"),
    "W107": ("warning", "état d'attente sans délai", "waiting state without a deadline"),
    "W108": ("warning", "délai sans escalade ni action à l'échéance", "deadline without on_expiry"),
    "W109": ("info", "état sans responsable où un dossier peut rester indéfiniment",
             "state without owner where a case can sit forever"),
    "W110": ("warning", "référencement sans acceptation, refus et échéance",
             "referral without accept, decline and timeout"),
    "W111": ("warning", "deux transitions identiques depuis le même état",
             "two transitions with the same trigger and overlapping guards"),
    "W112": ("warning", "rôle jamais utilisé", "role never used"),
    "W113": ("warning", "condition toujours vraie", "condition always true"),
    "W114": ("warning", "étape qui ne peut jamais démarrer", "step that can never start"),
    "W115": ("warning", "aucun moyen de clore un dossier", "no way to close a case"),
    "W116": ("warning", "état final après lequel rien ne se passe", "final state, then nothing happens"),
    # mno validate --simulate (mno_workflow.kit.simulate)
    "W120": ("warning", "délai impossible à armer", "deadline cannot be armed"),
    "W121": ("warning", "déclencheur automatique refusé", "automatic trigger would be refused"),
    "W122": ("warning", "condition en erreur sur un dossier d'exemple", "condition raises on a sample case"),
    "W123": ("warning", "condition constante sur les dossiers d'exemple", "condition constant on samples"),
    "W124": ("warning", "dossier bloqué sans rien à faire", "case stuck with nothing to do"),
    "W126": ("warning", "condition sans libellé en langage courant", "condition without plain words"),
    "W127": ("warning", "récit de la POS trouvé par son nom, non déclaré",
             "narrative found by name, not declared"),
    "W128": ("warning", "fichier de récit introuvable", "narrative file not found"),
}


def _labels(sop: SOP) -> Iterator[tuple[tuple, dict]]:
    """Every label of the SOP with its path."""
    yield ("title",), sop.title
    if sop.description:
        yield ("description",), sop.description
    for rid, role in sop.roles.items():
        yield ("roles", rid, "label"), role.label
    for lid, opts in sop.options.items():
        for code, label in opts.items():
            yield ("options", lid, code), label
    for fid, form in sop.forms.items():
        yield ("forms", fid, "title"), form.title
        yield from _field_labels(form.fields, ("forms", fid, "fields"))
        for i, rule in enumerate(form.rules):
            yield ("forms", fid, "rules", i, "message"), rule.message
    for sid, step in sop.steps.items():
        yield ("steps", sid, "label"), step.label
        if step.description:
            yield ("steps", sid, "description"), step.description
        for st, state in step.states.items():
            yield ("steps", sid, "states", st, "label"), state.label
        for i, t in enumerate(step.transitions):
            yield ("steps", sid, "transitions", i, "label"), t.label
            if t.when_message:
                yield ("steps", sid, "transitions", i, "when_message"), t.when_message
            if t.when_label:
                yield ("steps", sid, "transitions", i, "when_label"), t.when_label
    for i, rule in enumerate(sop.flow):
        if rule.when_label:
            yield ("flow", i, "when_label"), rule.when_label


def _field_labels(fields: list[FormField], path: tuple) -> Iterator[tuple[tuple, dict]]:
    for i, f in enumerate(fields):
        yield path + (i, "label"), f.label
        if f.help:
            yield path + (i, "help"), f.help
        if f.relevant_label:
            yield path + (i, "relevant_label"), f.relevant_label
        if f.fields:
            yield from _field_labels(f.fields, path + (i, "fields"))


def field_index(sop: SOP) -> dict[str, FormField]:
    """``{"form.field": FormField}`` for every top-level field of every form."""
    return {f"{fid}.{f.id}": f for fid, form in sop.forms.items() for f in form.fields}


def check_references(loaded: LoadedSOP) -> list[Diagnostic]:
    """Every reference and language problem of ``loaded``; see the table in the module doc."""
    sop, d = loaded.model, loaded.diag
    out: list[Diagnostic] = []
    fields = field_index(sop)

    if "fr" not in sop.languages:
        out.append(d(("languages",), "E030", "French ('fr') must be one of the SOP languages",
                     "add fr to languages: [fr, en]"))
    for path, label in _labels(sop):
        for lang in sop.languages:
            if not str(label.get(lang, "")).strip():
                out.append(d(path, "E025", f"label missing language {lang!r}",
                             f"add '{lang}: ...' to this label"))
        for lang in label:
            if lang not in sop.languages:
                out.append(d(path + (lang,), "E025", f"label in {lang!r}, which is not in languages",
                             f"add {lang} to languages or remove it", key=True))

    out += check_calendar(loaded)
    out += check_service_levels(loaded)  # issue 13: from_directory needs recipient + service
    if sop.start not in sop.steps:
        out.append(d(("start",), "E024", f"unknown step {sop.start!r}",
                     f"use one of: {', '.join(sop.steps)}"))

    for fid, form in sop.forms.items():
        out += _check_fields(loaded, form.fields, ("forms", fid, "fields"), fields)
        for i, rule in enumerate(form.rules):
            out += _check_expr(loaded, rule.check, ("forms", fid, "rules", i, "check"), item=_NO_ITEM)

    for sid, step in sop.steps.items():
        base = ("steps", sid)
        item = _step_item(sop, step)
        initials = [s for s, st in step.states.items() if st.initial]
        if len(initials) != 1:
            out.append(d(base + ("states",), "E026",
                         f"step {sid!r} has {len(initials)} initial states; it needs exactly one",
                         "mark one state 'initial: true'"))
        for st, state in step.states.items():
            out += check_owner(loaded, sid, st, field_index(sop))
            if state.deadline:
                out += _check_deadline(loaded, step, state.deadline, base + ("states", st, "deadline"),
                                       fields)
        for i, t in enumerate(step.transitions):
            tp = base + ("transitions", i)
            for j, src in enumerate(t.sources):
                if src != "*" and src not in step.states:
                    p = tp + ("from", j) if isinstance(t.source, list) else tp + ("from",)
                    out.append(_unknown(loaded, p, "E020", "state", src, step.states))
            if t.dest is not None and t.dest not in step.states:
                out.append(_unknown(loaded, tp + ("to",), "E020", "state", t.dest, step.states))
            for j, role in enumerate(t.by):
                if role not in sop.roles:
                    out.append(_unknown(loaded, tp + ("by", j), "E021", "role", role, sop.roles))
            out += check_forms(loaded, t, tp + ("form",))  # one form or a list (sop/checks/forms.py)
            if t.when:
                out += _check_expr(loaded, t.when, tp + ("when",), item=item)
            out += check_notify(loaded, sid, t.notify, tp + ("notify",))
            out += check_spawn(loaded, t, tp + ("spawn",))
            if t.dest in step.states and any(
                s in step.states and step.states[s].final for s in t.sources if s != "*"
            ):
                out.append(d(tp + ("from",), "W101", "transition leaves a final state",
                             "make the source state non-final, or remove this transition",
                             severity="warning"))
        if step.recipient and step.recipient not in fields:
            out.append(_unknown(loaded, base + ("recipient",), "E028", "field", step.recipient, fields))
        if not isinstance(step.instances, str):
            fe = step.instances
            f = fields.get(fe.for_each)
            if f is None:
                out.append(_unknown(loaded, base + ("instances", "for_each"), "E028", "field",
                                    fe.for_each, fields))
            elif f.type != FieldType.repeat:
                out.append(d(base + ("instances", "for_each"), "E034",
                             f"{fe.for_each!r} is a {f.type} field, not a repeat group",
                             "point for_each at a field of type repeat"))
            elif fe.key and fe.key not in {sub.id for sub in f.fields or []}:
                out.append(d(base + ("instances", "key"), "E028",
                             f"{fe.key!r} is not a field of the repeat group {fe.for_each!r}",
                             f"use one of: {', '.join(sub.id for sub in f.fields or [])}"))
            if fe.where:
                out += _check_expr(loaded, fe.where, base + ("instances", "where"), item=item)
        out += _check_reachability(loaded, sid)

    for i, rule in enumerate(sop.flow):
        if rule.when:
            out += _check_expr(loaded, rule.when, ("flow", i, "when"))
        step_id, _, state = rule.after.partition(".")
        if step_id not in sop.steps:
            out.append(_unknown(loaded, ("flow", i, "after"), "E024", "step", step_id, sop.steps))
        elif state not in ("all_final", "any_final") and state not in sop.steps[step_id].states:
            out.append(_unknown(loaded, ("flow", i, "after"), "E020", "state", state,
                                sop.steps[step_id].states))
        if rule.start and rule.start not in sop.steps:
            out.append(_unknown(loaded, ("flow", i, "start"), "E024", "step", rule.start, sop.steps))

    if sop.reopen:
        if sop.reopen.start not in sop.steps:
            out.append(_unknown(loaded, ("reopen", "start"), "E024", "step", sop.reopen.start, sop.steps))
        for j, role in enumerate(sop.reopen.by):
            if role not in sop.roles:
                out.append(_unknown(loaded, ("reopen", "by", j), "E021", "role", role, sop.roles))
    for j, role in enumerate(sop.retention.erase_by if sop.retention else []):
        if role not in sop.roles:
            out.append(_unknown(loaded, ("retention", "erase_by", j), "E021", "role", role, sop.roles))
    for sid, step in sop.steps.items():
        if step.disclosure:
            out += _check_expr(loaded, step.disclosure, ("steps", sid, "disclosure"),
                               item=_step_item(sop, step))
        out += _check_disclosure(loaded, sid)
    for i, ref in enumerate(sop.case_summary.name):
        if ref not in fields:
            out.append(_unknown(loaded, ("case_summary", "name", i), "E028", "field", ref, fields))
    for key in ("region", "birth_date", "estimated_age", "phone"):
        ref = getattr(sop.case_summary, key)
        if ref and ref not in fields:
            out.append(_unknown(loaded, ("case_summary", key), "E028", "field", ref, fields))

    out += check_protection(loaded)
    out += check_indicators(loaded)
    out += check_entries(loaded)  # ways in other than ``start`` (first responders' alerts)
    used = {f.options for f in _all_fields(sop) if f.options}
    for lid in sop.options:
        if lid not in used:
            out.append(d(("options", lid), "W104", f"option list {lid!r} is never used",
                         "remove it or use it in a choice/multi field", severity="warning", key=True))
    return out


def _all_fields(sop: SOP) -> Iterator[FormField]:
    stack = [f for form in sop.forms.values() for f in form.fields]
    while stack:
        f = stack.pop()
        yield f
        stack.extend(f.fields or [])


#: One message per kind of name, so that each translates as a whole sentence.
_UNKNOWN = {"state": said("unknown state {name!r}"), "role": said("unknown role {name!r}"),
            "form": said("unknown form {name!r}"), "field": said("unknown field {name!r}"),
            "step": said("unknown step {name!r}"), "option list": said("unknown option list {name!r}"),
            "trigger": said("unknown trigger {name!r}")}


def _unknown(loaded: LoadedSOP, path: tuple, code: str, kind: str, name: str, known: Any) -> Diagnostic:
    names = ", ".join(sorted(known)) or "none defined"
    message = said(_UNKNOWN[kind].msgid, name=name) if kind in _UNKNOWN else \
        said("unknown {kind} {name!r}", kind=kind, name=name)
    return loaded.diag(path, code, message, f"use one of: {names}")


def _check_fields(loaded: LoadedSOP, fields: list[FormField], path: tuple,
                  index: dict[str, FormField], group: str | None = None) -> list[Diagnostic]:
    out, d, sop = [], loaded.diag, loaded.model
    seen: set[str] = set()
    for i, f in enumerate(fields):
        fp = path + (i,)
        if f.id in seen:
            out.append(d(fp + ("id",), "E031", f"duplicate field id {f.id!r}", "give each field its own id"))
        seen.add(f.id)
        if f.type in (FieldType.choice, FieldType.multi):
            if not f.options:
                out.append(d(fp, "E032", f"{f.type} field {f.id!r} needs 'options'",
                             "name an option list defined under options:"))
            elif f.options not in sop.options:
                out.append(_unknown(loaded, fp + ("options",), "E023", "option list", f.options,
                                    sop.options))
        elif f.options:
            out.append(d(fp + ("options",), "E032", f"a {f.type} field takes no options",
                         "use type choice or multi"))
        if f.type == FieldType.repeat and not f.fields:
            out.append(d(fp, "E032", f"repeat field {f.id!r} needs 'fields'", "list the group's fields"))
        if f.fields and f.type != FieldType.repeat:
            out.append(d(fp + ("fields",), "E032", "only a repeat field has sub-fields",
                         "use type repeat"))
        if f.default and f.type not in (FieldType.date, FieldType.datetime):
            out.append(d(fp + ("default",), "E032", f"'default: {f.default}' only suits a date or datetime "
                         f"field, not {f.type.value} field {f.id!r}", "remove it or change the type"))
        if f.not_before and f.not_before not in index:
            out.append(_unknown(loaded, fp + ("not_before",), "E028", "field", f.not_before, index))
        if f.relevant:
            item = (f"the repeat group {group!r}", {f_.id for f_ in fields}) if group else _NO_ITEM
            out += _check_expr(loaded, f.relevant, fp + ("relevant",), extra={f_.id for f_ in fields},
                               item=item)
        if f.fields:
            out += _check_fields(loaded, f.fields, fp + ("fields",), index,
                                 group=f"{path[1]}.{f.id}" if group is None else f"{group}.{f.id}")
    return out


# What ``item`` holds where an expression is evaluated: (where it comes from, its field ids);
# _NO_ITEM: ``item`` is empty there; None: unknown (the step's for_each is itself wrong), not checked.
ItemContext = tuple[str, set[str]] | None
_NO_ITEM: ItemContext = ("", set())


def _step_item(sop: SOP, step: Step) -> ItemContext:
    """What ``item`` is in the guards of ``step``: the sub-fields of its for_each repeat group."""
    if isinstance(step.instances, str):
        return _NO_ITEM
    f = field_index(sop).get(step.instances.for_each)
    if f is None or f.type != FieldType.repeat:
        return None
    return (f"the repeat group {step.instances.for_each!r}", {sub.id for sub in f.fields or []})


_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+|//[^\n]*)
  | (?P<str>[rRbB]{0,2}(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<num>\d\w*(?:\.\d\w*)?)
  | (?P<op>.)
""", re.X)


def field_refs(source: str) -> list[tuple[str, str]]:
    """``(root, selector)`` for every ``root.selector`` (or ``root["selector"]``) in a CEL
    expression whose ``root`` is a top-level name (not a member, not a function, not a macro
    variable), e.g. ``[("consent", "given"), ("item", "need")]``. Strings and comments are skipped."""
    toks = [(m.lastgroup, m.group()) for m in _TOKEN_RE.finditer(source) if m.lastgroup != "ws"]
    macro_vars = set(_MACRO_VAR_RE.findall(source))
    out = []
    for i, (kind, text) in enumerate(toks):
        if kind != "ident" or (i and toks[i - 1] == ("op", ".")) or text in macro_vars:
            continue
        nxt = toks[i + 1:i + 4]
        if len(nxt) >= 2 and nxt[0] == ("op", ".") and nxt[1][0] == "ident" \
                and not (len(nxt) > 2 and nxt[2] == ("op", "(")):
            out.append((text, nxt[1][1]))
        elif len(nxt) == 3 and nxt[0] == ("op", "[") and nxt[1][0] == "str" and nxt[2] == ("op", "]"):
            out.append((text, nxt[1][1].lstrip("rRbB").strip("'\"")))
    return out


def _check_expr(loaded: LoadedSOP, source: str, path: tuple, extra: set[str] | None = None,
                item: ItemContext = _NO_ITEM) -> list[Diagnostic]:
    try:
        expr = compile_expr(source)
    except ExprError as e:
        return [loaded.diag(path, "E027", said("CEL expression does not compile: {error}", error=e),
                            "see https://cel.dev for the syntax, e.g. consent.given && x > 1")]
    sop = loaded.model
    known = set(sop.forms) | BUILTIN_NAMES | (extra or set())
    out = check_codes(loaded, source, path) + check_constant(loaded, source, path)
    out += [loaded.diag(path, "E027",
                        said("CEL expression reads unknown name {name!r}", name=name),
                       f"use a form id ({', '.join(sorted(sop.forms))}) or item, today, now")
           for name in sorted(expr.variables - known)]
    seen: set[tuple[str, str]] = set()
    for root, sel in field_refs(source):
        if (root, sel) in seen or root in (extra or set()):
            continue
        seen.add((root, sel))
        if root in sop.forms:
            ids = [f.id for f in sop.forms[root].fields]
            if sel not in ids:
                out.append(loaded.diag(
                    path, "E036",
                    said("condition reads {form}.{field}, but form {form!r} has no field {field!r}",
                         form=root, field=sel),
                    f"champs du formulaire {root} / fields of form {root}: {', '.join(ids)}"))
        elif root == "item" and item is not None and sel not in item[1]:
            if item[0]:
                out.append(loaded.diag(
                    path, "E036", said("condition reads item.{field}, but {item} has no field {field!r}",
                                       field=sel, item=item[0]),
                    f"champs de l'élément / fields of the item: {', '.join(sorted(item[1]))}"))
            else:
                out.append(loaded.diag(
                    path, "E036", said("condition reads item.{field}, but 'item' is empty here", field=sel),
                    "item n'existe que dans une étape « instances: for_each » ou un groupe répété / "
                    "item only exists in a step with 'instances: for_each' or inside a repeat group"))
    return out


def _role_scope(sop: SOP, role: str | None) -> str | None:
    return sop.roles[role].scope if role in sop.roles else None


def _expand(step: Step, sources: list[str]) -> set[str]:
    """Source states of a transition, the wildcard ``*`` standing for every non-final state."""
    out: set[str] = set()
    for src in sources:
        if src == "*":
            out |= {n for n, s in step.states.items() if not s.final}
        elif src in step.states:
            out.add(src)
    return out


def _check_disclosure(loaded: LoadedSOP, sid: str) -> list[Diagnostic]:
    """E035: in a step with ``recipient``, data reaches the recipient's organisation when a
    transition enters a state owned by a ``scope: recipient`` role from a state that is not: that
    transition needs a ``when`` guard (consent), and the step a ``disclosure`` condition."""
    sop, d = loaded.model, loaded.diag
    step = sop.steps[sid]
    if not step.recipient:
        return []
    out = []
    if not step.disclosure:
        out.append(d(("steps", sid, "recipient"), "E035",
                     f"step {sid!r} sends data to the organisation in {step.recipient!r} but has no "
                     "'disclosure' condition (law 001-2021/AN)",
                     "ajouter « disclosure: » avec la condition de consentement, p. ex. "
                     "'service_provider' in consent.share_with / add a 'disclosure:' consent condition",
                     key=True))
    recip = {n for n, s in step.states.items()
             if any(_role_scope(sop, r) == "recipient" for r in s.owner_roles)}
    for i, t in enumerate(step.transitions):
        if t.internal or t.dest not in recip or t.when:
            continue
        crossing = sorted(_expand(step, t.sources) - recip)
        if crossing:
            out.append(d(("steps", sid, "transitions", i), "E035",
                         f"transition {t.trigger!r} discloses the case to the recipient "
                         f"(from {', '.join(crossing)} to {t.dest}) without a 'when' guard "
                         "(law 001-2021/AN)",
                         "ajouter « when: » vérifiant le consentement (p. ex. la même condition que "
                         "disclosure) / add a 'when:' guard checking consent"))
    return out


def _check_deadline(loaded: LoadedSOP, step: Any, deadline: Any, path: tuple,
                    fields: dict[str, FormField]) -> list[Diagnostic]:
    out, d, sop = [], loaded.diag, loaded.model
    if isinstance(deadline.within, ByField):
        f = fields.get(deadline.within.by)
        if f is None:
            out.append(_unknown(loaded, path + ("within", "by"), "E028", "field", deadline.within.by, fields))
        elif f.type != FieldType.choice:
            out.append(d(path + ("within", "by"), "E033",
                         f"{deadline.within.by!r} is a {f.type} field: a deadline chooses its duration by "
                         "the code of a choice field", "point 'by' at a choice field (e.g. a priority)"))
        elif f.options in sop.options:
            missing = set(sop.options[f.options]) - set(deadline.within.cases)
            extra = set(deadline.within.cases) - set(sop.options[f.options])
            if missing:
                out.append(d(path + ("within", "cases"), "E033",
                             f"deadline has no value for {', '.join(sorted(missing))}",
                             f"add a duration for every option of {f.options!r}"))
            for code in sorted(extra):
                out.append(d(path + ("within", "cases", code), "E033",
                             f"{code!r} is not an option of {f.options!r}", "remove it", key=True))
    if deadline.start and deadline.start.startswith("steps."):  # a step's state (issue 13)
        from ..engine.step_start import step_start_problem
        why = step_start_problem(sop, deadline.start)
        if why:
            out.append(d(path + ("start",), "E028", why, "write steps.<step>.<state>, e.g. "
                         "steps.identification.identified"))
    elif deadline.start and deadline.start != "entered":
        f = fields.get(deadline.start)
        if f is None:
            out.append(_unknown(loaded, path + ("start",), "E028", "field", deadline.start, fields))
        elif f.type not in (FieldType.date, FieldType.datetime):
            out.append(d(path + ("start",), "E028", f"{deadline.start!r} is not a date field",
                         "start a deadline clock on a date or datetime field"))
    if deadline.on_expiry:
        if deadline.on_expiry.escalate and deadline.on_expiry.escalate not in sop.roles:
            out.append(_unknown(loaded, path + ("on_expiry", "escalate"), "E021", "role",
                                deadline.on_expiry.escalate, sop.roles))
    if deadline.wait_for:
        out += _check_expr(loaded, deadline.wait_for, path + ("wait_for",))
    if deadline.until:
        out += _check_expr(loaded, deadline.until, path + ("until",))
    out += check_notify(loaded, path[1], deadline.notify, path + ("notify",))
    for j, role in enumerate(deadline.extend_by or []):
        if role not in sop.roles:
            out.append(_unknown(loaded, path + ("extend_by", j), "E021", "role", role, sop.roles))
    if deadline.on_expiry:
        triggers = {t.trigger for t in step.transitions}
        if deadline.on_expiry.fire and deadline.on_expiry.fire not in triggers:
            out.append(_unknown(loaded, path + ("on_expiry", "fire"), "E029", "trigger",
                                deadline.on_expiry.fire, triggers))
    return out


__all__ = ["CODES", "can_finish_states", "check_design", "check_references", "field_index", "field_refs",
           "lint", "reachable_states", "step_graph"]


def _check_reachability(loaded: LoadedSOP, sid: str) -> list[Diagnostic]:
    step = loaded.model.steps[sid]
    if len([s for s, st in step.states.items() if st.initial]) != 1:
        return []
    seen = reachable_states(step)
    return [loaded.diag(("steps", sid, "states", st), "W102",
                        said("state {state!r} cannot be reached", state=st),
                        "ajouter une transition qui y mène, ou supprimer l'état / "
                        "add a transition into it, or remove it", severity="warning", key=True)
            for st in step.states if st not in seen]


def check_design(loaded: LoadedSOP) -> list[Diagnostic]:
    """Design warnings W106-W115 of an SOP that loaded (see the module table)."""
    sop, d = loaded.model, loaded.diag
    out: list[Diagnostic] = (check_traps(loaded) + check_condition_labels(loaded)
                             + check_narrative_files(loaded))
    for sid, step in sop.steps.items():
        base = ("steps", sid)
        reachable, finishing = reachable_states(step), can_finish_states(step)
        for st in step.states:
            if st in reachable and st not in finishing:
                why = ("the step has no final state" if not step.final_states
                       else "no path leads from it to a final state")
                out.append(d(base + ("states", st), "W106",
                             f"state {st!r} of step {sid!r} cannot reach a final state: {why}",
                             "ajouter une transition vers un état final (p. ex. clôture ou annulation) / "
                             "add a transition towards a final state", severity="warning", key=True))
        for st, state in step.states.items():
            sp = base + ("states", st)
            if state.final:
                continue
            if state.owner and state.deadline is None:
                out.append(d(sp, "W107",
                             f"state {st!r} waits for {' / '.join(state.owner_roles)!r} without a deadline",
                             "ajouter « deadline: {within: 3 working days, on_expiry: {escalate: "
                             "supervisor}} » / add a deadline so late cases are seen",
                             severity="warning", key=True))
            expiry = state.deadline.on_expiry if state.deadline else None
            told = expiry and (expiry.escalate or expiry.fire) or state.deadline and state.deadline.notify
            if state.deadline and not told:
                out.append(d(sp + ("deadline",), "W108",
                             f"the deadline of {st!r} has no on_expiry: when it passes nobody is told "
                             "and nothing happens",
                             "ajouter « on_expiry: {escalate: <rôle>} » ou « {fire: <déclencheur>} » / "
                             "add on_expiry with escalate or fire", severity="warning", key=True))
            if not state.owner and not state.initial and not (expiry and (expiry.escalate or expiry.fire)):
                out.append(d(sp, "W109",
                             f"state {st!r} has no owner and no deadline with on_expiry: a case can "
                             "stay there forever without anybody being asked to act",
                             "donner un « owner » à l'état, ou un délai avec on_expiry, ou le rendre final "
                             "si rien ne doit plus se passer / give it an owner, a deadline with "
                             "on_expiry, or make it final", severity="info", key=True))
            if step.recipient and any(_role_scope(sop, r) == "recipient" for r in state.owner_roles):
                exits = {t.dest for t in step.transitions
                         if not t.internal and st in t.sources and t.dest not in (None, st)}
                missing = []
                if len(exits) < 2:
                    missing.append(f"only {len(exits)} exit(s), needs accept and decline")
                if not (expiry and (expiry.escalate or expiry.fire)):
                    missing.append("no deadline with on_expiry (timeout)")
                if missing:
                    out.append(d(sp, "W110",
                                 f"referral state {st!r} waits for the recipient "
                                 f"{' / '.join(state.owner_roles)!r}: "
                                 + "; ".join(missing),
                                 "le prestataire doit pouvoir accepter et refuser, et un délai avec "
                                 "on_expiry doit prévoir son silence / the recipient needs accept and "
                                 "decline transitions and a deadline with on_expiry",
                                 severity="warning", key=True))
        for j, tj in enumerate(step.transitions):
            for i, ti in enumerate(step.transitions[:j]):
                if ti.trigger != tj.trigger:
                    continue
                common = _expand(step, ti.sources) & _expand(step, tj.sources)
                if not common:
                    continue
                if ti.when and tj.when and " ".join(ti.when.split()) != " ".join(tj.when.split()):
                    continue  # different guards: whether they overlap cannot be decided
                how = "identical guards" if ti.when else "no guard on one of them"
                out.append(d(base + ("transitions", j), "W111",
                             f"transition {tj.trigger!r} from {', '.join(sorted(common))} is also "
                             f"transition #{i + 1} of the step ({how}): which one runs is ambiguous",
                             "donner un autre nom au déclencheur, ou des gardes « when » qui s'excluent / "
                             "rename the trigger or give both mutually exclusive 'when' guards",
                             severity="warning"))
                break
    used: set[str] = set(sop.reopen.by if sop.reopen else [])
    used |= set(sop.retention.erase_by if sop.retention else [])
    used |= set(sop.calendar.managed_by or [])
    for step in sop.steps.values():
        for state in step.states.values():
            used |= set(state.owner_roles)
            if state.deadline:
                used |= set(state.deadline.extenders()) | set(state.deadline.extend_by or [])
        for t in step.transitions:
            used |= set(t.by)
    for rid in sop.roles:
        if rid not in used:
            out.append(d(("roles", rid), "W112", f"role {rid!r} is never used",
                         "l'utiliser (owner, by, escalate, extend_by, reopen) ou le supprimer / "
                         "use it or remove it", severity="warning", key=True))
    return out


def lint(loaded: LoadedSOP) -> list[Diagnostic]:
    """Every diagnostic (errors, warnings, info) of an SOP that loaded, in file order; warnings a
    state accepts (``lint: {allow, reason}``) come as ``info`` with ``justified`` set."""
    diags = justify(loaded, check_references(loaded) + check_design(loaded))
    return sorted(diags, key=lambda d: (d.line, d.col, d.code))
