"""`cagnotte-admin`: the operators' console (noun verb subcommands).

Data goes to stdout, chatter to stderr; listings take --json; destructive
commands ask for confirmation unless --yes.
"""

from __future__ import annotations

import typer

from admin_scripts import (
    backup_cmd,
    campaigns_cmd,
    categories_cmd,
    comments_cmd,
    doctor_cmd,
    documents_cmd,
    institutions_cmd,
    jobs_cmd,
    justifications_cmd,
    media_cmd,
    notifications_cmd,
    offline_gifts_cmd,
    operator,
    organisations_cmd,
    payments_cmd,
    payouts_cmd,
    rates_cmd,
    receipts_cmd,
    recurring_gifts_cmd,
    refunds_cmd,
    reports_cmd,
    settings_cmd,
    stats_cmd,
    stripe_cmd,
    users_cmd,
)
from admin_scripts.errors import ConsoleGroup
from admin_scripts.i18n import N_, Lang
from admin_scripts.settings import settings

# The groups that write the settings (.env.local) rather than read them: they
# run even when the settings do not validate.
WRITE_THE_SETTINGS = {"local", "dev"}


class Console(ConsoleGroup):
    """The console's root group: the settings validated before any command runs
    (once per run: a bad value is exit 2, named), as the service does at start."""

    def before_command(self, path: tuple[str, ...]) -> None:
        if path[0] not in WRITE_THE_SETTINGS:
            settings()


app = typer.Typer(
    name="cagnotte-admin",
    help=N_("AfriCagnotte operators' console."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=Console,  # the one error path: no traceback (admin_scripts.errors)
)


@app.callback()
def root(
    acting: str | None = typer.Option(
        None,
        "--operator",
        envvar="CAGNOTTE_OPERATOR",
        help=N_("Your admin account's email: every action runs as it (or CAGNOTTE_OPERATOR)."),
    ),
    lang: Lang = typer.Option(
        Lang.fr,
        "--lang",
        envvar="CAGNOTTE_LANG",
        help=N_("The console's language (or CAGNOTTE_LANG)."),
    ),
) -> None:
    """The options every command shares (read by admin_scripts.operator and .i18n)."""
    operator.choose(acting)


app.add_typer(campaigns_cmd.app, name="campaigns")
app.add_typer(documents_cmd.app, name="documents")
app.add_typer(institutions_cmd.app, name="institutions")
app.add_typer(jobs_cmd.app, name="jobs")
app.add_typer(justifications_cmd.app, name="justifications")
app.add_typer(media_cmd.app, name="media")
app.add_typer(offline_gifts_cmd.app, name="offline-gifts")
app.add_typer(notifications_cmd.app, name="notifications")
app.add_typer(payments_cmd.app, name="payments")
app.add_typer(payouts_cmd.app, name="payouts")
app.add_typer(rates_cmd.app, name="rates")
app.add_typer(refunds_cmd.app, name="refunds")
app.add_typer(receipts_cmd.app, name="receipts")
app.add_typer(recurring_gifts_cmd.app, name="recurring-gifts")
app.add_typer(organisations_cmd.app, name="organisations")
app.add_typer(users_cmd.app, name="users")
app.add_typer(reports_cmd.app, name="reports")
app.add_typer(comments_cmd.app, name="comments")
app.add_typer(categories_cmd.app, name="categories")
app.add_typer(settings_cmd.app, name="settings")
app.command("stats", help=stats_cmd.STATS_HELP)(stats_cmd.stats)
app.add_typer(stats_cmd.export, name="export")
app.command("backup", help=backup_cmd.BACKUP_HELP)(backup_cmd.backup)
app.command("restore", help=backup_cmd.RESTORE_HELP)(backup_cmd.restore)
app.add_typer(stripe_cmd.app, name="stripe")
app.command("doctor", help=doctor_cmd.DOCTOR_HELP)(doctor_cmd.doctor)

# The developers' local stack (`local`, `dev`), when its package and its dev-only
# dependencies are installed (`pip install -e '.[dev]'`; not in production).
DEV_ONLY = ("localdev", "aiosmtpd")
try:
    from localdev import dev_cmd, local_cmd
except ModuleNotFoundError as missing:
    if (missing.name or "").split(".")[0] not in DEV_ONLY:
        raise
else:
    app.add_typer(local_cmd.app, name="local")
    app.add_typer(dev_cmd.app, name="dev")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
