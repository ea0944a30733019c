"""The service log one test configures (``mno serve``/``mno remind`` in-process) does not reach the
next test (run 22: an INFO line on stderr broke a later test's JSON output). The two tests run in
file order; the second fails without the ``_logging_restored`` fixture of ``tests/conftest.py``:
it finds logging as the first test found it, whatever earlier fixtures of the worker set up."""

from __future__ import annotations

import logging

from mno_workflow import logs

NAMES = ("mno", "mno_workflow", "")
BEFORE: dict[str, tuple] = {}


def _state(name: str) -> tuple:
    log = logging.getLogger(name)
    return log.level, tuple(h for h in log.handlers if isinstance(h, logs.StderrHandler))


def test_a_test_configures_the_service_log():
    BEFORE.update({name: _state(name) for name in NAMES})
    logs.configure("text", "DEBUG")
    assert logging.getLogger("mno_workflow").level == logging.DEBUG
    assert _state("mno_workflow") != BEFORE["mno_workflow"]


def test_the_next_test_finds_logging_as_before():
    assert BEFORE, "runs after test_a_test_configures_the_service_log"
    for name in NAMES:
        assert _state(name) == BEFORE[name], name
