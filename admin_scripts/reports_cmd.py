"""`cagnotte-admin reports …`: the queue of reports and their resolution, through
the same tables, RPC (public.resolve_report) and policies as the admin screens
(the operator acts as their admin account)."""

from __future__ import annotations

import typer

from admin_scripts import db, i18n, operator
from admin_scripts.choices import ReportStatus
from admin_scripts.console import JSON_OPTION, out, print_json, print_rows
from admin_scripts.i18n import N_, _
from admin_scripts.operator import acting_as

app = typer.Typer(help=N_("Reports: the queue, and their resolution."), no_args_is_help=True)

REPORTS_SQL = """
select r.id, r.reason::text, r.details, r.status::text, r.created_at,
    coalesce(c.slug, cc.slug) as campaign, m.body as comment,
    (select count(*) from public.reports as x where x.status = 'open'
     and (x.campaign_id = r.campaign_id or x.comment_id = r.comment_id)) as open_reports
from public.reports as r
left join public.campaigns as c on c.id = r.campaign_id
left join public.comments as m on m.id = r.comment_id
left join public.campaigns as cc on cc.id = m.campaign_id
where r.status::text = %s
order by r.created_at
"""


def status_label(status: str) -> str:
    """A report's status in the operator's language."""
    return {
        "open": _("open"),
        "resolved": _("resolved"),
        "dismissed": _("dismissed"),
    }.get(status, status)


def reason_label(reason: str) -> str:
    """A report's reason in the operator's language."""
    return {
        "fraud": _("fraud"),
        "inappropriate": _("inappropriate"),
        "spam": _("spam"),
        "harassment": _("harassment"),
        "misinformation": _("misinformation"),
        "other": _("other"),
    }.get(reason, reason)


@app.command("list", help=N_("Reports, oldest first, with what they target."))
def list_(
    status: ReportStatus = typer.Option(
        ReportStatus.open, "--status", help=N_("Which reports: open, resolved or dismissed.")
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    with db.connect() as conn, acting_as(conn):
        rows = conn.execute(REPORTS_SQL, [status.value]).fetchall()
    print_rows(
        rows,
        as_json=as_json,
        title=_("Reports"),
        columns={
            _("id"): "id",
            _("reported"): lambda r: i18n.when(r["created_at"]),
            _("reason"): lambda r: reason_label(r["reason"]),
            _("campaign"): "campaign",
            _("comment"): "comment",
            _("open reports"): "open_reports",
            _("details"): "details",
        },
    )


@app.command(
    "resolve",
    help=N_("Close an open report (its id or first characters): resolved, or dismissed."),
)
def resolve(
    report_id: str,
    dismiss: bool = typer.Option(
        False, "--dismiss", help=N_("Nothing to do (default: resolved, action taken).")
    ),
    note: str = typer.Option(None, "--note", help=N_("What was decided.")),
    as_json: bool = JSON_OPTION,
) -> None:
    status = ReportStatus.dismissed if dismiss else ReportStatus.resolved
    report_id = operator.full_id("reports", report_id)
    row = operator.call("reports resolve", "resolve_report", report_id, status.value, note,
                        target=report_id)  # fmt: skip
    if as_json:
        print_json(row)
    else:
        out.print(
            _("report {id}: {status}").format(id=row["id"], status=status_label(row["status"]))
        )
