"""W118: a consent override recorded without the override form — no reason, no legal basis, and
covering every category for every recipient (tryout 8, K8: an SOP written from the docs had an
``override`` transition with no form). At the transition, in French and English; the BF SOP,
whose override fills ``consent_override``, has none."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.sop.lint import lint
from mno_workflow.sop.loader import load_text

from ..conftest import BF_SOP

BF = BF_SOP.read_text(encoding="utf-8")
FORMLESS = BF.replace("        by: [supervisor]\n        form: consent_override\n",
                      "        by: [supervisor]\n", 1)


def _line(text: str, needle: str) -> int:
    return text.split("\n").index(needle) + 1


def test_an_override_without_its_form_is_warned_at_the_transition() -> None:
    assert FORMLESS != BF
    assert "W118" not in {d.code for d in lint(load_text(BF, "mnr.yaml"))}
    [w] = [d for d in lint(load_text(FORMLESS, "mnr.yaml")) if d.code == "W118"]
    assert w.severity == "warning" and w.line == _line(FORMLESS, "      - trigger: override_consent")
    assert "'override_consent'" in w.message and "consent_override" in w.message
    assert "form: consent_override" in w.hint


def test_an_override_form_that_does_not_exist_is_said(tmp_path: Path) -> None:
    renamed = BF.replace("  override_form: consent_override", "  override_form: derogation", 1)
    assert renamed != BF
    [w] = [d for d in lint(load_text(renamed, "mnr.yaml")) if d.code == "W118"]
    assert "'derogation'" in w.message and "no such form" in w.message
    path = tmp_path / "mnr.yaml"
    path.write_text(FORMLESS, encoding="utf-8")
    (tmp_path / "narrative.yaml").write_text((BF_SOP.parent / "narrative.yaml").read_text(encoding="utf-8"),
                                             encoding="utf-8")
    fr = CliRunner().invoke(app, ["validate", str(path)])
    en = CliRunner().invoke(app, ["--lang", "en", "validate", str(path)])
    [fr_line] = [x for x in fr.output.splitlines() if " W118 " in x]
    [en_line] = [x for x in en.output.splitlines() if " W118 " in x]
    assert "avertissement W118" in fr_line and "base légale" in fr_line
    assert "warning W118" in en_line and "legal basis" in en_line


def _without_share_with() -> str:
    start = BF.index("      - id: share_with\n        type: multi\n        options: recipient_kind\n"
                     "        required: true\n        label: {fr: Destinataires (seulement")
    end = BF.index("\n\n", start)
    return BF[:start] + BF[end + 1:]


def test_an_override_form_without_recipients_is_warned_at_its_fields(tmp_path: Path) -> None:
    """Tryout 7, J4: a form without ``share_with`` makes an override cover every recipient."""
    text = _without_share_with()
    assert text != BF and "Destinataires (seulement" not in text
    [w] = [d for d in lint(load_text(text, "mnr.yaml")) if d.code == "W118"]
    form_line = text.split("\n").index("  consent_override:")
    assert w.severity == "warning" and w.line > form_line + 1
    assert "share_with" in w.message and "legal_basis" not in w.message and "every recipient" in w.message
    path = tmp_path / "mnr.yaml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "narrative.yaml").write_text((BF_SOP.parent / "narrative.yaml").read_text(encoding="utf-8"),
                                             encoding="utf-8")
    fr = CliRunner().invoke(app, ["validate", str(path)]).output
    [fr_line] = [x for x in fr.splitlines() if " W118 " in x]
    assert "share_with" in fr_line and "tous les destinataires" in fr_line and "(conseil : ajoutez" in fr_line
