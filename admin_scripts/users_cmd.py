"""`cagnotte-admin users …`: accounts, bans and the admin role.

A ban goes through Supabase Auth's admin API (supabase-py; SUPABASE_URL and
SUPABASE_SERVICE_ROLE_KEY), so that signing in is refused, and into the
database in the same step (auth.users.banned_until, as GoTrue writes it), so
that RLS refuses the user's writes at once, even with a token still valid.
The database then freezes the user's published campaigns (unban does not
unfreeze them: `campaigns unfreeze` once checked).
A deletion goes through the same API (DELETE /admin/users/<id>): GoTrue deletes
the auth.users row (or soft-deletes it), and the database erases the person's
data and releases their campaigns in that transaction (private.erase_account).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import typer

from admin_scripts import db, operator
from admin_scripts.console import JSON_OPTION, YES_OPTION, err, out, print_json, print_rows
from admin_scripts.operator import OperatorError, acting_as
from admin_scripts.settings import settings

app = typer.Typer(
    help="Users: list, show, ban, unban, delete, grant-admin, revoke-admin.", no_args_is_help=True
)

BAN_HOURS = 876_000  # "for good": a hundred years, as Supabase's dashboard does

USERS_SQL = """
select u.id, u.email, p.display_name, p.country, p.locale::text, u.created_at,
    u.banned_until,
    coalesce((select array_agg(r.role::text order by r.role) from public.user_roles as r
              where r.user_id = u.id), '{}') as roles,
    (select count(*) from public.campaigns as c where c.owner_id = u.id) as campaigns
from auth.users as u
left join public.profiles as p on p.id = u.id
"""


def auth_admin():
    """The Auth admin API client (supabase-py)."""
    from supabase import create_client

    url = str(settings().supabase_url or "").rstrip("/")
    key = settings().supabase_service_role_key
    if not url or not key:
        raise OperatorError(
            "SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY are needed for the Auth admin API",
            operator.EXIT_USAGE,
        )
    return create_client(url, key).auth.admin


def _auth_api_failure(exc: Exception) -> typer.Exit | None:
    """The Auth API's errors (network, 4xx) as the command's exit; None for others."""
    import httpx

    if isinstance(exc, httpx.TransportError):  # not reached: the provider's exit
        return operator.fail(
            OperatorError(f"the Auth admin API cannot be reached: {exc}", operator.EXIT_PROVIDER)
        )
    if type(exc).__module__.startswith(("supabase", "httpx")):
        return operator.fail(OperatorError(f"Auth admin API: {exc}", operator.EXIT_REFUSED))
    return None


def _find(conn, who: str) -> dict:
    """A user by email, or by id (in full or a prefix: operator.find_id)."""
    if "@" not in who:
        who = operator.find_id(conn, "auth.users", who)
    row = conn.execute(
        USERS_SQL + " where u.id::text = %s or lower(u.email) = lower(%s)", [who, who]
    ).fetchone()
    if row is None:
        raise OperatorError(f"{who}: no such user", operator.EXIT_NOT_FOUND)
    return row


@app.command("list")
def list_(
    search: str = typer.Option(None, "--search", help="Part of the email or name."),
    banned: bool = typer.Option(False, "--banned", help="Only banned users."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    """Users, newest first."""
    try:
        with db.connect() as conn:
            operator.resolve(conn)
            rows = conn.execute(
                USERS_SQL + " where (%(q)s::text is null or u.email ilike '%%' || %(q)s || '%%'"
                " or p.display_name ilike '%%' || %(q)s || '%%')"
                " and (not %(banned)s or u.banned_until > now())"
                " order by u.created_at desc limit %(n)s",
                {"q": search, "banned": banned, "n": limit},
            ).fetchall()
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    print_rows(
        rows, as_json=as_json, title="Users",
        columns={
            "email": "email", "name": "display_name", "roles": lambda r: ",".join(r["roles"]),
            "campaigns": "campaigns", "banned until": "banned_until",
        },
    )  # fmt: skip


@app.command("show")
def show(who: str) -> None:
    """One user (email or id), as JSON."""
    try:
        with db.connect() as conn:
            operator.resolve(conn)
            print_json(_find(conn, who))
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc


def _set_ban(who: str, reason: str | None, ban: bool) -> dict:
    try:
        with db.connect() as conn:
            operator.resolve(conn)
            user = _find(conn, who)
            # Auth first: if it refuses, nothing changed anywhere.
            auth_admin().update_user_by_id(
                str(user["id"]), {"ban_duration": f"{BAN_HOURS}h" if ban else "none"}
            )
            until = datetime.now(UTC) + timedelta(hours=BAN_HOURS) if ban else None
            action = "users ban" if ban else "users unban"
            with acting_as(conn, action, target=str(user["id"]), reason=reason):
                conn.execute("set local role none")
                conn.execute(
                    "update auth.users set banned_until = %s where id = %s", [until, user["id"]]
                )
            return _find(conn, str(user["id"]))
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    except Exception as exc:
        if (failure := _auth_api_failure(exc)) is None:
            raise
        raise failure from exc


@app.command("ban")
def ban(
    who: str,
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit log)."),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Refuse the user's sign-ins and writes, at once."""
    if not yes:
        typer.confirm(f"Ban {who}?", abort=True)
    user = _set_ban(who, reason, ban=True)
    print_json(user) if as_json else out.print(
        f"{user['email']} banned until {user['banned_until']}"
    )


@app.command("unban")
def unban(
    who: str,
    as_json: bool = JSON_OPTION,
) -> None:
    """Lift a ban."""
    user = _set_ban(who, None, ban=False)
    print_json(user) if as_json else out.print(f"{user['email']} may sign in again")


def _role(who: str, grant: bool) -> None:
    try:
        with db.connect() as conn:
            user = _find(conn, who)
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
                    raise OperatorError(f"{who} is not an admin", operator.EXIT_REFUSED)
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    err.print(f"{user['email']}: admin {'granted' if grant else 'revoked'} (from their next token)")


@app.command("grant-admin")
def grant_admin(who: str) -> None:
    """Make a user an admin."""
    _role(who, grant=True)


@app.command("revoke-admin")
def revoke_admin(
    who: str,
    yes: bool = YES_OPTION,
) -> None:
    """Take the admin role back."""
    if not yes:
        typer.confirm(f"Revoke admin from {who}?", abort=True)
    _role(who, grant=False)


@app.command("delete")
def delete(
    who: str,
    soft: bool = typer.Option(
        False, "--soft", help="GoTrue's soft delete: the auth row stays, obfuscated."
    ),
    yes: bool = YES_OPTION,
) -> None:
    """Delete an account: its identity is erased everywhere, its gifts stay as
    anonymous money records, its campaigns are handed over, frozen or cancelled."""
    if not yes:
        typer.confirm(f"Delete the account {who}? This cannot be undone.", abort=True)
    try:
        with db.connect() as conn:
            acting = operator.resolve(conn)
            user = _find(conn, who)
        if user["id"] == acting["id"]:
            raise OperatorError(
                "an operator does not delete their own account here", operator.EXIT_REFUSED
            )
        auth_admin().delete_user(str(user["id"]), should_soft_delete=soft)
        operator.record("users delete", target=str(user["id"]), soft=soft)
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    except Exception as exc:
        if (failure := _auth_api_failure(exc)) is None:
            raise
        raise failure from exc
    out.print(f"{user['id']}: account deleted", markup=False)
