"""The service log one test configures (``mno serve``/``mno remind`` in-process) does not reach the
next test (run 22: an INFO line on stderr broke a later test's JSON output). The two tests run in
file order; the second fails without the ``_logging_restored`` fixture of ``tests/conftest.py``."""

from __future__ import annotations

import logging

from mno_workflow import logs


def test_a_test_configures_the_service_log():
    logs.configure("text", "INFO")
    assert any(isinstance(h, logs.StderrHandler) for h in logging.getLogger("mno_workflow").handlers)
    assert logging.getLogger("mno_workflow").level == logging.INFO


def test_the_next_test_finds_logging_as_before():
    for name in ("mno", "mno_workflow", ""):
        assert not any(isinstance(h, logs.StderrHandler) for h in logging.getLogger(name).handlers), name
    assert logging.getLogger("mno_workflow").level != logging.INFO or \
        not logging.getLogger("mno_workflow").handlers
