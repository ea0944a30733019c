"""The narrative part of an SOP: the chapters, glossary and text blocks a steering committee edits.

An SOP is also *the* SOP document: context, objectives, legal framework, scope and target
groups, guiding principles, institutional roles, coordination, complaints mechanism, annexes.
These chapters are Markdown, per language, under ``narrative:`` in the SOP file or in a file it
``imports`` (e.g. ``sops/burkina_faso/narrative.yaml``). ``blocks`` are short texts the leaflets,
the pocket guide and the consent sheet use (e.g. ``returnee_rights``, ``complaints``,
``consent_information``); ``glossary`` replaces any glossary written in code. The handbook and
``mno publish`` assemble these with the chapters generated from the model.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

IDENT_RE = r"^[a-z][a-z0-9_]*$"
_Ident = Annotated[str, Field(pattern=IDENT_RE, max_length=64)]
_Label = dict[str, str]

__all__ = ["Chapter", "GlossaryEntry", "Narrative"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Chapter(_Strict):
    """One chapter of the SOP document: ``title`` and Markdown ``text`` per language. ``annex``:
    printed after the generated chapters, among the annexes. ``place``: ``before`` (default) or
    ``after`` the generated chapters (steps, data protection)."""

    id: _Ident
    title: _Label
    text: _Label
    annex: bool = False
    place: str = Field(default="before", pattern=r"^(before|after)$")


class GlossaryEntry(_Strict):
    """A term in each language (``term``) and, optionally, its definition per language."""

    term: _Label
    definition: _Label | None = None


class Narrative(_Strict):
    """Chapters (in order), the glossary, and named text blocks (Markdown per language)."""

    chapters: list[Chapter] = []
    glossary: list[GlossaryEntry] = []
    blocks: dict[_Ident, _Label] = {}
