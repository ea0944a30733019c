"""``mno validate``: check SOP files and folders (one ``path:line:col: severity CODE message`` per
problem, or JSON); exit code 1 when an SOP has an error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .common import FormatOption, _, fail, lang, ngettext


def validate(paths: Annotated[list[Path], typer.Argument(help="Fichiers ou dossiers de POS (YAML).")],
             fmt: FormatOption = "text",
             strict: Annotated[bool, typer.Option(help="Les avertissements deviennent des erreurs.")] = False,
             simulate: Annotated[bool, typer.Option(
                 help="Évalue aussi la POS sur des dossiers d'exemple générés (délais, conditions, "
                      "déclencheurs automatiques).")] = False,
             ) -> None:
    """Vérifier des POS : une ligne « chemin:ligne:col: gravité CODE message » par problème ;
    code 1 en cas d'erreur.

    Check SOP files."""
    from ..sop.diagnostics import SOPError
    from ..sop.lint import lint
    from ..sop.loader import load_file
    files: list[Path] = []
    imported: dict[Path, Path] = {}
    failed_translations: list[str] = []
    for p in paths:
        if _is_dir(p):  # every SOP under the folder (scenario and data files are not SOPs)
            found = [f for f in sorted(p.rglob("*.y*ml")) if _looks_like_sop(f)]
            for f in [f for f in found if _is_dhis2_mapping(f)]:
                found.remove(f)
                if fmt != "json":
                    typer.echo(f"{f}: "
                               + _("correspondance DHIS2, vérifiée par « mno export dhis2 --mapping »"))
            for f in [f for f in found if f.name.startswith("translations.")]:  # directory text (issue 19)
                found.remove(f)
                from ..render.directory_data import read_translations
                try:
                    n = len(read_translations(f.parent, f.name.split(".")[1]))
                    if fmt != "json":
                        typer.echo(f"{f}: " + _("traductions du répertoire ({n})", n=n))
                except Exception as e:  # noqa: BLE001 - any unreadable file is reported, not raised
                    failed_translations.append(_unreadable(f, e).format(lang()))
            imported.update(imported_by(found))  # shared options/forms: checked with their SOP
            files += [f for f in found if f.resolve() not in imported]
        else:
            files.append(p)
    results, failed = [], bool(failed_translations)
    for line in failed_translations:
        typer.echo(line)
    for part, owner in sorted(imported.items()):
        if fmt != "json":
            typer.echo(f"{part}: " + _("importé par {owner} (vérifié avec elle)", owner=owner))
    narratives = [f for f in files if f.name == "narrative.yaml"]  # companion text of an SOP (issue 19)
    files = [f for f in files if f not in narratives]
    for f in narratives:
        from ..sop.listed_narrative import narrative_file_diagnostics
        found_problems = narrative_file_diagnostics(f)  # E046 at file:line:col, in the --lang language
        failed |= bool(found_problems)
        results.append({"path": str(f), "valid": not found_problems,
                        "diagnostics": [d.as_dict() for d in found_problems]})
        if fmt != "json":
            for d in found_problems:
                typer.echo(d.format(lang()))
            if not found_problems:
                typer.echo(_("Récit valide : {path}", path=f))
    for f in files:
        try:
            loaded = load_file(f)
            diags = lint(loaded)
            from ..kit.titles import title_warnings_beside  # scenarios beside it: titles per language
            diags += title_warnings_beside(f, loaded.model, lang())  # in lang(), --format json too
            if simulate:
                from ..kit.simulate import simulate as run_simulation
                diags = sorted(diags + run_simulation(loaded), key=lambda d: (d.line, d.col, d.code))
        except SOPError as e:
            diags = e.diagnostics
        if strict:
            diags = [d if d.justified else d.__class__(**{**d.as_dict(), "severity": "error"})
                     for d in diags]  # a warning the SOP accepts with a reason stays info
        failed |= any(d.severity == "error" for d in diags)
        results.append({"path": str(f), "valid": not any(d.severity == "error" for d in diags),
                        "diagnostics": [d.as_dict() for d in diags]})
        if fmt != "json":
            for d in diags:
                typer.echo(d.format(lang()))  # messages written with said() in the --lang language
            typer.echo(summary(f, diags))
    if fmt == "json":
        typer.echo(json.dumps(results, ensure_ascii=False, indent=2))
    if not files and not narratives:
        fail(_("Aucun fichier de POS trouvé."))
    raise typer.Exit(1 if failed else 0)


def _is_dir(path: Path) -> bool:
    """``path`` is a folder (False when it cannot even be looked at, a name too long for the
    file system: then reading it says why, in words)."""
    try:
        return path.is_dir()
    except OSError:
        return False


def _unreadable(path: Path, e: Exception):
    """The diagnostic of a directory translations file that cannot be read: E000 with the reason in
    catalogue words (not found, permission, not UTF-8…), else E001 with the YAML reader's message."""
    from ..sop.diagnostics import Diagnostic
    if isinstance(e, OSError | UnicodeDecodeError):
        from ..i18n.files import file_error
        return Diagnostic(str(path), 1, 1, "error", "E000", file_error(path, e))
    from ruamel.yaml.error import MarkedYAMLError

    from ..sop.diagnostics import said
    from ..sop.yaml_words import problem_words
    if isinstance(e, MarkedYAMLError):  # ruamel's English in words, at its line and column
        mark = e.problem_mark or e.context_mark
        if e.context_mark is not None and any(end in (e.problem or "") for end in ("stream end",
                                                                                 "end of stream")):
            mark = e.context_mark  # an unclosed bracket or quote: where it opens
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return Diagnostic(str(path), line, col, "error", "E001", said(
            "YAML syntax error: {problem}", problem=problem_words(e.problem or e.context or "")))
    return Diagnostic(str(path), 1, 1, "error", "E001", said("YAML nested too deeply")
                      if isinstance(e, RecursionError) else said(
                          "translations: expected each French text followed by its translation"))


