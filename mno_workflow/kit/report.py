"""Reports of a scenario run: text for the terminal (French, or English with ``lang="en"``), or
JSON for tools and CI.

The text report lists each scenario (OK / ÉCHEC with ``file:line:col`` and the reason), then one
coverage table per SOP version (states entered and transitions fired, per step and in total) and
what no scenario exercised.
"""

from __future__ import annotations

import json
from typing import Any

from .coverage import Coverage
from .i18n import LANG, say
from .runner import RunResult

_EN = {"étape": "step", "états": "states", "Couverture — POS": "Coverage — SOP", "scénario(s)": "scenario(s)",
       "États jamais atteints : ": "States never entered: ",
       "Transitions jamais franchies :": "Transitions never fired:",
       "Tous les états et toutes les transitions sont exercés.": "Every state and transition is exercised.",
       "ÉCHEC ": "FAIL  ", "étapes": "steps", "réussi(s)": "passed", "en échec": "failed",
       "attention :": "warning:"}


def _t(text: str) -> str:
    return _EN.get(text, text) if LANG.get() == "en" else text


def _pct(p: float) -> str:
    return f"{p:.1f} %" if LANG.get() == "en" else f"{p:.1f}".replace(".", ",") + " %"


def _ratio(d: dict) -> str:
    return f"{d['hit']}/{d['total']} ({_pct(d['percent'])})"


def coverage_lines(cov: Coverage) -> list[str]:
    data = cov.as_dict()
    lines = [f"{_t('Couverture — POS')} {data['sop']} version {data['version']} ({data['path']}), "
             f"{data['scenarios']} {_t('scénario(s)')}"]
    width = max([len(_t("étape"))] + [len(r["step"]) for r in data["steps"]]) + 2
    lines.append(f"  {_t('étape').ljust(width)}{_t('états').ljust(18)}transitions")
    for r in data["steps"]:
        lines.append(f"  {r['step'].ljust(width)}{_ratio(r['states']).ljust(18)}{_ratio(r['transitions'])}")
    lines.append(f"  {'total'.ljust(width)}{_ratio(data['states']).ljust(18)}{_ratio(data['transitions'])}")
    if data["states"]["missing"]:
        lines.append("  " + _t("États jamais atteints : ") + ", ".join(data["states"]["missing"]))
    if data["transitions"]["missing"]:
        lines.append("  " + _t("Transitions jamais franchies :"))
        sep = ":" if LANG.get() == "en" else " :"
        lines += [f"    {e['step']}{sep} {e['from']} —{e['trigger']}→ {e['to']}"
                  for e in data["transitions"]["missing"]]
    if not data["states"]["missing"] and not data["transitions"]["missing"]:
        lines.append("  " + _t("Tous les états et toutes les transitions sont exercés."))
    return lines


def text_report(result: RunResult, min_coverage: float | None = None) -> str:
    """The terminal report, in the run's language (:data:`mno_workflow.kit.i18n.LANG`)."""
    lines: list[str] = []
    for s in result.scenarios:
        if s.ok:
            lines.append(f"OK     {s.path} — {s.name} ({s.steps_run} {_t('étapes')})")
        else:
            lines.append(f"{_t('ÉCHEC ')} {s.path} — {s.name}")
            lines += [f"       {say(f.format())}" for f in s.failures]
        lines += [f"       {_t('attention :')} {w.format()}" for w in s.warnings]  # written in LANG
    passed = sum(1 for s in result.scenarios if s.ok)
    failed = len(result.scenarios) - passed
    lines.append("")
    lines.append(f"{len(result.scenarios)} {_t('scénario(s)')}{'' if LANG.get() == 'en' else ' '}: "
                 f"{passed} {_t('réussi(s)')}, {failed} {_t('en échec')}.")
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
                out.append(f"Coverage of the {_t(what)} of {cov.sop.sop} too low: {_pct(p)} "
                           f"< {_pct(min_coverage)} (--min-coverage)." if LANG.get() == "en" else
                           f"Couverture insuffisante des {what} de {cov.sop.sop} : {_pct(p)} "
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
