"""The built wheel works outside the checkout (issue 17): built from this tree, installed in a fresh
virtualenv in a temporary folder, then ``mno demo``, ``mno validate`` of the shipped SOP,
``mno serve --demo`` (one page fetched on loopback, then stopped), ``mno handbook``, ``mno init``.

Every file the installed application opens is recorded with an audit hook (``sitecustomize``) and
none may come from the checkout: data, templates, static files and migrations are read from the
installed package. The fresh virtualenv sees this test environment's dependencies through a
``.pth`` line (no download: tests use loopback only); ``mno_workflow`` itself comes only from the
wheel. Marked ``wheel``: ``pytest -m wheel`` runs it alone (about a minute).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.wheel

SITECUSTOMIZE = """
import os, sys
_log = os.environ.get("MNO_OPEN_LOG")
if _log:
    _f = open(_log, "a", encoding="utf-8")
    def _hook(event, args):
        if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            p = os.fsdecode(args[0])
            if not p.startswith("/proc") and not p.startswith("/dev"):
                _f.write(os.path.abspath(p) + "\\n"); _f.flush()
    sys.addaudithook(_hook)
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin folder, working folder, site-packages, open log) of a fresh virtualenv with the wheel."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    # built from a copy of what the Dockerfile copies too (no stale build/ of the checkout)
    src = base / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    for name in ("mno_workflow", "sops"):
        shutil.copytree(ROOT / name, src / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(dist), str(src)], check=True, cwd=base, timeout=300)
    wheel = next(dist.glob("mno_workflow-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("mno_workflow/_data/sops/burkina_faso/mnr.yaml",
                   "mno_workflow/_data/sops/burkina_faso/directory/organization.csv",
                   "mno_workflow/_data/sops/burkina_faso/examples/consent.json",
                   "mno_workflow/web/templates/base.html", "mno_workflow/web/static/htmx.min.js",
                   "mno_workflow/store/alembic.ini", "mno_workflow/store/migrations/env.py"):
        assert needed in names, needed
    assert any(n.startswith("mno_workflow/_data/sops/burkina_faso/scenarios/") for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    bin_dir = env_dir / "bin"
    probe = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(subprocess.run([bin_dir / "python", "-c", probe], capture_output=True, text=True,
                               check=True).stdout.strip())
    # this environment's third-party packages, without its editable mno_workflow (a .pth line adds
    # a path; it does not run the .pth files found there, so the editable finder stays out)
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--target", str(site), str(wheel)], check=True, timeout=300)
    (bin_dir / "mno").write_text(f"#!{bin_dir / 'python'}\nfrom mno_workflow.cli import main\nmain()\n")
    (bin_dir / "mno").chmod(0o755)
    work = base / "work"
    work.mkdir()
    return bin_dir, work, site, base / "opened.log"


def run(installed, *args, timeout=240):
    bin_dir, work, _site, log = installed
    env = {k: v for k, v in os.environ.items() if not k.startswith("MNO_") and k != "PYTHONPATH"}
    env["MNO_OPEN_LOG"] = str(log)
    r = subprocess.run([str(bin_dir / "mno"), *args], cwd=work, env=env, capture_output=True, text=True,
                       timeout=timeout)
    assert "Traceback" not in r.stderr, r.stderr
    return r


def test_installed_package_is_the_wheel(installed):
    bin_dir, work, site, _log = installed
    out = subprocess.run([bin_dir / "python", "-c", "import mno_workflow, mno_workflow.resources as r;"
                          "print(mno_workflow.__file__); print(r.bf_sop())"],
                         capture_output=True, text=True, check=True, cwd=work).stdout.split()
    assert all(p.startswith(str(site)) for p in out), out


def test_demo_validate_handbook_init_schema(installed):
    _bin, work, site, _log = installed
    r = run(installed, "demo")
    assert r.returncode == 0, r.stderr
    assert "Dossier clos" in r.stdout
    assert (work / "data" / "mno.db").is_file()
    assert (work / "data").stat().st_mode & 0o777 == 0o700
    assert (work / "data" / "mno.db").stat().st_mode & 0o777 == 0o600
    sop = site / "mno_workflow" / "_data" / "sops" / "burkina_faso" / "mnr.yaml"
    r = run(installed, "validate", str(sop))
    assert r.returncode == 0, r.stdout + r.stderr
    r = run(installed, "test", str(sop.parent))
    assert r.returncode == 0, r.stdout + r.stderr
    r = run(installed, "handbook", str(sop), "-o", "handbook")
    assert r.returncode == 0, r.stderr
    html = (work / "handbook" / "mnr_bf" / "fr" / "handbook.html").read_text()
    assert "<svg" in html
    r = run(installed, "schema")
    assert r.returncode == 0 and json.loads(r.stdout)["$schema"].startswith("https://json-schema.org")
    r = run(installed, "init", "site-office")
    assert r.returncode == 0, r.stderr
    assert (work / "site-office" / "sops" / "burkina_faso" / "mnr.yaml").read_bytes() == sop.read_bytes()
    assert (work / "site-office" / "mno.toml").is_file()


def test_serve_demo_answers_on_loopback(installed):
    bin_dir, work, _site, log = installed
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MNO_")}
    env |= {"MNO_OPEN_LOG": str(log), "MNO_DATA_DIR": str(work / "serve-data")}
    proc = subprocess.Popen([str(bin_dir / "mno"), "serve", "--demo", "--port", str(port)], cwd=work,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body, deadline = None, time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as resp:
                    body = resp.read().decode()
                    assert resp.status == 200
                break
            except OSError:
                time.sleep(0.5)
        assert body is not None, proc.stdout.read() if proc.poll() is not None else "no answer"
        assert "<form" in body and "/static/" in body
        assert "Code source</a>" in body and "AGPL-3.0-or-later" in body  # AGPL § 13 footer
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/app.css", timeout=5) as resp:
            assert resp.status == 200
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_nothing_is_read_from_the_checkout(installed):
    """Run last in this module: every file opened by the runs above is outside the checkout, except
    third-party packages of the test environment (its ``.venv``)."""
    _bin, _work, site, log = installed
    opened = set(log.read_text().splitlines())
    assert any(p.startswith(str(site / "mno_workflow" / "_data")) for p in opened)  # the hook works
    venv_dir = str(ROOT / ".venv") + os.sep
    from_checkout = sorted(p for p in opened
                           if p.startswith(str(ROOT) + os.sep) and not p.startswith(venv_dir))
    assert from_checkout == []
    mno_files = sorted(p for p in opened if "/mno_workflow/" in p and not p.startswith(str(site)))
    assert mno_files == []
