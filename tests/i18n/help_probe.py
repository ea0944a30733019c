"""Run ``mno … --help`` for every command and sub-command in one process; print JSON
``{"command args": output}`` (used by test_i18n__cli_help.py in a subprocess: the help's words
are patched process-wide by ``mno``'s entry point, never inside the test process)."""

from __future__ import annotations

import contextlib
import io
import json
import sys


def helps(lang: str) -> dict[str, str]:
    import typer

    from mno_workflow.cli import COMMANDS, _load, main
    out: dict[str, str] = {}

    def run(args: list[str]) -> None:
        sys.argv = ["mno", *args, "--help"] + (["--lang", lang] if lang != "fr" else [])
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), contextlib.suppress(SystemExit):
            main()
        out[" ".join(args)] = buf.getvalue()

    run([])
    for name in COMMANDS:
        run([name])
        cmd = _load(name)
        for sub in sorted(getattr(cmd, "commands", {}) or {}):
            run([name, sub])
            inner = cmd.commands[sub]
            for leaf in sorted(getattr(inner, "commands", {}) or {}):
                run([name, sub, leaf])
    del typer
    return out


if __name__ == "__main__":
    print(json.dumps(helps(sys.argv[1]), ensure_ascii=False))
