"""The SOP narrative for documents: where it comes from, and its Markdown as safe HTML.

The narrative (:class:`~mno_workflow.sop.narrative.Narrative`) is taken from the SOP itself:
``narrative:`` inline, or the files it lists (``narrative: [narrative.yaml]``, paths relative to
the SOP file, read with the SOP by the loader: for a stored version, the texts stored with it,
never the disk — :mod:`mno_workflow.sop.listed_narrative`), or through ``imports``. A version
registered before narrative files were stored has none: its documents take the SOP folder's
current files under a visible warning chapter (:data:`UNSTORED_CHAPTER`) saying so. Else —
deprecated fallback, warned about by ``mno validate`` and ``mno publish`` (W127) — from the
companion file ``narrative.yaml`` found beside the SOP file by its name, else — for an SOP
loaded from the database — from the shipped SOP folder
whose YAML declares the same ``sop:`` id. A companion file has the same shape as an importable
file (one top-level ``narrative:`` key), so an SOP can later import it instead. Markdown is
rendered with markdown-it-py with raw HTML disabled: author text cannot inject markup.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

from mno_workflow.i18n import gettext
from mno_workflow.sop.listed_narrative import listed, merge_narratives, unstored
from mno_workflow.sop.narrative import Chapter, Narrative
from mno_workflow.sop.schema import SOP

__all__ = ["COMPANION", "UNSTORED_CHAPTER", "find_narrative", "merge_narratives", "narrative_files",
           "load_narrative_file",
           "markdown_html", "block", "plain_text"]

COMPANION = "narrative.yaml"


class NarrativeError(ValueError):
    """A narrative file that cannot be read or does not match the narrative schema (file and reason)."""


def load_narrative_file(path: str | Path) -> Narrative:
    """Read a ``narrative.yaml`` file (one top-level ``narrative:`` key). Raises :class:`NarrativeError`."""
    from pydantic import ValidationError
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    p = Path(path)
    try:
        data = YAML(typ="safe").load(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError) as e:
        raise NarrativeError(f"{p}: " + gettext("lecture impossible : {error}", error=e)) from None
    if not isinstance(data, dict) or set(data) != {"narrative"}:
        raise NarrativeError(f"{p}: " + gettext("une seule clé « narrative » attendue"))
    try:
        return Narrative.model_validate(data["narrative"])
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise NarrativeError(f"{p}: narrative.{where}: {first['msg']}") from None


@lru_cache(maxsize=16)
def _shipped(sop_id: str) -> Path | None:
    path = shipped_sop_path(sop_id)
    companion = path.parent / COMPANION if path else None
    return companion if companion and companion.exists() else None


def narrative_files(sop: SOP, sop_path: str | Path | None = None) -> list[Path]:
    """The files of a ``narrative: [file, …]`` list, relative to ``sop_path`` (else to the shipped
    SOP folder of the same ``sop:`` id); ``[]`` when the SOP lists none."""
    if not isinstance(sop.narrative, list):
        return []
    base = Path(sop_path).resolve().parent if sop_path is not None else None
    if base is None:
        shipped = shipped_sop_path(sop.sop)
        base = shipped.parent if shipped else Path.cwd()
    return [base / name for name in sop.narrative]


def find_narrative(sop: SOP, sop_path: str | Path | None = None) -> Narrative:
    """The narrative of ``sop`` (see the module docstring); an empty one when there is none.

    Raises :class:`NarrativeError` for a listed narrative file that is missing or invalid (only
    for a model not built by the loader, or an old version's files read from the folder: the
    loader refuses an SOP whose listed files are missing or invalid, E037 and E043)."""
    if isinstance(sop.narrative, list):
        kept = listed(sop)
        if kept is not None:  # read with the SOP: a stored version's stored texts
            return kept
        read = merge_narratives([load_narrative_file(p) for p in narrative_files(sop, sop_path)])
        if unstored(sop):
            return read.model_copy(update={"chapters": [unstored_chapter(sop), *read.chapters]})
        return read
    if sop.narrative is not None:
        return sop.narrative
    if sop_path is not None:
        companion = Path(sop_path).resolve().parent / COMPANION
        if companion.exists():
            return load_narrative_file(companion)
    shipped = _shipped(sop.sop)
    if shipped is not None:
        return load_narrative_file(shipped)
    return Narrative()


UNSTORED_CHAPTER = "narrative_not_stored"


def unstored_chapter(sop: SOP) -> Chapter:
    """The warning chapter opening the narrative of a version registered without its narrative
    files (see the module docstring), in French and English."""
    from mno_workflow.i18n import gettext as _

    names = ", ".join(unstored(sop))

    def title(lang: str) -> str:
        return _("Avertissement : récit non enregistré avec cette version", lang)

    def text(lang: str) -> str:
        return "**" + _("Le récit ({files}) n'a pas été enregistré avec la version {version} de cette "
                        "POS (enregistrée avant que les fichiers de récit le soient). Ce texte est celui "
                        "du dossier de la POS aujourd'hui : il peut différer du texte publié. Enregistrez "
                        "de nouveau la POS (« mno sop load ») pour conserver le récit avec cette version.",
                        lang, files=names, version=sop.version) + "**"

    return Chapter(id=UNSTORED_CHAPTER, title={g: title(g) for g in ("fr", "en")},
                   text={g: text(g) for g in ("fr", "en")})


@lru_cache(maxsize=1)
def _md():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def markdown_html(text: str) -> Markup:
    """Markdown (CommonMark, raw HTML disabled) as HTML markup."""
    return Markup(_md().render(text or ""))


def plain_text(text: str) -> str:
    """Markdown without its marks, for checks and plain-text places (``**a**`` → ``a``)."""
    text = re.sub(r"[*_`#>]+", "", text or "")
    return re.sub(r"^\s*[-+]\s+", "", text, flags=re.M)


def block(sop: SOP, narrative: Narrative, name: str, lang: str) -> str:
    """The text block ``name`` in ``lang`` ('' when the narrative has none)."""
    return sop.label(narrative.blocks.get(name), lang) if name in narrative.blocks else ""


def shipped_sop_path(sop_id: str) -> Path | None:
    """The YAML file of the shipped SOP whose ``sop:`` is ``sop_id`` (for its scenarios and
    directory folder when the SOP comes from the database), or None."""
    from mno_workflow.resources import sops_dir

    pattern = re.compile(rf"^sop:\s*{re.escape(sop_id)}\s*$", re.M)
    root = sops_dir()
    for yaml_file in sorted(root.glob("*/*.yaml")) if root.exists() else []:
        if yaml_file.name == COMPANION:
            continue
        try:
            if pattern.search(yaml_file.read_text(encoding="utf-8")[:4000]):
                return yaml_file
        except OSError:
            continue
    return None
