"""The generated data-protection chapter of the SOP document: what is shared with whom under which
consent, how long it is kept, and the register of data-sharing agreements.

Everything comes from the SOP (``data_protection``, ``retention``, the fields' ``category`` and
``classification``, the consent form's options) and from the directory's ``sharing_agreement``
table, in plain words of ``fr`` or ``en``: no code, no expression.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from mno_workflow.i18n import N_, Words, quoted
from mno_workflow.protection.disclosure import type_label
from mno_workflow.sop.schema import SOP, FormField

from .diagrams import duration_words
from .paper_forms import period_words

__all__ = ["DP_WORDS", "data_protection_chapter", "sharing_agreements"]

DP_WORDS: Words = Words({  # key → French message id (English and others: the catalogues)
    "title": N_("Protection des données personnelles"),
    "collected": N_("Ce qui est recueilli, par catégorie"),
    "category": N_("Catégorie"),
    "fields": N_("Informations"),
    "sensitive": N_("sensible"),
    "sharing": N_("Avec qui, sous quel consentement"),
    "kind": N_("Choix de la personne"),
    "org_types": N_("Organisations concernées (répertoire)"),
    "rule_consent": N_(
        "Un prestataire ne voit que les catégories d'informations que la personne a acceptées, et "
        "seulement si son organisation fait partie des destinataires qu'elle a acceptés, pour le "
        "but « {p} »."),
    "rule_none": N_(
        "Sans consentement en vigueur (refusé, retiré ou expiré), le prestataire ne voit plus "
        "aucune information personnelle : seulement le code du dossier et l'état."),
    "rule_withhold": N_(
        "Quand un référencement est {s}, l'organisation ne voit plus les informations personnelles."),
    "rule_after_closure": N_("Après la clôture du dossier, le prestataire garde l'accès pendant {d}."),
    "rule_override": N_(
        "Un superviseur peut déroger au consentement, pour l'une de ces bases légales, avec un "
        "motif écrit : {b}."),
    "rule_override_scope": N_(
        "Une dérogation ne couvre que les catégories de données et les destinataires qu'elle nomme : "
        "un autre référencement vers un autre destinataire reste refusé."),
    "rule_agreement": N_(
        "Aucun référencement n'est envoyé à une organisation sans accord de partage de données en "
        "vigueur."),
    "rule_statistics": N_(
        "Les statistiques sont anonymes ; elles n'incluent un dossier que si la personne a accepté "
        "le but « {p} »."),
    "retention": N_("Durée de conservation"),
    "retention_text": N_(
        "Les informations {c} sont effacées {d} après la clôture du dossier. À la demande de la "
        "personne, elles peuvent être effacées plus tôt par : {r}."),
    "personal": N_("personnelles"),
    "sensitive_pl": N_("sensibles"),
    "and": N_(" et "),
    "register": N_("Registre des accords de partage de données"),
    "org": N_("Organisation"),
    "signed": N_("Signé le"),
    "version": N_("Version"),
    "categories": N_("Catégories"),
    "purposes": N_("Buts"),
    "expires": N_("Expire le"),
    "focal": N_("Point focal données"),
    "no_register": N_("Aucun accord enregistré dans le répertoire."),
})


def _walk(fields: list[FormField]):
    for f in fields:
        yield f
        if f.fields:
            yield from _walk(f.fields)


def _state_labels(sop: SOP, state_ids: list[str], lang: str) -> list[str]:
    out = []
    for sid in state_ids:
        for step in sop.steps.values():
            if sid in step.states:
                out.append(sop.label(step.states[sid].label, lang).lower())
                break
    return out


def sharing_agreements(directory_folder: str | Path | None, lang: str = "fr", *,
                       public: bool = False) -> list[dict[str, str]]:
    """Rows of ``sharing_agreement.csv`` with the organisation name added (``[]`` without a file);
    names in ``lang`` where the directory's ``translations.<lang>.yaml`` gives them. ``public``:
    the focal point's name and e-mail emptied (a person: :mod:`mno_workflow.directory.public`),
    for a reader without the ``directory_contacts`` permission."""
    if directory_folder is None:
        return []
    folder = Path(directory_folder)
    path = folder / "sharing_agreement.csv"
    if not path.exists():
        return []
    names = {}
    org_file = folder / "organization.csv"
    if org_file.exists():
        with open(org_file, encoding="utf-8", newline="") as fh:
            names = {r["id"]: r["name"] for r in csv.DictReader(fh)}
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [dict(r) for r in csv.DictReader(fh)]
    from .directory_data import read_translations

    tr = read_translations(folder, lang)
    for r in rows:
        name = names.get(r.get("organization_id", ""), r.get("organization_id", ""))
        r["organisation"] = tr.get(name, name)
        if public:
            r["focal_point_name"] = r["focal_point_email"] = ""
        if r.get("focal_point_name"):
            r["focal_point_name"] = tr.get(r["focal_point_name"], r["focal_point_name"])
    return sorted(rows, key=lambda r: r["organisation"].lower())


def data_protection_chapter(
    sop: SOP, lang: str = "fr", directory_folder: str | Path | None = None, *, public: bool = False
) -> dict[str, Any]:
    """The chapter as plain data: ``collected`` rows, ``kinds`` rows, ``rules`` sentences,
    ``retention`` sentence, ``register`` rows (see :func:`sharing_agreements`; ``public``: without
    the agreements' focal points)."""
    w = DP_WORDS[lang]
    cat_labels = sop.options.get("data_category", {})
    by_cat: dict[str, list[str]] = {}
    sensitive: set[str] = set()
    for form in sop.forms.values():
        for f in _walk(form.fields):
            if f.category:
                label = sop.label(f.label, lang)
                if label not in by_cat.setdefault(f.category, []):
                    by_cat[f.category].append(label)
                if f.classification.value == "sensitive":
                    sensitive.add(f.category)
    collected = [
        {
            "category": sop.label(cat_labels.get(c), lang) or c,
            "fields": ", ".join(v),
            "sensitive": c in sensitive,
        }
        for c, v in by_cat.items()
    ]
    dp = sop.data_protection
    kinds, rules = [], []
    if dp is not None:
        kind_labels = sop.options.get("recipient_kind", {})
        kinds = [
            {
                "kind": sop.label(kind_labels.get(k), lang) or k,
                "types": ", ".join(type_label(t, lang) for t in types),
            }
            for k, types in dp.recipient_kinds.items()
        ]
        purposes = sop.options.get("purpose", {})
        rules.append(
            w["rule_consent"].format(
                p=sop.label(purposes.get(dp.referral_purpose), lang) or dp.referral_purpose
            )
        )
        rules.append(w["rule_none"])
        withheld = _state_labels(sop, dp.withhold_in_states, lang)
        if withheld:
            rules.append(
                w["rule_withhold"].format(
                    s=", ".join(quoted(x, lang) for x in withheld)
                )
            )
        rules.append(w["rule_after_closure"].format(d=duration_words(dp.provider_access_after_closure, lang)))
        bases = sop.options.get("legal_basis", {})
        if bases:
            rules.append(
                w["rule_override"].format(b=", ".join(sop.label(b, lang).lower() for b in bases.values()))
            )
            override = sop.forms.get(dp.override_form)
            if override is not None and any(f.id == "share_with" for f in override.fields):
                rules.append(w["rule_override_scope"])  # BF SOP 2026.8 (tryout 7, J4)
        if dp.require_sharing_agreement:
            rules.append(w["rule_agreement"])
        if dp.statistics_purpose:
            rules.append(
                w["rule_statistics"].format(
                    p=sop.label(purposes.get(dp.statistics_purpose), lang) or dp.statistics_purpose
                )
            )
    retention = ""
    if sop.retention:
        classes = w["and"].join(
            w["personal"] if c == "personal" else w["sensitive_pl"] for c in sop.retention.classifications
        )
        roles = ", ".join(
            sop.label(sop.roles[r].label, lang) for r in sop.retention.erase_by if r in sop.roles
        )
        retention = w["retention_text"].format(
            c=classes, d=period_words(sop.retention.purge_after_closure, lang), r=roles or "—"
        )
        retention = retention[0].upper() + retention[1:]
    register = sharing_agreements(directory_folder, lang, public=public)
    from ..i18n.dates import day_text

    for r in register:
        for key in ("signed_on", "expires_on"):  # 08/01/2026, never the CSV's 2026-01-08
            r[key] = day_text(r.get(key), lang)
        r["categories_words"] = ", ".join(
            sop.label(cat_labels.get(c), lang) or c for c in r.get("data_categories", "").split()
        )
        r["purposes_words"] = ", ".join(
            sop.label(sop.options.get("purpose", {}).get(c), lang) or c for c in r.get("purposes", "").split()
        )
    return {
        "w": w,
        "collected": collected,
        "kinds": kinds,
        "rules": rules,
        "retention": retention,
        "register": register,
    }
