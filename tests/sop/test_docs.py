"""docs/sop-language.md is executed: its YAML examples load (or fail with the announced code).

Markers on the line before a ```yaml block: ``<!-- sop -->`` a complete SOP that loads without
error (the first one is the base of the others and lints clean); ``<!-- sop-part -->`` top-level
keys deep-merged into that base (mappings merge, lists replace) that load without error;
``<!-- invalid: CODE -->`` the same merge must be rejected with ``CODE``; ``<!-- warning: CODE -->``
the same merge loads and the linter reports the warning ``CODE`` (so ``--strict`` fails).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.lint import CODES, lint
from mno_workflow.sop.loader import load_text, parse_yaml

DOC = Path(__file__).resolve().parents[2] / "docs" / "sop-language.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCK_RE = re.compile(r"^<!-- (sop|sop-part|invalid: (E\d{3})|warning: (W\d{3})) -->\n```yaml\n(.*?)^```",
                      re.M | re.S)
BLOCKS = [(m[1].split(":")[0], m[2] or m[3], m[4], TEXT.count("\n", 0, m.start()) + 3)
          for m in BLOCK_RE.finditer(TEXT)]
BASE_TEXT = next(body for kind, _, body, _ in BLOCKS if kind == "sop")


def merge(base: dict, part: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in part.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def document(body: str, line: int) -> str:
    part, _ = parse_yaml(body, f"{DOC.name}:{line}")
    if "sop" in part:
        return body
    base, _ = parse_yaml(BASE_TEXT, "base")
    return json.dumps(merge(base, part), ensure_ascii=False, indent=1)


def test_doc_has_examples_of_each_kind() -> None:
    kinds = [k for k, *_ in BLOCKS]
    assert kinds.count("sop") >= 1 and kinds.count("sop-part") >= 10 and kinds.count("invalid") >= 8
    # every ```yaml block is marked, so none escapes the test
    assert TEXT.count("```yaml") == len(BLOCKS)


def test_base_example_lints_clean() -> None:
    """Clean but for W117 and W119, which § 1 says right after the example (no
    ``data_protection``: the provider keeps the data after a decline; tryout 7, J10 — only the
    provider answers: an off-platform provider's answer cannot be recorded; tryout 8, K12)."""
    assert [d.code for d in lint(load_text(BASE_TEXT, "base.yaml"))] == ["W117", "W119"]
    assert "(W117)" in TEXT.split("## 2.", 1)[0] and "(W119," in TEXT.split("## 2.", 1)[0]


@pytest.mark.parametrize("kind, code, body, line", BLOCKS, ids=[f"{b[0]}-line{b[3]}" for b in BLOCKS])
def test_doc_example(kind: str, code: str | None, body: str, line: int) -> None:
    text = document(body, line)
    if kind == "invalid":
        with pytest.raises(SOPError) as info:
            load_text(text, f"{DOC.name}:{line}")
        assert code in {d.code for d in info.value.diagnostics}, [d.format() for d in info.value.diagnostics]
    elif kind == "warning":
        diags = lint(load_text(text, f"{DOC.name}:{line}"))
        assert code in {d.code for d in diags if d.severity == "warning"}, [d.format() for d in diags]
    else:
        loaded = load_text(text, f"{DOC.name}:{line}")
        assert [d for d in lint(loaded) if d.severity == "error"] == []


def test_every_code_is_in_the_doc_table() -> None:
    for code in CODES:
        assert re.search(rf"^\| {code} \|", TEXT, re.M), f"{code} missing from the lint codes table"
    rows = set(re.findall(r"^\| ([EW]\d{3}) \|", TEXT, re.M))
    assert rows == set(CODES)
