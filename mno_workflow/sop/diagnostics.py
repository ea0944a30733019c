"""Diagnostics reported on SOP files: position, severity, stable code, message and fix hint."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


class Said(str):
    """A diagnostic message written in English (the text SOP authors have always read), which also
    keeps its message id and values, so that ``mno validate`` prints it in the reader's language
    from the catalogues (``said("state {state!r} cannot be reached", state=st)``; French in
    ``fr/…/messages.po``). As a ``str`` it is the English text: code and tests comparing messages
    are unchanged."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Said:
        shown = {k: _shown(v, cls.source) for k, v in params.items()}
        obj = super().__new__(cls, msgid.format(**shown) if params else msgid)
        obj.msgid, obj.params = msgid, params
        return obj

    source = "en"  #: the language of ``msgid`` (and of ``str(self)``)

    def text(self, lang: str | None = None) -> str:
        """The message in ``lang`` (the source text when ``lang`` is the source, None or not
        translated); values that are messages themselves (``said(…)`` in ``said(…)``) too."""
        if not lang or lang == self.source:
            return str(self)
        from ..i18n import texts
        found = texts(lang).get(self.msgid, self.msgid)
        if not self.params:
            return found
        return found.format(**{k: _shown(v, lang) for k, v in self.params.items()})


class SaidFr(Said):
    """A diagnostic message written in French (scenario files of ``mno test``), with its message
    id and values: English and other languages from the catalogues (``said_fr("état inconnu
    « {state} »", state=st)``; as a ``str`` it is the French text)."""

    source = "fr"


said = Said  # the keyword pybabel extracts (make i18n-extract: -k said)
said_fr = SaidFr  # the same for French source text (-k said_fr)


class SopWords(str):
    """An SOP's own words (a ``{fr: …, en: …}`` label of the YAML, e.g. a ``lint:`` reason) as a
    ``str`` (the French text, else the first; JSON output keeps it) that :meth:`text` shows in
    the reader's language (French when the SOP has none in it)."""

    label: dict[str, str]

    def __new__(cls, label: Any) -> SopWords:
        label = dict(label) if isinstance(label, dict) else {"fr": str(label)}
        obj = super().__new__(cls, label.get("fr") or next(iter(label.values()), ""))
        obj.label = label
        return obj

    def text(self, lang: str | None = None) -> str:
        return self.label.get(lang or "fr") or str(self)


def sop_words(label: Any) -> SopWords:
    """:class:`SopWords` of an SOP label (or of a plain text, the same in every language)."""
    return SopWords(label)


def _shown(value: Any, lang: str | None) -> Any:
    """A message's value as shown in ``lang``: a message (:class:`Said`, an engine ``Message``:
    anything with ``.text(lang)``) in that language, anything else as it is."""
    if isinstance(value, Said | SopWords):
        return value.text(lang)
    if not isinstance(value, str) and callable(getattr(value, "text", None)):
        return value.text(lang or "fr")
    return value


def text_in(value: Any, lang: str | None) -> str:
    """``value`` in ``lang`` when it is a message (see :func:`_shown`), else ``str(value)``."""
    return str(_shown(value, lang))


def joined(parts: list[Any], sep: str = "; ", cls: type[Said] = SaidFr) -> Said:
    """``parts`` (messages or text) joined with ``sep``, each shown in the reader's language."""
    return cls(sep.join(f"{{p{i}}}" for i in range(len(parts))), **{f"p{i}": p for i, p in enumerate(parts)})


def severity_word(severity: str, lang: str | None) -> str:
    """The severity key (``error``, ``warning``, ``info``) as a word of ``lang`` from the
    catalogues (« erreur », « avertissement », « info »); the key itself without ``lang``."""
    if not lang:
        return severity
    from ..i18n import pgettext
    if severity == "error":
        return pgettext("severity", "erreur", lang)
    if severity == "warning":
        return pgettext("severity", "avertissement", lang)
    if severity == "info":
        return pgettext("severity", "info", lang)
    return severity


@dataclass(frozen=True)
class Diagnostic:
    """One problem in an SOP file. ``line`` and ``col`` are 1-based."""

    path: str
    line: int
    col: int
    severity: str  # "error" | "warning"
    code: str
    message: str
    hint: str = ""
    justified: str = ""  # the SOP's reason when it accepts this warning (``lint: {allow, reason}``)

    def format(self, lang: str | None = None) -> str:
        """``path:line:col: severity CODE message (hint: …)``; with ``lang`` (``mno validate
        --lang``) the severity word (« erreur », "error") and the message when it was written with
        :func:`said` are in that language; without, the severity is the English key and the
        message as written. ``--format json`` keeps ``severity`` as its English key."""
        message = text_in(self.message, lang)
        severity = severity_word(self.severity, lang)
        text = f"{self.path}:{self.line}:{self.col}: {severity} {self.code} {message}"
        if self.justified:
            return text_in(said("{line} (justified: {reason})", line=text, reason=self.justified), lang)
        return text_in(said("{line} (hint: {hint})", line=text, hint=self.hint), lang) if self.hint else text

    def as_dict(self) -> dict:
        return asdict(self)


class SOPError(Exception):
    """Raised when an SOP cannot be loaded; ``diagnostics`` lists every error found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics))
