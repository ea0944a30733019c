"""Lint rules kept out of :mod:`mno_workflow.sop.lint` (which only wires them in): calendar data,
codes named inside conditions, and trap SOPs (steps never started, cases that never close)."""