def summary(path: Path, diags: list) -> str:
    """The last line for one SOP file, in the ``--lang`` language: « POS valide : {path} — 2
    avertissements, 11 justifiés » or « POS invalide : {path} — 1 erreur »."""
    from ..i18n import listed
    count = {s: sum(d.severity == s for d in diags) for s in ("error", "warning", "info")}
    if count["error"]:
        return _("POS invalide : {path} — {counts}", path=path,
                 counts=ngettext("{n} erreur", "{n} erreurs", count["error"]))
    parts = []
    if count["warning"]:
        parts.append(ngettext("{n} avertissement", "{n} avertissements", count["warning"]))
    if count["info"]:
        parts.append(ngettext("{n} remarque justifiée", "{n} remarques justifiées", count["info"]))
    return _("POS valide : {path} — {counts}", path=path,
             counts=listed(parts, lang()) if parts else _("aucun problème"))


def imported_by(files: list[Path]) -> dict[Path, Path]:
    """``{imported file (resolved): the SOP importing it}`` for the ``imports:`` of ``files``,
    nested imports included (sop/imports.py)."""
    from ..sop.imports import closure
    out: dict[Path, Path] = {}
    for f in files:
        for imported in closure(f):
            out.setdefault(imported, f)
    return out


def _is_dhis2_mapping(path: Path) -> bool:
    """A DHIS2 mapping file (``mno export dhis2 --mapping``) has top-level ``data_elements:``."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:20000]
    except OSError:
        return False
    return any(line.startswith("data_elements:") for line in head.splitlines())


def _looks_like_sop(path: Path) -> bool:
    """In a folder, every YAML file is checked except scenario files (``mno test`` reads those)."""
    if "scenarios" in path.parts:
        return False
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:20000]
    except OSError:
        return True
    return not any(line.startswith("scenario:") for line in head.splitlines())
