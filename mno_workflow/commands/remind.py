"""``mno remind``: send the reminders, escalations and automatic triggers that are due."""

from __future__ import annotations

from typing import Annotated

import typer

from ..i18n import N_, gettext, ngettext
from .common import errors, state
from .now_option import NOW_HELP, engine_at


def _print_sweep(report, lang: str) -> None:
    words = [gettext(w, lang) for w in (N_("rappel"), N_("escalade"), N_("déclenchement automatique"),
                                         N_("ignoré"), N_("échec"))]
    for label, rows in zip(words, (report.reminders, report.escalations, report.auto_fired,
                                   report.skipped, report.failed), strict=True):
        for ref, inst, st, what in rows:
            typer.echo(f"{label}\t{ref}\t{inst}\t{st}\t{what}")
    typer.echo(", ".join((
        ngettext("{n} rappel", "{n} rappels", len(report.reminders), lang),
        ngettext("{n} escalade", "{n} escalades", len(report.escalations), lang),
        ngettext("{n} automatique", "{n} automatiques", len(report.auto_fired), lang),
        gettext("{late} en retard", lang, late=report.late))))


def _warn_relative_links() -> None:
    """Say on stderr that e-mails will carry relative links, when SMTP is set up and the public
    address of the server is not (never a silent skip)."""
    import os

    from ..reminders.links import relative_links_warning
    if (os.environ.get("MNO_SMTP_HOST") or "").strip() and (warning := relative_links_warning()):
        typer.echo(warning, err=True)


def remind(once: Annotated[bool, typer.Option("--once", help="Un seul passage (pour cron).")] = False,
           every: Annotated[int, typer.Option(help="Intervalle en secondes (mode continu).", min=1)] = 60,
           now: Annotated[str | None, typer.Option(help=NOW_HELP)] = None) -> None:
    """Envoyer les rappels, escalades et déclenchements automatiques dus (une fois, ou toutes les N secondes).

    Send due reminders."""
    from ..reminders.scheduler import make_scheduler
    from ..reminders.sweeper import sweep
    engine = engine_at(now)
    _warn_relative_links()
    if once:
        from ..reminders.notifiers import notifiers_from_env
        from ..reminders.outbox import deliver
        try:  # a setting of MNO_SMTP_* or MNO_SMS_* that cannot be used: one line in words
            notifiers = notifiers_from_env()
        except ValueError as e:
            from .common import error_line, error_text, fail
            fail(error_line(error_text(e)))
        from ..i18n.dates import day_text
        from ..reminders.digest import build_digests
        with errors():
            _print_sweep(sweep(engine), state["lang"])
            # the daily digests as the continuous mode builds them (scheduler.run_once): « --once »
            # from cron made none (tryout 9, L11)
            digests = build_digests(engine, engine.clock.now())
            d = deliver(engine, notifiers, now=engine.clock.now())
        lang = state["lang"]
        typer.echo(ngettext("Résumé quotidien du {day} : {n} destinataire.",
                            "Résumé quotidien du {day} : {n} destinataires.", len(digests.enqueued), lang,
                            day=day_text(digests.day, lang)))
        typer.echo(gettext("Messages : {sent} remis, {failed} en échec (nouvel essai plus tard), ", lang,
                           sent=len(d.sent), failed=len(d.failed))
                   + ngettext("{n} courriel en attente de configuration SMTP, ",
                              "{n} courriels en attente de configuration SMTP, ", len(d.not_configured), lang)
                   + ngettext("{n} abandonné.", "{n} abandonnés.", len(d.dead), lang))
        return
    typer.echo(ngettext("Balayage des délais toutes les {n} seconde (Ctrl+C pour arrêter).",
                        "Balayage des délais toutes les {n} secondes (Ctrl+C pour arrêter).", every,
                        state["lang"]))
    sched = make_scheduler(engine, every, blocking=True,
                           after=lambda r: _print_sweep(r, state["lang"]) if r.claimed else None)
    from ..store.wal import WalCheckpointer
    wal = WalCheckpointer(engine.db).start()  # SQLite: checkpoints off the sweep's path
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        wal.stop()
