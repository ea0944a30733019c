"""The case list's filters (« Région », « Étape », « État ») over every SOP the list holds (tryout 8,
K5): an account tied to one SOP, or a server with one SOP, is offered that SOP's values as before;
an account working in every SOP whose list mixes cases of several SOPs is offered each listed SOP's
values grouped under the SOP's title (``<optgroup>``), each value qualified by its SOP
(``mnr_tg:maritime``) so that it selects that SOP's cases only — a step id or a region code may
exist in both. An unqualified value (typed by hand, ``?region=maritime``) filters every SOP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import sop_choice
from ..engine.compile import CompiledSOP
from ..store.models import Case, SopVersion, User
from . import access

SEP = ":"  #: between the SOP id and the code in a qualified value


@dataclass(frozen=True)
class Group:
    """The options of one SOP (``label``: its title; "" when the list holds one SOP: no
    ``<optgroup>``), or of one step of it for the states: ``(value, label)`` each."""

    label: str
    choices: list[tuple[str, str]] = field(default_factory=list)


def listed_sops(web: Any, s: Session, user: User, default: CompiledSOP) -> list[Any]:
    """The SOP models whose cases ``user``'s list may hold, ``default`` (the user's own) first: the
    account's SOP alone when it is tied to one or the server has one; else every registered SOP
    with at least one case ``user`` may open (``default`` always)."""
    if getattr(user, "sop_id", None):
        return [default.sop]
    regs = sop_choice.registered(s, web.wf.registry)
    if len(regs) < 2:
        return [default.sop]
    clause = access.case_clause(user)
    out = [default.sop]
    for r in regs:
        if r.sop_id == default.sop.sop:
            continue
        if has_case_of(s, clause, r.sop_id):
            out.append(r.compiled.sop)
    return out


def has_case_of(s: Session, clause: Any, sop_id: str) -> bool:
    """Whether a case of SOP ``sop_id`` matches ``clause`` (the reader's scope): one indexed
    lookup (``ix_cases_sop_version_region``, revision 0042; asserted in the query-plan tests)."""
    versions = select(SopVersion.id).where(SopVersion.sop_id == sop_id)
    return s.scalar(select(Case.id).where(clause, Case.sop_version_id.in_(versions)).limit(1)) is not None


def split(value: str) -> tuple[str | None, str]:
    """``"mnr_tg:maritime"`` → ``("mnr_tg", "maritime")``; an unqualified value → ``(None, value)``."""
    sop_id, sep, code = value.partition(SEP)
    return (sop_id, code) if sep and sop_id and code else (None, value)


def parsed(f: dict[str, str]) -> tuple[dict[str, str | None], tuple[str, ...]]:
    """The codes of the filters ``region``, ``step``, ``state`` of ``f`` (None: not filtered) and
    the SOPs their qualified values ask for (each one a condition: two different SOPs select
    nothing)."""
    codes: dict[str, str | None] = {}
    sops: list[str] = []
    for key in ("region", "step", "state"):
        sop_id, code = split(f.get(key, "")[:130])
        codes[key] = code[:64] or None
        if sop_id and code:
            sops.append(sop_id[:64])
    return codes, tuple(dict.fromkeys(sops))


def options(sops: list[Any], lang: str) -> dict[str, list[Group]]:
    """The ``region``, ``step`` and ``state`` options of the filters for the listed ``sops``: one
    group per SOP (the states: per SOP and step), values qualified when there are several."""
    mixed = len(sops) > 1

    def value(sop, code: str) -> str:
        return f"{sop.sop}{SEP}{code}" if mixed else code

    def title(sop) -> str:
        return sop.label(sop.title, lang) if mixed else ""

    out: dict[str, list[Group]] = {"region": [], "step": [], "state": []}
    for sop in sops:
        out["region"].append(Group(title(sop), [(value(sop, code), sop.label(label, lang))
                                                for code, label in sop.options.get("region", {}).items()]))
        out["step"].append(Group(title(sop), [(value(sop, sid), sop.label(st.label, lang))
                                              for sid, st in sop.steps.items()]))
        for st in sop.steps.values():
            step = sop.label(st.label, lang)
            out["state"].append(Group(f"{title(sop)} — {step}" if mixed else step,
                                      [(value(sop, code), sop.label(s.label, lang))
                                       for code, s in st.states.items() if not s.final]))
    return out


def region_words(sops: list[Any], lang: str):
    """``words(user)``: the label of a case manager's region in their SOP (else the first listed
    SOP that names it), for the reassignment list; "" for none."""
    def words(user: User) -> str:
        if not user.region:
            return ""
        ordered = sorted(sops, key=lambda sop: sop.sop != user.sop_id)
        for sop in ordered:
            label = sop.options.get("region", {}).get(user.region)
            if label:
                return sop.label(label, lang)
        return user.region
    return words
