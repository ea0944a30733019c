"""Issue 18: e-mails link to the place to act — absolute with ``public_url`` (``MNO_PUBLIC_URL``),
the path otherwise, which the start-up says (never silently) — and each case of a digest is a link
in the e-mail and on the notifications page, for a case manager and for a provider."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from mno_workflow import config
from mno_workflow.reminders.digest import build_digests
from mno_workflow.reminders.links import mail_path, place_path, public_url, relative_links_warning
from mno_workflow.reminders.outbox import render
from mno_workflow.store.models import OutboxMessage, StepInstance, User
from mno_workflow.web.notif_view import digest_cases

from .test_digest import THU, week  # noqa: F401 - the fixture


@pytest.mark.parametrize(("value", "url", "warned"), [
    (None, "", "non définie"),
    ("", "", "non définie"),
    ("mno.example.org", "", "MNO_PUBLIC_URL=mno.example.org n'est pas une adresse"),
    ("https://mno.example.org/", "https://mno.example.org", None),
    ("http://10.0.0.5:8000", "http://10.0.0.5:8000", None),
])
def test_public_url_and_the_start_up_warning(monkeypatch, value, url, warned):
    if value is None:
        monkeypatch.delenv("MNO_PUBLIC_URL", raising=False)
    else:
        monkeypatch.setenv("MNO_PUBLIC_URL", value)
    assert public_url() == url
    said = relative_links_warning("fr")
    if warned is None:
        assert said is None
    else:
        assert warned in said and "relatifs" in said
        assert "relative" in relative_links_warning("en") and "relatifs" not in relative_links_warning("en")


def test_paths_of_the_place_to_act():
    assert place_path("MNR-1", "referral", "cash") == "/dossiers/MNR-1#step-referral-cash"
    assert place_path("MNR-1", "referral", "cash", done=True) == "/dossiers/MNR-1"
    assert place_path("MNR-1", "referral", "cash", provider=True) == "/prestataire/MNR-1/referral:cash"
    assert place_path(None) is None
    # e-mails: the instance by number, never its key (a referral's key is the need)
    assert mail_path("MNR-1", 12) == "/dossiers/MNR-1#instance-12"
    assert mail_path("MNR-1", 12, provider=True) == "/prestataire/MNR-1/12"
    assert mail_path("MNR-1") == "/dossiers/MNR-1" and mail_path(None) == "/"


def test_config_file_key_public_url(tmp_path, monkeypatch):
    f = tmp_path / "mno.toml"
    f.write_text('public_url = "https://mno.example.org"\n', encoding="utf-8")
    assert config.read_file(f) == {"MNO_PUBLIC_URL": "https://mno.example.org"}
    f.write_text('public_url = "mno.example.org"\n', encoding="utf-8")
    with pytest.raises(config.ConfigError, match="public_url"):
        config.read_file(f)


def test_remind_says_links_are_relative_when_smtp_is_set(tmp_path, monkeypatch):
    from mno_workflow.cli import app
    monkeypatch.delenv("MNO_PUBLIC_URL", raising=False)
    monkeypatch.setenv("MNO_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MNO_SMTP_PORT", "9")  # nothing listens: the message stays queued
    monkeypatch.setenv("MNO_SMTP_FROM", "mno@example.org")
    r = CliRunner().invoke(app, ["remind", "--once", "--db", str(tmp_path / "x.db")])
    assert "les liens des courriels sont relatifs" in r.output, r.output
    monkeypatch.setenv("MNO_PUBLIC_URL", "https://mno.example.org")
    r = CliRunner().invoke(app, ["remind", "--once", "--db", str(tmp_path / "x.db")])
    assert "relatifs" not in r.output, r.output


def test_digest_cases_are_links_for_the_case_manager_and_the_provider(week, monkeypatch):  # noqa: F811
    wf, ref = week
    monkeypatch.setenv("MNO_PUBLIC_URL", "https://mno.example.org")
    build_digests(wf, THU)
    with wf.sessions() as s:
        ids = {(i.case_id, i.step, i.key): i.id for i in s.scalars(select(StepInstance))}
        for uid, ref_key, step, key, where in (
                ("mariam.kabore", "A", "referral", "psychosocial", "dossiers"),
                ("focal.anpe", "A", "referral", "vocational_training", "prestataire")):
            msgs = s.scalars(select(OutboxMessage).where(OutboxMessage.template == "digest",
                                                         OutboxMessage.recipient_user == uid)).all()
            email = next(m for m in msgs if m.channel == "email")
            r = render(s, email)
            inst = ids[1, step, key]  # A is the week's first case (id 1, see the fixture)
            if where == "dossiers":  # Mariam: the case page at the step's box
                link = f"https://mno.example.org/dossiers/{ref[ref_key]}#instance-{inst}"
            else:  # the provider: its referral page
                link = f"https://mno.example.org/prestataire/{ref[ref_key]}/{inst}"
            assert f"<{link}>\n" in r.text and f'<a href="{link}">' in r.html
            assert key not in r.text + r.html  # the need is not named in a message
            inapp = next(m for m in msgs if m.channel == "inapp")
            user = s.get(User, uid)
            shown = digest_cases(s, inapp, user, "en")
            hrefs = [i["href"] for part in shown for i in part["items"]]
            heads = [part["heading"] for part in shown]
            assert "Due today (1)" in heads  # with its count, like the e-mail (issue 18)
            assert all("échéance" not in i["text"] for p in shown for i in p["items"])
            if where == "prestataire":
                assert hrefs == [f"/prestataire/{ref['A']}/referral:vocational_training"]
            else:
                assert f"/dossiers/{ref['C']}#step-identification-" in " ".join(hrefs)
                assert any(h.startswith(f"/dossiers/{ref['A']}#step-referral-") for h in hrefs)


def test_a_digest_written_before_items_named_their_instance_links_to_the_case_page(week):  # noqa: F811
    wf, ref = week
    build_digests(wf, THU)
    with wf.sessions.begin() as s:
        for m in s.scalars(select(OutboxMessage).where(OutboxMessage.template == "digest",
                                                       OutboxMessage.recipient_user == "mariam.kabore")):
            m.context = {**m.context, **{k: [{x: v for x, v in i.items() if x != "instance"}
                                              for i in m.context[k]] for k in ("overdue", "due_today")}}
    with wf.sessions() as s:
        msgs = s.scalars(select(OutboxMessage).where(OutboxMessage.template == "digest",
                                                     OutboxMessage.recipient_user == "mariam.kabore")).all()
        email = next(m for m in msgs if m.channel == "email")
        assert "instance" not in email.context["due_today"][0]  # the old shape
        r = render(s, email)
        assert f"</dossiers/{ref['A']}>\n" in r.text and f'<a href="/dossiers/{ref["C"]}">' in r.html
        inapp = next(m for m in msgs if m.channel == "inapp")
        shown = digest_cases(s, inapp, s.get(User, "mariam.kabore"), "fr")
        hrefs = [i["href"] for p in shown for i in p["items"]]
        assert sorted(hrefs) == sorted([f"/dossiers/{ref['C']}", f"/dossiers/{ref['A']}"])


@pytest.mark.parametrize(("public", "said"), [(None, True), ("https://mno.example.org", False)])
def test_serve_says_at_start_up_that_email_links_are_relative(tmp_path, monkeypatch, public, said):
    import uvicorn

    from mno_workflow.cli import app
    ran = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, *a, **k: ran.append(self))  # start, don't serve
    monkeypatch.setenv("MNO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MNO_SECRET_KEY", "k" * 40)
    if public is None:
        monkeypatch.delenv("MNO_PUBLIC_URL", raising=False)
    else:
        monkeypatch.setenv("MNO_PUBLIC_URL", public)
    db = f"sqlite:///{tmp_path / 'mno.db'}"
    r = CliRunner().invoke(app, ["--db", db, "serve", "--sweeper-interval", "0"])
    assert r.exit_code == 0 and ran, r.output
    assert ("les liens des courriels sont relatifs" in r.stdout) is said, r.stdout
