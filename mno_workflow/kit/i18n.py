"""The language of a ``mno test`` run (:data:`LANG`, set by ``mno test`` from ``--lang``) and the
runner's messages in it.

The runner writes its findings as catalogue messages (``said_fr("… {name} …", name=…)``, French
source text, see :mod:`mno_workflow.sop.diagnostics`): :func:`say` shows one in the run's
language from the gettext catalogues; engine refusals quoted in a finding are kept as engine
messages and shown in that language too. Quoted values (« … ») are the author's and stay as is.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

LANG: ContextVar[str] = ContextVar("mno_test_lang", default="fr")


def say(text: Any, lang: str | None = None) -> str:
    """``text`` (a runner finding) in the run's language (``lang``, else :data:`LANG`); plain
    text is shown as it is."""
    from ..sop.diagnostics import text_in
    return text_in(text, lang or LANG.get())
