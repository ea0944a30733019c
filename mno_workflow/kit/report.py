"""Reports of a scenario run: French text for the terminal, or JSON for tools and CI.

The text report lists each scenario (OK / ÉCHEC with ``file:line:col`` and the reason), then one
coverage table per SOP version (states entered and transitions fired, per step and in total) and
what no scenario exercised.
"""

from __future__ import annotations

import json
from typing import Any

from .coverage import Coverage
from .runner import RunResult


def _pct(p: float) -> str:
    return f"{p:.1f}".replace(".", ",") + " %"


def _ratio(d: dict) -> str:
    return f"{d['hit']}/{d['total']} ({_pct(d['percent'])})"


def coverage_lines(cov: Coverage) -> list[str]:
    data = cov.as_dict()
    lines = [f"Couverture — POS {data['sop']} version {data['version']} ({data['path']}), "
             f"{data['scenarios']} scénario(s)"]
    width = max([len("étape")] + [len(r["step"]) for r in data["steps"]]) + 2
    lines.append(f"  {'étape'.ljust(width)}{'états'.ljust(18)}transitions")
    for r in data["steps"]:
        lines.append(f"  {r['step'].ljust(width)}{_ratio(r['states']).ljust(18)}{_ratio(r['transitions'])}")
    lines.append(f"  {'total'.ljust(width)}{_ratio(data['states']).ljust(18)}{_ratio(data['transitions'])}")
    if data["states"]["missing"]:
        lines.append("  États jamais atteints : " + ", ".join(data["states"]["missing"]))
    if data["transitions"]["missing"]:
        lines.append("  Transitions jamais franchies :")
        lines += [f"    {e['step']} : {e['from']} —{e['trigger']}→ {e['to']}"
                  for e in data["transitions"]["missing"]]
    if not data["states"]["missing"] and not data["transitions"]["missing"]:
        lines.append("  Tous les états et toutes les transitions sont exercés.")
    return lines


def text_report(result: RunResult, min_coverage: float | None = None) -> str:
    lines: list[str] = []
    for s in result.scenarios:
        if s.ok:
            lines.append(f"OK     {s.path} — {s.name} ({s.steps_run} étapes)")
        else:
            lines.append(f"ÉCHEC  {s.path} — {s.name}")
            lines += [f"       {f.format()}" for f in s.failures]
    passed = sum(1 for s in result.scenarios if s.ok)
    failed = len(result.scenarios) - passed
    lines.append("")
    lines.append(f"{len(result.scenarios)} scénario(s) : {passed} réussi(s), {failed} en échec.")
    for cov in result.coverage:
        lines.append("")
        lines += coverage_lines(cov)
    for msg in coverage_failures(result, min_coverage):
        lines.append(msg)
    return "\n".join(lines)


def coverage_failures(result: RunResult, min_coverage: float | None) -> list[str]:
    if min_coverage is None:
        return []
    out = []
    for cov in result.coverage:
        for what, p in (("états", cov.state_percent()), ("transitions", cov.edge_percent())):
            if p < min_coverage:
                out.append(f"Couverture insuffisante des {what} de {cov.sop.sop} : {_pct(p)} "
                           f"< {_pct(min_coverage)} (--min-coverage).")
    return out


def json_report(result: RunResult, min_coverage: float | None = None) -> str:
    data: dict[str, Any] = {
        "ok": result.ok and not coverage_failures(result, min_coverage),
        "passed": sum(1 for s in result.scenarios if s.ok),
        "failed": sum(1 for s in result.scenarios if not s.ok),
        "min_coverage": min_coverage,
        "scenarios": [s.as_dict() for s in result.scenarios],
        "coverage": [c.as_dict() for c in result.coverage],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
