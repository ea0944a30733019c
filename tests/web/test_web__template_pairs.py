"""Issue 18 (« translations in catalogues, not code »): the SOP workbench pages and the case page
take their words from the gettext catalogues — no template holds an inline ``'English' if en
else 'Français'`` pair any more —, an English page shows the English words and none of the
French ones, and a label glued to its value reads « Label: value » in English (« Label : value »
in French, the ``colon(lang)`` template helper)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from .conftest import csrf_of
from .helpers import case_with_referrals
from .workbench_helpers import author_and_version

TEMPLATES = Path(__file__).resolve().parents[2] / "mno_workflow" / "web" / "templates"
WEB = TEMPLATES.parent
HTMX = {"hx-request": "true"}  # the workbench's cards as htmx asks for them (a plain post: the whole page)
PAIR = re.compile(r"""if\s+en\s+else|if\s+lang\s*==\s*['"]en['"]"""
                  r"""|if\s+lang\s*[!=]=\s*['"](en|fr)['"]\s+else""")  # 'x' if lang != 'en' else 'y' too


def visible(page: str) -> str:
    """The page's text as a reader sees it: no tags, entities decoded, blanks collapsed."""
    text = re.sub(r"<script.*?</script>|<style.*?</style>|<textarea.*?</textarea>", " ", page, flags=re.S)
    text = re.sub(r"</?(?:a|code|strong|span|em|small|mark)\b[^>]*>", "", text)  # inline: no blank
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def test_no_template_or_web_module_holds_an_inline_language_pair():
    found = [f"{p.relative_to(WEB)}:{n}" for p in sorted(TEMPLATES.rglob("*.html"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if PAIR.search(line)]
    found += [f"{p.relative_to(WEB)}:{n}" for p in sorted(WEB.rglob("*.py"))
              for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
              if re.search(r"if\s+en\s+else", line)]
    assert found == []


def _english(text: str, english: list[str], french: list[str]) -> None:
    shown = visible(text)
    assert [w for w in english if w not in shown] == []
    assert [w for w in french if w in shown] == []


def test_workbench_and_case_pages_in_english_have_no_french_half(live, tmp_path):
    author_and_version(live, tmp_path)
    ref = case_with_referrals(live.wf)  # on 2099.1: referral:cash sent to org-masn, medical to org-csps
    c = live.client("coord.mnr")  # coordination: the workbench, the case and its correction tool
    assert c.get("/langue/en?next=/pos/atelier").status_code in (302, 303)

    home = c.get("/pos/atelier")
    csrf = csrf_of(home.text)
    r = c.post("/pos/atelier/brouillons", data={"sop_id": "mnr_bf", "csrftoken": csrf})
    number = int(r.headers["location"].rsplit("/", 1)[1])
    home = c.get("/pos/atelier").text
    _english(home, ["SOP workbench", "Published versions", "Loaded", "Open cases",
                    "New draft from the published version of", "New draft", "Drafts", "Revision",
                    "Saved", "Status", "draft"],
             ["Atelier des POS", "Versions publiées", "Chargée le", "Dossiers ouverts",
              "Nouveau brouillon", "Brouillons", "Révision", "Enregistré le", "Statut"])

    page = c.get(f"/pos/atelier/brouillons/{number}").text
    _english(page, [f"Draft {number} — National referral mechanism — Burkina Faso",
                    "(from 2099.1, revision 1, Coordination MNR,", "← Workbench",
                    "SOP YAML (diagnostics and diagram update as you type)", "Save", "Run scenarios",
                    "Compare with published", "Publish…", "running…",
                    "Scenarios and comparison use the last saved revision.", "New file of the SOP",
                    "then add it to imports: [...].", "Path", "Add to the draft",
                    "Scenarios of this draft", 'a scenario names the SOP as sop: ../mnr.yaml; an empty '
                    "text removes it).", "New scenario (file name)", "Scenario (YAML, as for mno test)",
                    "Revisions", "Diagnostics", "No error (same checks as mno validate).",
                    "Diagram of the draft"],
             [f"Brouillon {number}", "depuis 2099.1", "← Atelier", "YAML de la POS", "Enregistrer",
              "Lancer les scénarios", "Comparer avec", "Publier", "en cours…", "Nouveau fichier",
              "ajoutez-le ensuite", "Chemin", "Ajouter au brouillon", "Scénarios du brouillon",
              "Joués sur le texte", "un texte vide le retire", "Nouveau scénario", "Révisions",
              "Aucune erreur", "Schéma du brouillon"])
    csrf = csrf_of(page)
    text = html.unescape(page.split('name="source"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0])
    lines = text.split("\n")
    n = next(i for i, line in enumerate(lines) if line.strip() == "to: sent")
    lines[n] = lines[n].replace("to: sent", "to: sentt")
    check = c.post(f"/pos/atelier/brouillons/{number}/verifier", data={"source": "\n".join(lines),
                   "csrftoken": csrf}, headers={"x-csrftoken": csrf}).text
    _english(check, [f"line {n + 1}, col", "Fix the errors to see the diagram."],
             [f"ligne {n + 1}", "Corrigez les erreurs"])

    # a state renamed: the comparison lists the open case's step by its labels (tryout 5, G15)
    from ..engine.sop_variants import dump, parse, rename_state
    doc = parse(text)
    doc["version"] = "2099.2"
    rename_state(doc, "referral", "sent", "transmitted")
    c.post(f"/pos/atelier/brouillons/{number}/enregistrer", data={"source": dump(doc), "csrftoken": csrf})
    compare = c.post(f"/pos/atelier/brouillons/{number}/comparer", headers={"x-csrftoken": csrf, **HTMX}).text
    _english(compare, ["Compared with the published version", "Open cases affected (need a mapping)",
                       f"{ref} — Referral — Cash assistance: Sent to provider"],
             ["Comparaison avec", "Dossiers ouverts concernés", "referral:cash", "Envoyé au prestataire"])
    scenarios = c.post(f"/pos/atelier/brouillons/{number}/scenarios",
                       headers={"x-csrftoken": csrf, **HTMX}).text
    _english(scenarios, ["Scenarios", "This draft has no scenario (none next to the published file "
                         "when it was made): add one below."], ["Scénarios", "Ce brouillon n’a pas"])

    publish = c.get(f"/pos/atelier/brouillons/{number}/publier").text
    _english(publish, [f"Publish draft {number} — National referral mechanism — Burkina Faso",
                       "← Back to the draft",
                       "Migration plan: where do the open cases go?",
                       "2 steps of open cases in a state the draft no longer has.",
                       "Deadlines whose rule changed", "recompute from the original start",
                       "keep the due date", "restart from now", "Preview (dry run)"],
             ["Publier le brouillon", "Retour au brouillon", "Plan de migration", "étape",
              "Délais dont", "recalculer", "garder l’échéance", "repartir", "Aperçu"])
    data = {"map:referral.sent": "transmitted", "rule": "recompute", "csrftoken": csrf, "go": "preview"}
    preview = c.post(f"/pos/atelier/brouillons/{number}/publier", data=data).text
    # the versions under the SOP's title, never its id (tryout 5, G15)
    _english(preview, ["Dry run: 2099.1 → 2099.2 — 1 case",
                       f"{ref}: states: Referral — Cash assistance: Sent to provider → Sent to provider",
                       "Publish and migrate"],
             ["Aperçu", "dossier", f"{ref} :", "Publier et migrer", "mnr_bf@"])

    case = c.get(f"/dossiers/{ref}").text
    _english(case, ["followed up by the case manager", "Print the referral form", "Print the consent form",
                    "Data held about the person (access request)",
                    "Correct a step’s state (coordination, audited)", "Step and its new state", "Correct"],
             ["suivi par le gestionnaire", "Imprimer la fiche", "Imprimer le consentement",
              "Données détenues", "Corriger", "Étape et son nouvel état"])
    assert "Referral · Cash assistance: Sent to provider" in visible(case)  # no blank before « : »


def test_the_same_pages_in_french_keep_their_words(live, tmp_path):
    author_and_version(live, tmp_path)
    ref = case_with_referrals(live.wf)
    c = live.client("coord.mnr")
    home = c.get("/pos/atelier").text
    assert "Atelier des POS" in visible(home) and "Versions publiées" in visible(home)
    case = visible(c.get(f"/dossiers/{ref}").text)
    for words in ("suivi par le gestionnaire", "Imprimer la fiche de référencement",
                  "Imprimer le consentement",
                  "Données détenues sur la personne (demande d’accès)", "Étape et son nouvel état",
                  "Corriger l’état d’une étape (coordination, audité)"):
        assert words in case
    assert re.search(r"Référencement · [^:]*\S : Envoyé", case), "« Étape · besoin : état » in French"
