"""The OpenAPI documents (``/api/v1/openapi.json``, ``/hsds/openapi.json``) follow the reader's
language (issue 18): ``?lang=`` else ``Accept-Language``, French by default. Every description and
summary comes from the catalogues — no « Texte / Text » pair, no English left in the French
document, no French in the English one — while paths, operation ids and schemas are the same in
every language (API clients depend on them)."""

from __future__ import annotations

import re

import httpx
import pytest

DOCS = ("/api/v1/openapi.json", "/hsds/openapi.json")
WORDED = ("description", "summary")

#: French words or signs an English text must not hold (quoted examples and code aside)
FRENCH = re.compile(r"\b(le|la|les|des|du|une|un|et|ou|pour|avec|dans|sur|sans|par|sinon|jeton|"
                    r"dossiers?|étape|référencement|signalement|motif|obligatoire|formulaire|champ|vrai)\b"
                    r"|[éèêàùç]", re.I)
#: English words a French text must not hold (the same aside)
ENGLISH = re.compile(r"\b(the|of|with|is|are|this|when|from|every|only|number|records|search|successful|"
                     r"response|supported|nested|children|token|case|cases|referral|field|"
                     r"required|paged|filtered|without)\b", re.I)


def _bare(text: str) -> str:
    """``text`` without quoted examples, code and identifiers (values an API client types)."""
    text = re.sub(r"«[^»]*»|``[^`]*``|`[^`]*`|\"[^\"]*\"|'[^']*'|\[[^\]]*\]|\([^()]*_[^()]*\)", " ", text)
    return re.sub(r"\S*[_./:]\S*|\b[A-Z][A-Za-z]+-[A-Za-z-]+\b", " ", text)


def texts(doc, where=()) -> dict[tuple, str]:
    """``{where: text}`` of every description and summary (examples and defaults aside)."""
    found = {}
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k in WORDED and isinstance(v, str):
                found[(*where, k)] = v
            elif k not in ("examples", "example", "default"):
                found.update(texts(v, (*where, k)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            found.update(texts(v, (*where, i)))
    return found


def without_words(doc):
    """``doc`` without its descriptions and summaries: what API clients read."""
    if isinstance(doc, dict):
        return {k: without_words(v) for k, v in doc.items() if not (k in WORDED and isinstance(v, str))}
    if isinstance(doc, list):
        return [without_words(v) for v in doc]
    return doc


@pytest.fixture(scope="module")
def docs(live_module):
    url = live_module.url
    out = {}
    for path in DOCS:
        fr = httpx.get(url + path)
        en = httpx.get(url + path, headers={"Accept-Language": "en-GB,en;q=0.9"})
        asked = httpx.get(url + path + "?lang=en", headers={"Accept-Language": "fr"})
        assert fr.status_code == en.status_code == asked.status_code == 200
        assert (fr.headers["content-language"], en.headers["content-language"]) == ("fr", "en")
        assert "accept-language" in en.headers["vary"].lower()
        assert asked.json() == en.json()  # ?lang= wins over the header
        out[path] = (fr.json(), en.json())
    return out


@pytest.mark.parametrize("path", DOCS)
def test_paths_operation_ids_and_schemas_are_the_same_in_every_language(docs, path):
    fr, en = docs[path]
    assert without_words(fr) == without_words(en)
    assert texts(fr).keys() == texts(en).keys()
    ops = {op.get("operationId") for item in fr["paths"].values() for op in item.values()}
    assert None not in ops and len(ops) >= 5


@pytest.mark.parametrize("path", DOCS)
def test_every_description_is_in_the_reader_language(docs, path):
    fr, en = docs[path]
    fr_texts, en_texts = texts(fr), texts(en)
    assert not [t for t in fr_texts.values() if " / " in t], "no « Texte / Text » pair left"
    english_left = {w: t for w, t in fr_texts.items() if ENGLISH.search(_bare(t))}
    french_left = {w: t for w, t in en_texts.items() if FRENCH.search(_bare(t))}
    assert english_left == {}, english_left
    assert french_left == {}, french_left
    same = {w: t for w, t in fr_texts.items() if en_texts[w] == t and re.search(r"[a-z]{4}", _bare(t))}
    assert same == {}, same  # each text translated (codes and numbers aside)


def test_the_documents_say_who_they_are_for(docs):
    fr, en = docs["/api/v1/openapi.json"]
    assert fr["info"]["description"].startswith("Dossiers, actions")
    assert en["info"]["description"].startswith("Cases, actions")
    assert {t["name"]: t["description"] for t in en["tags"]}["cases"] == "Cases and actions"
    hsds_fr, hsds_en = docs["/hsds/openapi.json"]
    assert "urn:mno-workflow:hsds-profile" in hsds_fr["info"]["description"]
    assert hsds_fr["info"]["description"].startswith("API HSDS 3.1 du répertoire")
    assert hsds_en["info"]["description"].startswith("Read-only HSDS 3.1 API")
