"""Versions of an SOP made inside the tests (renamed, removed, added states; changed deadlines),
from its parsed YAML rather than from its exact lines (the shipped SOP changes often)."""

from __future__ import annotations

import copy
from collections.abc import Callable

import yaml

from mno_workflow.sop.loader import load_text


def parse(text: str) -> dict:
    return yaml.safe_load(text)


def dump(doc: dict) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def _swap(value, old: str, new: str):
    if isinstance(value, list):
        return [new if v == old else v for v in value]
    return new if value == old else value


def rename_state(doc: dict, step: str, old: str, new: str) -> None:
    """Rename ``step.old`` to ``new`` everywhere the SOP names it (states, transitions, flow,
    CEL ``steps.step == 'old'``)."""
    states = doc["steps"][step]["states"]
    doc["steps"][step]["states"] = {(new if k == old else k): v for k, v in states.items()}
    for t in doc["steps"][step].get("transitions") or []:
        for k in ("from", "to"):
            if k in t:
                t[k] = _swap(t[k], old, new)
    for rule in doc.get("flow") or []:
        if rule.get("after") == f"{step}.{old}":
            rule["after"] = f"{step}.{new}"
    for sel in _state_selectors(doc.get("indicators"), step):  # {step: referral, to: [sent]}
        for k in ("to", "from", "states"):
            if k in sel:
                sel[k] = _swap(sel[k], old, new)
    text = dump(doc)
    for q in ("'", '"'):
        text = text.replace(f"steps.{step} == {q}{old}{q}", f"steps.{step} == {q}{new}{q}")
    doc.clear()
    doc.update(parse(text))


def _state_selectors(node, step: str) -> list[dict]:
    """The mappings under ``node`` that select states of ``step`` (indicators' ``events``,
    ``start``, ``end``: ``{step: referral, to: [sent]}``)."""
    out = []
    if isinstance(node, dict):
        if node.get("step") == step:
            out.append(node)
        for v in node.values():
            out += _state_selectors(v, step)
    elif isinstance(node, list):
        for v in node:
            out += _state_selectors(v, step)
    return out


def add_state(doc: dict, step: str, name: str, label: str) -> None:
    """An extra non-final state reachable from nowhere (only by migration or correction)."""
    doc["steps"][step]["states"][name] = {"label": {"fr": label, "en": label}}


def set_deadline(doc: dict, step: str, state: str, within: str) -> None:
    dl = doc["steps"][step]["states"][state].setdefault("deadline", {})
    dl["within"] = within
    dl.pop("remind", None)


def variant(text: str, version: str, *edits: Callable[[dict], None]):
    """A LoadedSOP: ``text`` with version ``version`` and ``edits`` applied to its parsed YAML."""
    doc = copy.deepcopy(parse(text))
    doc["version"] = version
    for edit in edits:
        edit(doc)
    return load_text(dump(doc), f"variant-{version}.yaml")


def remove_state(doc: dict, step: str, name: str) -> None:
    """Remove ``step.name`` and every transition into or out of it (and flow rules after it)."""
    st = doc["steps"][step]
    del st["states"][name]
    kept = []
    for t in st.get("transitions") or []:
        if t.get("to") == name:
            continue
        src = t.get("from")
        if isinstance(src, list):
            src = [x for x in src if x != name]
            if not src:
                continue
            t["from"] = src
        elif src == name:
            continue
        kept.append(t)
    st["transitions"] = kept
    doc["flow"] = [r for r in doc.get("flow") or [] if r.get("after") != f"{step}.{name}"]
    # indicators that select the removed state, or a trigger no transition has any more, go too
    triggers = {tr.get("trigger") for tr in st["transitions"]}
    ind = doc.get("indicators")
    if isinstance(ind, dict) and isinstance(ind.get("list"), list):
        def broken(indicator) -> bool:
            for sel in _state_selectors(indicator, step):
                if any(name in (sel.get(k) or []) for k in ("to", "from", "states")):
                    return True
                if any(x not in triggers for x in sel.get("triggers") or []):
                    return True
            return False
        ind["list"] = [i for i in ind["list"] if not broken(i)]

    def drop(node):  # other lists of state names (e.g. data_protection.withhold_in_states)
        if isinstance(node, dict):
            for k, v in node.items():
                if k.endswith("states") and isinstance(v, list):
                    node[k] = [x for x in v if x != name]
                else:
                    drop(v)
        elif isinstance(node, list):
            for v in node:
                drop(v)
    drop({k: v for k, v in doc.items() if k != "steps"})
