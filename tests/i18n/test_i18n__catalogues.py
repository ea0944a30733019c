"""The gettext catalogues are complete and a third language is a file: every message id used in
code, templates and CLI help (extracted with Babel and babel.cfg, as ``make i18n-extract``) is in
the French and English catalogues, English is translated with the same placeholders, a ``.po``
added under ``locale/`` is picked up (with French as fallback), and compiled catalogues follow
their ``.po``."""

from __future__ import annotations

import re
import shutil
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from mno_workflow import i18n
from mno_workflow.i18n.extract import KEYWORD_SPECS, KEYWORDS
from mno_workflow.i18n.migrate import read_catalogue

ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(r"^[a-z][a-z0-9_.]*$")  # a stable key (web pages) rather than a French sentence
#: Extraction noise of the ``t`` keyword (a string that is not a message): none today.
NOT_MESSAGES: set[str] = set()


def extracted() -> dict[tuple[str, str | None], list[str]]:
    """(msgid, context) → ``file:line`` where it is used, as ``pybabel extract -F babel.cfg -k t
    -k lazy -k P_:1c,2 …`` (the Makefile's ``i18n-extract``)."""
    from babel.messages.extract import DEFAULT_KEYWORDS
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, **{k: None for k in KEYWORDS}, **KEYWORD_SPECS}
    found: dict[str, list[str]] = {}
    for filename, line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid and msgid not in NOT_MESSAGES:
            found.setdefault((msgid, context), []).append(f"{filename}:{line}")
    return found


@pytest.fixture(scope="module")
def used():
    return extracted()


def test_extraction_sees_every_kind_of_message(used):
    # web keys in templates, engine sentences, CLI help texts and docstrings, plural forms
    ids = {m for m, _context in used}
    assert "my_work" in ids and "Dossier introuvable : {reference}" in ids
    assert "Langue des messages (défaut : $MNO_LANG, sinon fr)." in ids
    assert "{n} jour de retard" in ids
    assert ("Type", "handbook.kind") in used  # a message context (P_ in a table of words)


def legacy_ids() -> set[str]:
    """Message ids still given as (fr, en) pairs in code (read first by ``t()``; ``python -m
    mno_workflow.i18n.migrate`` moves them): translated, so not missing."""
    from mno_workflow.i18n.migrate import legacy_entries
    return {msgid.partition(".")[2] if msgid.startswith(("api.", "me.", "role.")) else msgid
            for _module, msgid, _fr, _en in legacy_entries()}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_message_used_is_in_the_catalogue(used, lang):
    catalog = read_catalogue(lang)
    legacy = legacy_ids()
    missing = [f"{m!r} ({where[0]})" for (m, context), where in used.items()
               if catalog.get(m, context=context) is None and m not in legacy]
    assert missing == [], f"run make i18n-update and translate ({lang}): " + "; ".join(missing)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_entries_are_translated_without_fuzzy(lang):
    catalog = read_catalogue(lang)
    untranslated = []
    for m in catalog:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        needs = lang == "en" or KEY.match(m.id if isinstance(m.id, str) else m.id[0])
        if m.fuzzy or (needs and not all(strings)):
            untranslated.append(m.id)
    assert untranslated == []


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def placeholder_problems(catalog) -> list[tuple]:
    """Entries whose translation names a placeholder the source has not (a KeyError when shown)
    or, outside plural forms, drops one."""
    wrong = []
    for m in catalog:
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        if not ids[0] or KEY.match(ids[0]):
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        try:
            expected = set().union(*(_fields(i) for i in ids))
            for s in strings:
                if s and (_fields(s) - expected or (len(ids) == 1 and _fields(s) != expected)):
                    wrong.append((m.id, s))
        except ValueError:
            wrong.append((m.id, "not a format string"))
    return wrong


def test_translations_keep_the_placeholders():
    assert placeholder_problems(read_catalogue("en")) == []
    from babel.messages.catalog import Catalog
    bad = Catalog(locale="en")
    bad.add("Dossier introuvable : {reference}", "Case not found: {ref}")
    assert placeholder_problems(bad) == [("Dossier introuvable : {reference}", "Case not found: {ref}")]


def test_english_and_french_through_the_old_and_new_apis():
    from mno_workflow.engine.errors import Message
    from mno_workflow.web.i18n import due_words, role_label, t
    assert (t("my_work", "fr"), t("my_work", "en")) == ("Mon travail", "My work")
    assert t("no_such_key", "en") == "no_such_key"
    assert role_label("supervisor", "en") == "Supervisor" and role_label("nobody", "en") == "nobody"
    assert (due_words(-3, "fr"), due_words(-1, "en"), due_words(2, "en")) == \
        ("3 jours de retard", "1 day late", "in 2 days")
    m = Message.t("Dossier introuvable : {reference}", reference="MNR-1")
    assert (m.fr, m.en, m.text("en")) == ("Dossier introuvable : MNR-1", "Case not found: MNR-1",
                                         "Case not found: MNR-1")


