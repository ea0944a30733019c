"""Property: the linter's reachability verdicts (W102 unreachable, W106 cannot reach a final state)
agree with a brute-force transitive closure (Warshall) over random valid SOPs.

Random SOPs: 1-3 steps, 2-7 states, random transitions with lists, wildcards ``"*"`` (every
non-final state) and internal transitions (no change of state), written as indented JSON (YAML
1.2) and loaded through the real loader, so they are valid by construction.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mno_workflow.sop.lint import lint
from mno_workflow.sop.loader import load_text

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
LABEL = {"fr": "x", "en": "x"}


@st.composite
def sop_docs(draw: st.DrawFn) -> dict:
    steps = {}
    for sid in draw(st.lists(NAMES, min_size=1, max_size=3, unique=True)):
        names = draw(st.lists(NAMES, min_size=2, max_size=7, unique=True))
        initial = draw(st.sampled_from(names))
        states = {n: {"label": LABEL, **({"initial": True} if n == initial else {}),
                      **({"final": True} if draw(st.integers(0, 3)) == 0 else {})} for n in names}
        transitions = []
        for k in range(draw(st.integers(0, 9))):
            kind = draw(st.sampled_from(["one", "one", "list", "star"]))
            source = ("*" if kind == "star" else draw(st.sampled_from(names)) if kind == "one"
                      else draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)))
            t = {"trigger": f"t{k}", "label": LABEL, "from": source, "by": ["agent"]}
            if draw(st.integers(0, 4)) == 0:
                t["internal"] = True
            else:
                t["to"] = draw(st.sampled_from(names))
            transitions.append(t)
        steps[sid] = {"label": LABEL, "states": states, "transitions": transitions}
    return {"sop": "prop", "version": "1", "title": LABEL, "languages": ["fr", "en"],
            "roles": {"agent": {"label": LABEL}}, "start": next(iter(steps)), "steps": steps}


def brute_force(step: dict) -> tuple[set[str], set[str]]:
    """(unreachable states, reachable states that cannot reach a final state), by Warshall."""
    names = list(step["states"])
    final = {n for n, s in step["states"].items() if s.get("final")}
    reach = {a: dict.fromkeys(names, False) for a in names}
    for t in step["transitions"]:
        if t.get("internal"):
            continue
        sources = t["from"] if isinstance(t["from"], list) else [t["from"]]
        for a in names:
            if a in sources or ("*" in sources and a not in final):
                reach[a][t["to"]] = True
    for k in names:
        for i in names:
            if reach[i][k]:
                for j in names:
                    reach[i][j] = reach[i][j] or reach[k][j]
    initial = next(n for n, s in step["states"].items() if s.get("initial"))
    reachable = {initial} | {n for n in names if reach[initial][n]}
    stuck = {a for a in reachable if a not in final and not any(reach[a][f] for f in final)}
    return set(names) - reachable, stuck


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sop_docs())
def test_reachability_verdicts_match_brute_force(doc: dict) -> None:
    loaded = load_text(json.dumps(doc, indent=1), "prop.json")
    where = {pos: key[1:4:2] for key, pos in loaded.positions.keys.items()
             if len(key) == 4 and key[0] == "steps" and key[2] == "states"}
    verdicts: dict[str, set] = {"W102": set(), "W106": set()}
    for d in lint(loaded):
        if d.code in verdicts:
            verdicts[d.code].add(where[(d.line, d.col)])
    want102, want106 = set(), set()
    for sid, step in doc["steps"].items():
        unreachable, stuck = brute_force(step)
        want102 |= {(sid, s) for s in unreachable}
        want106 |= {(sid, s) for s in stuck}
    assert verdicts["W102"] == want102
    assert verdicts["W106"] == want106


def test_brute_force_itself() -> None:
    step = {"states": {"a": {"initial": True}, "b": {}, "c": {"final": True}, "d": {}, "e": {}},
            "transitions": [{"from": "a", "to": "b"}, {"from": "*", "to": "a"},
                            {"from": ["b"], "to": "e"}, {"from": "d", "to": "c"},
                            {"from": "e", "internal": True}]}
    # '*' leads every non-final state back to a; d is unreachable; nothing reachable finishes
    assert brute_force(step) == ({"c", "d"}, {"a", "b", "e"})
