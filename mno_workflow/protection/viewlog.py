"""Logging reads of personal data outside the web application (CLI ``case show``).

The web pages and API log their views in ``web_case_views`` (:func:`mno_workflow.web.queries.log_view`);
the command line writes the same rows with channel ``cli``, naming the operating-system user (or
``$MNO_USER`` when set) until the command line has its own sign-in.
"""

from __future__ import annotations

import getpass
import os
from datetime import datetime
from typing import Any


def cli_user() -> str:
    """``$MNO_USER``, else ``cli:<login>``."""
    if os.environ.get("MNO_USER"):
        return os.environ["MNO_USER"][:100]
    try:
        return f"cli:{getpass.getuser()}"[:100]
    except (KeyError, OSError):  # no login name (container without passwd entry)
        return "cli:?"


def log_cli_view(session: Any, case: Any, now: datetime) -> None:
    """One ``web_case_views`` row for ``case`` read from the command line (caller commits)."""
    from ..web.models import CaseView

    session.add(CaseView(case_id=case.id, user_id=cli_user(), role="cli", organisation=None,
                         channel="cli", at=now))