def test_legacy_pairs_are_read_first(monkeypatch):
    from mno_workflow.web import i18n as web
    monkeypatch.setitem(web.TEXTS, "my_work", ("Mes dossiers", "My cases"))
    assert (web.t("my_work", "fr"), web.t("my_work", "en")) == ("Mes dossiers", "My cases")


@pytest.fixture
def with_portuguese(tmp_path, monkeypatch):
    """A copy of the catalogues plus a tiny ``pt`` one, as a country would add it."""
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale, ignore=shutil.ignore_patterns("*.mo", "*.pot"))
    (locale / "pt" / "LC_MESSAGES").mkdir(parents=True)
    (locale / "pt" / "LC_MESSAGES" / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: pt\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "my_work"\nmsgstr "O meu trabalho"\n\n'
        'msgid "Dossier introuvable : {reference}"\nmsgstr "Processo não encontrado: {reference}"\n\n'
        'msgid "{n} jour de retard"\nmsgid_plural "{n} jours de retard"\n'
        'msgstr[0] "{n} dia de atraso"\nmsgstr[1] "{n} dias de atraso"\n\n'
        'msgid "%(step_label)s %(reference)s : nouvelle tâche (%(state_label)s)"\n'
        'msgstr "%(step_label)s %(reference)s: nova tarefa (%(state_label)s)"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    monkeypatch.setenv("MNO_CACHE_DIR", str(tmp_path / "cache"))
    i18n.clear_cache()
    yield locale
    i18n.clear_cache()


def test_a_third_language_is_a_po_file(with_portuguese):
    from mno_workflow.engine.errors import Message
    from mno_workflow.web.api_models import lang_of
    from mno_workflow.web.i18n import due_words, t
    assert i18n.languages() == ("fr", "en", "pt")
    assert i18n.norm_lang("pt_BR") == "pt" and lang_of("pt-BR,pt;q=0.9") == "pt"
    assert t("my_work", "pt") == "O meu trabalho"
    assert t("cases", "pt") == "Dossiers"  # not translated yet: French, never the key
    assert Message.t("Dossier introuvable : {reference}", reference="X").text("pt") == \
        "Processo não encontrado: X"
    assert due_words(-4, "pt") == "4 dias de atraso"
    assert list((with_portuguese.parent / "cache" / "locale").glob("pt-*.mo"))  # compiled, cached
    from mno_workflow.reminders.outbox import _env  # e-mail templates: one per message, translated
    # issue 18: every e-mail carries the link of the place to act (``link``)
    ctx = {"step_label": "Accueil", "reference": "MNR-1", "state_label": "Ouvert", "link": "/dossiers/MNR-1"}
    subject = _env.get_template("task.subject.j2")
    assert subject.render(ctx, lang="pt") == "Accueil MNR-1: nova tarefa (Ouvert)"
    assert subject.render(ctx, lang="en") == "Accueil MNR-1: new task (Ouvert)"
    assert _env.get_template("task.txt.j2").render(ctx, lang="pt").startswith("Bonjour,")  # French fallback


def test_the_compiled_catalogue_follows_its_po(with_portuguese):
    po = with_portuguese / "pt" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace("O meu trabalho", "Trabalho"), encoding="utf-8")
    i18n.clear_cache()  # a new process
    assert i18n.gettext("my_work", "pt") == "Trabalho"
    assert len(list((with_portuguese.parent / "cache" / "locale").glob("pt-*.mo"))) == 1


def test_a_template_still_written_per_language_is_found(tmp_path):
    from mno_workflow.reminders.templating import message_templates
    for lang, text in (("fr", "Bonjour {{ x }}"), ("en", "Hello {{ x }}")):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "old.txt.j2").write_text(text, encoding="utf-8")
    (tmp_path / "one.txt.j2").write_text("{% trans %}Dossier clos.{% endtrans %}", encoding="utf-8")
    env = message_templates(tmp_path)
    assert [env.get_template(f"{lang}/old.txt.j2").render(x=1) for lang in ("fr", "en", "pt")] == \
        ["Bonjour 1", "Hello 1", "Bonjour 1"]
    assert [env.get_template(f"{lang}/one.txt.j2").render() for lang in ("fr", "en")] == \
        ["Dossier clos.", "Case closed."]
