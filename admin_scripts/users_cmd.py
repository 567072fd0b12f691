"""`cagnotte-admin users …`: accounts, bans and the admin role.

A ban goes through Supabase Auth (admin_scripts.auth_admin: the admin API, or
the local stack's stand-in writing what GoTrue writes), so that signing in is
refused, and into the database in the same step (auth.users.banned_until, as
GoTrue writes it), so that RLS refuses the user's writes at once, even with a
token still valid. A ban lasts ``--for`` a duration, ``--until`` a moment, or
for good; the database asks for a reason (private.decision_reason) and freezes
the user's published campaigns (unban does not unfreeze them: `campaigns
unfreeze` once checked).
A deletion goes through the same Auth admin: GoTrue deletes the auth.users row
(or soft-deletes it), and the database erases the person's data and releases
their campaigns in that transaction (private.erase_account).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import typer

from admin_scripts import auth_admin, db, i18n, operator
from admin_scripts.console import (
    JSON_OPTION,
    YES_OPTION,
    confirm,
    err,
    out,
    parse_duration,
    print_json,
    print_rows,
)
from admin_scripts.i18n import N_, _
from admin_scripts.operator import OperatorError, acting_as

app = typer.Typer(
    help=N_("Users: list, show, ban, unban, delete, grant-admin, revoke-admin."),
    no_args_is_help=True,
)

USERS_SQL = """
select u.id, u.email, p.display_name, p.country, p.locale::text, u.created_at,
    u.banned_until, u.deleted_at,
    coalesce((select array_agg(r.role::text order by r.role) from public.user_roles as r
              where r.user_id = u.id), '{}') as roles,
    (select count(*) from public.campaigns as c where c.owner_id = u.id) as campaigns
