"""A second SOP for the tests of a database with several SOPs (tryout 5, H24): ``mnr_sn``, the
Burkina Faso text under another id and title, with a region of its own (« dakar ») beside the
shared codes — the same region code in two SOPs must not leak either."""

from __future__ import annotations

from .conftest import BF_SOP

SN_TITLE = {"fr": "Mécanisme national de référencement — Sénégal",
            "en": "National referral mechanism — Senegal"}


def sn_text() -> str:
    text = BF_SOP.read_text(encoding="utf-8").replace("sop: mnr_bf", "sop: mnr_sn", 1)
    text = text.replace("  fr: Mécanisme national de référencement — Burkina Faso\n"
                        "  en: National referral mechanism — Burkina Faso",
                        f"  fr: {SN_TITLE['fr']}\n  en: {SN_TITLE['en']}", 1)
    return text.replace("  region:\n    bankui:",
                        "  region:\n    dakar: {fr: Dakar, en: Dakar}\n    bankui:", 1)
