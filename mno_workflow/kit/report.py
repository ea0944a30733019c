"""Reports of a scenario run: text for the terminal (French, or English with ``lang="en"``), or
JSON for tools and CI.

The text report lists each scenario (OK / ÉCHEC with ``file:line:col`` and the reason), then one
coverage table per SOP version (states entered and transitions fired, per step and in total) and
what no scenario exercised.
"""

from __future__ import annotations

import json
from typing import Any

from ..i18n import N_, gettext, ngettext
from .coverage import Coverage, percent_text
from .i18n import LANG
from .runner import RunResult


def _(text: str) -> str:
    """``text`` (French source text) in the run's language, from the catalogues."""
    return gettext(text, LANG.get())


def _pct(p: float) -> str:
    return percent_text(p, LANG.get())


def _ratio(d: dict) -> str:
    return f"{d['hit']}/{d['total']} ({_pct(d['percent'])})"


def coverage_lines(cov: Coverage) -> list[str]:
    data = cov.as_dict()
    lines = [ngettext("Couverture — POS {sop} version {version} ({path}), {n} scénario",
                      "Couverture — POS {sop} version {version} ({path}), {n} scénarios", data["scenarios"],
                      LANG.get(), sop=data["sop"], version=data["version"], path=data["path"])]
    step_word, states_word = _("étape"), _("états")
    width = max([len(step_word)] + [len(r["step"]) for r in data["steps"]]) + 2
    lines.append(f"  {step_word.ljust(width)}{states_word.ljust(18)}transitions")
    for r in data["steps"]:
        lines.append(f"  {r['step'].ljust(width)}{_ratio(r['states']).ljust(18)}{_ratio(r['transitions'])}")
    lines.append(f"  {'total'.ljust(width)}{_ratio(data['states']).ljust(18)}{_ratio(data['transitions'])}")
    if data["states"]["missing"]:
        lines.append("  " + _("États jamais atteints : ") + ", ".join(data["states"]["missing"]))
    if data["transitions"]["missing"]:
        lines.append("  " + _("Transitions jamais franchies :"))
        sep = ":" if LANG.get() == "en" else " :"
        lines += [f"    {e['step']}{sep} {e['from']} —{e['trigger']}→ {e['to']}"
                  for e in data["transitions"]["missing"]]
    if not data["states"]["missing"] and not data["transitions"]["missing"]:
        lines.append("  " + _("Tous les états et toutes les transitions sont exercés."))
    return lines


def text_report(result: RunResult, min_coverage: float | None = None) -> str:
    """The terminal report, in the run's language (:data:`mno_workflow.kit.i18n.LANG`)."""
    lines: list[str] = []
    for s in result.scenarios:
        if s.ok:
            lines.append(gettext("OK     {path} — {name} ({n} étapes)", LANG.get(), path=s.path, name=s.name,
                                 n=s.steps_run))
        else:
            lines.append(gettext("ÉCHEC  {path} — {name}", LANG.get(), path=s.path, name=s.name))
            lines += [f"       {f.format()}" for f in s.failures]
        warn = gettext('attention :', LANG.get())
        lines += [f"       {warn} {w.format()}" for w in s.warnings]  # written in LANG
    passed = sum(1 for s in result.scenarios if s.ok)
    failed = len(result.scenarios) - passed
    lines.append("")
    lines.append(ngettext("{n} scénario : {passed}, {failed} en échec.",
                          "{n} scénarios : {passed}, {failed} en échec.", len(result.scenarios), LANG.get(),
                          failed=failed,
                          passed=ngettext("{n} réussi", "{n} réussis", passed, LANG.get())))
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
        for what, p in ((N_("états"), cov.state_percent()), (N_("transitions"), cov.edge_percent())):
            if p < min_coverage:
                out.append(gettext("Couverture insuffisante des {what} de {sop} : {percent} < {minimum} "
                                   "(--min-coverage).", LANG.get(), what=_(what), sop=cov.sop.sop,
                                   percent=_pct(p), minimum=_pct(min_coverage)))
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
