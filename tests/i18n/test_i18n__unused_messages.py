"""No dead entry in the catalogues: every message id of the French and English catalogues is used
— found by the extraction (``make i18n-extract``), or a stable key written as a literal in code or
a template (``t(c.status, lang)`` reads ``"open"``, written elsewhere), or a key the code builds
from a prefix listed in :data:`DYNAMIC` (``f"role.{role}"``) whose rest is written somewhere.
Stable keys are carried from the French catalogue to the template on every ``make i18n-update``
(mno_workflow/i18n/extract.py), so a key no longer used stays for ever unless a test says so
(« work_first_shown » outlived « Mon travail »'s « Voir les N autres » link)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mno_workflow.i18n.migrate import read_catalogue

from .test_i18n__catalogues import extracted

ROOT = Path(__file__).resolve().parents[2]
CODE = ROOT / "mno_workflow"

#: keys built in code: prefix -> (file that builds them, the text that builds them there, the
#: pattern of the rest when it is not written as a literal itself, e.g. an HTTP status)
DYNAMIC: dict[str, tuple[str, str, str | None]] = {
    "api.http_": ("web/api.py", 'f"http_{e.status_code}"', r"\d{3}"),
    "api.": ("web/api_models.py", 'gettext(f"api.{code}", lang)', None),
    "me.": ("web/me_view.py", 'gettext(f"me.{key}", lang)', None),
    "role.": ("web/i18n.py", 'catalogues.gettext(f"role.{role}", lang)', None),
    "svc_": ("web/templates/directory_service.html", "t('svc_' ~ service.status, lang)", None),
}


@pytest.fixture(scope="module")
def sources() -> str:
    """The code and templates of the package (catalogues aside), as one text."""
    parts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(CODE.rglob("*"))
             if p.is_file() and p.suffix in (".py", ".html", ".j2", ".js") and "locale" not in p.parts]
    return "\n".join(parts)


def _written(text: str, sources: str) -> bool:
    return f'"{text}"' in sources or f"'{text}'" in sources


@pytest.mark.parametrize("prefix", sorted(DYNAMIC))
def test_the_prefixes_of_built_keys_are_still_built(prefix):
    path, builds, _rest = DYNAMIC[prefix]
    assert builds in (CODE / path).read_text(encoding="utf-8"), (prefix, path)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_catalogue_message_is_used(lang, sources):
    used = {msgid for msgid, _context in extracted()}
    unused = []
    for message in read_catalogue(lang):
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        if not msgid or msgid in used or _written(msgid, sources):
            continue
        prefix = next((p for p in sorted(DYNAMIC, key=len, reverse=True) if msgid.startswith(p)), None)
        if prefix is not None:
            rest, pattern = msgid[len(prefix):], DYNAMIC[prefix][2]
            if (re.fullmatch(pattern, rest) if pattern else _written(rest, sources)):
                continue
        unused.append(msgid)
    assert unused == [], f"remove from mno_workflow/locale/*/LC_MESSAGES/messages.po ({lang}): {unused}"
