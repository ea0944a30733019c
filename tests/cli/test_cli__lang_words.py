"""The command line speaks the ``--lang`` language: commands whose messages were French f-strings
(``mno db``, ``sop load``, ``backup``, ``init``, ``user …`` and its tokens) run on a real SQLite
file in English, then in French; the English output holds no French word and the French output
no English one."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.store import migrate

from ..conftest import ROOT

BF = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
#: What gives French away: its accented letters and guillemets, and its small words.
FRENCH = re.compile(r"[éèêàùçôî«»]|\b(le|la|les|du|des|de|est|et|ou|jamais|Base|Jeton|Compte|Sauvegarde|"
                    r"Dossier|POS|chargée|vide|dernière|octets|Ensuite)\b")
ENGLISH = re.compile(r"\b(the|is|was|and|or|never|Database|Token|Account|Backup|SOP|loaded|empty|"
                     r"latest|bytes|Next|expires|written|revoked)\b")
DAY = r"\d{2}/\d{2}/\d{4}"


def _mno(*args: str, input: str | None = None):
    r = CliRunner().invoke(app, list(args), input=input)
    assert "Traceback" not in r.output, r.output
    return r


def _session(tmp_path, lang: str) -> list[tuple[str, str]]:
    """Run the commands in ``lang`` on a new SQLite file; ``(command, output)`` of each."""
    url = f"sqlite:///{tmp_path / 'mno.db'}"
    said: list[tuple[str, str]] = []

    def run(*args: str, code: int = 0, input: str | None = None) -> str:
        r = _mno("--db", url, "--lang", lang, *args, input=input)
        assert r.exit_code == code, (args, r.output)
        said.append((" ".join(args), r.output))
        return r.output

    run("db", "upgrade")
    run("db", "current")
    run("sop", "load", str(BF))
    run("user", "add", "awa", "--role", "caseworker", "--name", "Awa Ouédraogo", "--password-stdin",
        input="un mot de passe assez long\n")
    run("user", "add", "bob", "--role", "caseworker", "--name", "Bob", "--password-stdin", code=1,
        input="court\n")
    issued = run("user", "issue-token", "awa")
    token_id = re.search(r"\b(\d+)\b", issued).group(1)
    run("user", "tokens")
    run("user", "revoke-token", token_id)
    run("user", "revoke-token", code=2)
    run("user", "deactivate", "awa")
    run("user", "issue-token", "awa", code=1)
    run("user", "activate", "awa")
    run("backup", str(tmp_path / "copy.db"))
    run("backup", str(tmp_path / "copy.db"), code=1)
    run("init", str(tmp_path / "work"))
    run("init", str(tmp_path / "work"), code=1)
    return said


def test_the_commands_speak_english_with_lang_en(tmp_path):
    said = _session(tmp_path, "en")
    for command, output in said:
        assert not FRENCH.search(output.replace("Ouédraogo", "")), (command, output)
    text = "\n".join(output for _c, output in said)
    head = migrate.head()
    for expected in (f"Database upgraded: empty → {head}.", f"{head} (latest: {head}) — up to date",
                     "SOP mnr_bf version", "loaded.", "Password too short: at least 10 characters.",
                     "Account awa (Case manager) saved.", "Token", "revoked.",
                     "Give a token number or --all-of USER.",
                     "Deactivated account: awa", "Account awa re-activated.", "integrity checked",
                     "already exists: choose another name", "Working folder created:", "Next: cd ",
                     "is not empty: choose another folder or add --force"):
        assert expected in text, (expected, text)
    assert re.search(rf"Token \d+ \(read, expires on {DAY}\): \S+", text), text
    assert re.search(rf"active\s+expires {DAY} \d\d:\d\d  last used -", text), text
    assert re.search(r"Backup written: \S+copy\.db \(\d+ bytes, integrity checked\)", text), text


def test_the_same_commands_speak_french_by_default_language(tmp_path):
    said = _session(tmp_path, "fr")
    for command, output in said:
        assert not ENGLISH.search(output), (command, output)
    text = "\n".join(output for _c, output in said)
    head = migrate.head()
    for expected in (f"Base mise à jour : vide → {head}.", f"{head} (dernière : {head}) — à jour",
                     "chargée.", "Mot de passe trop court : 10 caractères au moins.",
                     "Compte awa (Gestionnaire de cas) enregistré.",
                     "Donnez un numéro de jeton ou --all-of UTILISATEUR.", "Compte désactivé : awa",
                     "Compte awa réactivé.", "existe déjà : choisissez un autre nom",
                     "Dossier de travail créé :", "Ensuite : cd ", "n'est pas vide"):
        assert expected in text, (expected, text)
    assert re.search(rf"Jeton \d+ \(read, expire le {DAY}\) : \S+", text), text
    assert re.search(rf"actif\s+expire {DAY} \d\d:\d\d  dernier usage -", text), text
    assert re.search(r"Sauvegarde écrite : \S+copy\.db \(\d+ octets, intégrité vérifiée\)", text), text