from auth.users as u
left join public.profiles as p on p.id = u.id
"""


def _find(conn, who: str) -> dict:
    """A user by email, or by id (in full or a prefix: operator.find_id)."""
    if "@" not in who:
        who = operator.find_id(conn, "auth.users", who)
    row = conn.execute(
        USERS_SQL + " where u.id::text = %s or lower(u.email) = lower(%s)", [who, who]
    ).fetchone()
    if row is None:
        raise OperatorError(_("{who}: no such user").format(who=who), operator.EXIT_NOT_FOUND)
    return row


@app.command("list", help=N_("Users, newest first."))
def list_(
    search: str = typer.Option(None, "--search", help=N_("Part of the email or name.")),
    banned: bool = typer.Option(False, "--banned", help=N_("Only users banned now.")),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    with db.connect() as conn:
        operator.resolve(conn)
        rows = conn.execute(
            USERS_SQL + " where (%(q)s::text is null or u.email ilike '%%' || %(q)s || '%%'"
            " or p.display_name ilike '%%' || %(q)s || '%%')"
            " and (not %(banned)s or u.banned_until > now())"
            " order by u.created_at desc limit %(n)s",
            {"q": search, "banned": banned, "n": limit},
        ).fetchall()
    print_rows(
        rows, as_json=as_json, title=_("Users"),
        columns={
            _("email"): "email", _("name"): "display_name",
            _("roles"): lambda r: ",".join(r["roles"]), _("campaigns"): "campaigns",
            _("banned until"): lambda r: _ban_end(r["banned_until"]),
        },
    )  # fmt: skip


def _ban_end(until: datetime | None) -> str | None:
    """When a ban ends, as the operator reads it (None: not banned now)."""
    if until is None or until <= datetime.now(UTC):
        return None
    if until - datetime.now(UTC) > auth_admin.FOREVER - timedelta(days=366):
        return _("for good")
    return i18n.when(until)


@app.command("show", help=N_("One user (email, id or the id's first characters), as JSON."))
def show(who: str) -> None:
    with db.connect() as conn:
        operator.resolve(conn)
        print_json(_find(conn, who))


# Bans ---------------------------------------------------------------------------------------


def _ban_for(text: str | None) -> timedelta | None:
    if text is None:
        return None
    try:
        length = parse_duration(text)
    except typer.BadParameter:
        raise typer.BadParameter(
            _("{text!r} is not a duration: write 90s, 30m, 12h or 7d").format(text=text)
        ) from None
    except OverflowError:  # beyond what a timedelta holds: beyond a hundred years too
        raise _too_long() from None
    if length <= timedelta(0):
        raise typer.BadParameter(_("a ban lasts at least a second (e.g. 7d)"))
    return length


def _ban_until(text: str | None) -> datetime | None:
    if text is None:
        return None
    end = i18n.parse_when(text)
    if end <= datetime.now(UTC):
        raise typer.BadParameter(
            _("{text} is past: a ban ends in the future (ISO 8601, e.g. 2026-12-31)").format(
                text=text
            )
        )
    return end


def _length(length: timedelta | None, end: datetime | None) -> timedelta:
    """How long the ban lasts: --for, or until --until, else for good."""
    if length is not None and end is not None:
        raise typer.BadParameter(_("give --for or --until, not both"))
    if end is not None:
        length = end - datetime.now(UTC)
    if length is None:
        return auth_admin.FOREVER
    if length > auth_admin.FOREVER:
        raise _too_long()
    return length


def _too_long() -> typer.BadParameter:
    return typer.BadParameter(
        _("a ban lasts at most a hundred years: leave out --for and --until for good")
    )


def _target(who: str, *, not_self: str | None = None) -> dict:
    """The user an action is about, checked before anything is asked or done;
    ``not_self``: the refusal when it is the acting operator (banning or deleting
    oneself would also lock the operators out if one is the last admin)."""
    with db.connect() as conn:
        acting = operator.resolve(conn)
        user = _find(conn, who)
    if not_self and user["id"] == acting["id"]:
        raise OperatorError(not_self, operator.EXIT_REFUSED)
    return user


def _not_deleted(user: dict) -> dict:
    """A soft-deleted account is refused all its writes already; a ban means nothing."""
    if user["deleted_at"] is not None:
        raise OperatorError(
            _("{id}: this account is deleted, no ban applies to it").format(id=user["id"]),
            operator.EXIT_REFUSED,
        )
    return user


def _banned_now(user: dict) -> bool:
    return user["banned_until"] is not None and user["banned_until"] > datetime.now(UTC)


def _set_ban(auth: auth_admin.AuthAdmin, user: dict, length: timedelta | None,
             reason: str | None) -> dict:  # fmt: skip
    """Bans ``user`` for ``length`` (None: lifts the ban), through Auth and in the
    database in one transaction with its audit record; the user as they are now."""
    duration = auth_admin.ban_duration(length)
    user_id = str(user["id"])
    details = {"target": user_id, "reason": reason, "ban_duration": duration}
    done = (
        _("Supabase Auth has banned {email}")
        if length
        else _("Supabase Auth has lifted {email}'s ban")
    ).format(email=user["email"])
    with db.connect() as conn:
        with (
            auth_admin.told_if_half_done(auth, done, _("run the same command again")),
            acting_as(conn, "users ban" if length else "users unban", **details),
        ):
            conn.execute("set local role none")
            if length:  # the database's rule first: if it refuses, Auth was not asked
                conn.execute("select private.decision_reason(%s)", [reason])
            auth.ban(conn, user_id, duration)
        return _find(conn, user_id)


@app.command(
    "ban",
    help=N_(
        "Refuse the user's sign-ins and writes, at once: for a while (--for 7d, --until"
        " 2026-12-31) or for good. Their published campaigns are frozen."
    ),
)
def ban(
    who: str,
    reason: str = typer.Option(..., "--reason", help=N_("Why (kept in the audit log).")),
    for_: str = typer.Option(
        None, "--for", help=N_("How long: 90s, 30m, 12h, 7d (default: for good).")
    ),
    until: str = typer.Option(
        None, "--until", help=N_("Until when, in ISO 8601: 2026-12-31 or 2026-12-31T18:00.")
    ),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    length = _length(_ban_for(for_), _ban_until(until))
    auth = auth_admin.for_console()
    user = _not_deleted(
        _target(who, not_self=_("an operator does not ban their own account (another admin may)"))
    )
    if _banned_now(user):  # told even with --yes: a shorter ban replaces a longer one
        err.print(
            _("{email} is already banned ({until}): this ban replaces it").format(
                email=user["email"], until=_ban_end(user["banned_until"])
            ),
            soft_wrap=True,
        )
    if not yes:
        question = (
            _("Ban {email} for good?")
            if length == auth_admin.FOREVER
            else _("Ban {email} until {until}?")
        )
        end = i18n.when(datetime.now(UTC) + length)
        confirm(question.format(email=user["email"], until=end))
    user = _set_ban(auth, user, length, reason)
    if as_json:
        print_json(user)
    elif length == auth_admin.FOREVER:
        out.print(_("{email} banned for good").format(email=user["email"]))
    else:
        out.print(
            _("{email} banned until {until}").format(
                email=user["email"], until=i18n.when(user["banned_until"])
            )
        )


@app.command("unban", help=N_("Lift a ban: the user may sign in and write again."))
def unban(
    who: str,
    as_json: bool = JSON_OPTION,
) -> None:
    auth = auth_admin.for_console()
    user = _not_deleted(_target(who))
    if not _banned_now(user):
        raise OperatorError(
            _("{email} is not banned: there is no ban to lift").format(email=user["email"]),
            operator.EXIT_REFUSED,
        )
    user = _set_ban(auth, user, None, None)
    if as_json:
        print_json(user)
        return
    out.print(_("{email} may sign in again").format(email=user["email"]))
    frozen = _frozen_campaigns(str(user["id"]))
    if frozen:
        err.print(
            i18n.ngettext(
                "{count} campaign stays frozen until checked: campaigns unfreeze {slugs}",
                "{count} campaigns stay frozen until checked: campaigns unfreeze {slugs}",
                len(frozen),
            ).format(count=len(frozen), slugs=", ".join(frozen))
        )


def _frozen_campaigns(user_id: str) -> list[str]:
    with db.connect() as conn:
        rows = conn.execute(
            "select slug from public.campaigns where owner_id = %s and status = 'frozen'"
            " order by slug",
            [user_id],
        ).fetchall()
    return [r["slug"] for r in rows]


# Roles and deletion -------------------------------------------------------------------------


def _role(user: dict, grant: bool) -> None:
    with db.connect() as conn:
        action = "users grant-admin" if grant else "users revoke-admin"
        with acting_as(conn, action, target=str(user["id"])):
            if grant:
                conn.execute(
                    "insert into public.user_roles (user_id, role) values (%s, 'admin')"
                    " on conflict do nothing",
                    [user["id"]],
                )
            elif (
                conn.execute(
                    "delete from public.user_roles where user_id = %s and role = 'admin'",
                    [user["id"]],
                ).rowcount
                == 0
            ):
                raise OperatorError(
                    _("{who} is not an admin").format(who=user["email"]), operator.EXIT_REFUSED
                )
    done = (
        _("{email}: admin granted (from their next token)")
        if grant
        else _("{email}: admin revoked (from their next token)")
    )
    err.print(done.format(email=user["email"]))


@app.command("grant-admin", help=N_("Make a user an admin."))
def grant_admin(who: str) -> None:
    _role(_target(who), grant=True)


@app.command("revoke-admin", help=N_("Take the admin role back."))
def revoke_admin(
    who: str,
    yes: bool = YES_OPTION,
) -> None:
    user = _target(who)
    if not yes:
        confirm(_("Revoke admin from {who}?").format(who=user["email"]))
    _role(user, grant=False)


@app.command(
    "delete",
    help=N_(
        "Delete an account: its identity is erased everywhere, its gifts stay as"
        " anonymous money records, its campaigns are handed over, frozen or cancelled."
    ),
)
def delete(
    who: str,
    soft: bool = typer.Option(
        False, "--soft", help=N_("GoTrue's soft delete: the auth row stays, obfuscated.")
    ),
    yes: bool = YES_OPTION,
) -> None:
    auth = auth_admin.for_console()
    user = _target(who, not_self=_("an operator does not delete their own account here"))
    if soft and user["deleted_at"] is not None:
        raise OperatorError(
            _("{id}: this account is already deleted (soft); without --soft, its row goes").format(
                id=user["id"]
            ),
            operator.EXIT_REFUSED,
        )
    if not yes:
        confirm(_("Delete the account {email}? This cannot be undone.").format(email=user["email"]))
    done = _("Supabase Auth has deleted the account {email}").format(email=user["email"])
    with (
        db.connect() as conn,
        auth_admin.told_if_half_done(
            auth, done, _("the deletion stands; record it in the audit log by hand")
        ),
        acting_as(conn, "users delete", target=str(user["id"]), soft=soft),
    ):
        conn.execute("set local role none")
        auth.delete_user(conn, str(user["id"]), soft=soft)
    out.print(_("{id}: account deleted").format(id=user["id"]))
