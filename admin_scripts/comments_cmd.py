"""`cagnotte-admin comments …`: review, hide, delete, through the same tables
and policies as the admin screens (the operator acts as their admin account)."""

from __future__ import annotations

import typer

from admin_scripts import db, i18n, operator
from admin_scripts.console import JSON_OPTION, YES_OPTION, confirm, err, print_rows
from admin_scripts.i18n import N_, _
from admin_scripts.operator import OperatorError, acting_as

app = typer.Typer(help=N_("Comments: review, hide, delete."), no_args_is_help=True)

COMMENTS_SQL = """
select m.id, c.slug as campaign, p.display_name as author, m.body, m.hidden,
    m.hidden_reason, m.created_at,
    (select count(*) from public.reports as r
     where r.comment_id = m.id and r.status = 'open') as open_reports
from public.comments as m
join public.campaigns as c on c.id = m.campaign_id
left join public.profiles as p on p.id = m.author_id
where (not %(hidden)s or m.hidden)
  and (not %(reported)s or exists (
      select 1 from public.reports as r where r.comment_id = m.id and r.status = 'open'))
order by m.created_at desc
limit %(n)s
"""


@app.command("list", help=N_("Comments, newest first."))
def list_(
    hidden: bool = typer.Option(False, "--hidden", help=N_("Only hidden comments.")),
    reported: bool = typer.Option(False, "--reported", help=N_("Only comments with open reports.")),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    with db.connect() as conn, acting_as(conn):
        rows = conn.execute(
            COMMENTS_SQL, {"hidden": hidden, "reported": reported, "n": limit}
        ).fetchall()
    print_rows(
        rows,
        as_json=as_json,
        title=_("Comments"),
        columns={
            _("id"): "id",
            _("written"): lambda r: i18n.when(r["created_at"]),
            _("campaign"): "campaign",
            _("author"): "author",
            _("comment"): "body",
            _("hidden"): lambda r: _("hidden") if r["hidden"] else None,
            _("open reports"): "open_reports",
        },
    )


def _hide(comment_id: str, hidden: bool) -> None:
    comment_id = operator.full_id("comments", comment_id)
    with db.connect() as conn, acting_as(conn):
        now = conn.execute(
            "select hidden_reason from public.comments where id = %s", [comment_id]
        ).fetchone()
    # Staff hiding a comment hidden by the owner or by reports take the decision
    # over (the database's rule); a decision already staff's, or nothing to show, is no change.
    if now is not None and (
        now["hidden_reason"] == "staff" if hidden else now["hidden_reason"] is None
    ):
        already = _("comment {id} is already hidden") if hidden else _("comment {id} is not hidden")
        raise OperatorError(already.format(id=comment_id), operator.EXIT_REFUSED)
    operator.act(
        "comments hide" if hidden else "comments unhide",
        "update public.comments set hidden = %s where id = %s returning id as result",
        [hidden, comment_id], comment_id,
    )  # fmt: skip
    done = _("comment {id} hidden") if hidden else _("comment {id} visible again")
    err.print(done.format(id=comment_id))


@app.command(
    "hide",
    help=N_("Hide a comment (its id or first characters) from everyone but its author,"
            " the owner and staff."),
)  # fmt: skip
def hide(comment_id: str) -> None:
    _hide(comment_id, True)


@app.command("unhide", help=N_("Show a hidden comment again."))
def unhide(comment_id: str) -> None:
    _hide(comment_id, False)


@app.command("delete", help=N_("Delete a comment for good."))
def delete(comment_id: str, yes: bool = YES_OPTION) -> None:
    comment_id = operator.full_id("comments", comment_id)
    if not yes:
        confirm(_("Delete comment {id}? This cannot be undone.").format(id=comment_id))
    operator.act(
        "comments delete",
        "delete from public.comments where id = %s returning id as result",
        [comment_id], comment_id,
    )  # fmt: skip
    err.print(_("comment {id} deleted").format(id=comment_id))
