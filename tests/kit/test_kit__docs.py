"""The example of docs/scenarios.md runs and passes (the documentation cannot drift)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from mno_workflow.kit.runner import run

ROOT = Path(__file__).resolve().parents[2]


def test_documented_example_passes(tmp_path):
    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    example = re.search(r"<!-- scenario-example -->\n```yaml\n(.*?)```", doc, re.S).group(1)
    (tmp_path / "scenarios").mkdir()
    shutil.copy(ROOT / "sops" / "burkina_faso" / "mnr.yaml", tmp_path / "mnr.yaml")
    (tmp_path / "scenarios" / "exemple.yaml").write_text(example, encoding="utf-8")
    result = run([tmp_path])
    assert [s.name for s in result.scenarios] == ["Référencement urgent sans réponse, escalade"]
    assert result.ok, [f.format() for s in result.scenarios for f in s.failures]
