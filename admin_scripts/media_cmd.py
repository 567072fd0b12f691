"""`cagnotte-admin media …`: the Cloudinary side of campaign media."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import cloudinary.api
import cloudinary.exceptions
import typer

from admin_scripts import db, i18n, operator
from admin_scripts.console import JSON_OPTION, YES_OPTION, confirm, err, out, print_json, table
from admin_scripts.errors import EXIT_PROVIDER, EXIT_USAGE, OperatorError
from admin_scripts.i18n import N_, _, ngettext
from admin_scripts.settings import settings

app = typer.Typer(help=N_("Campaign media at Cloudinary."), no_args_is_help=True)

FOLDER = "africagnotte/"
BATCH = 100  # the Admin API takes 100 ids per call


def cloudinary_options() -> dict[str, Any]:
    """Credentials from CLOUDINARY_URL (the console's settings: environment, else
    .env.local); CLOUDINARY_API_BASE points the Admin API elsewhere (tests)."""
    url = settings().cloudinary_url or ""
    if not url.startswith("cloudinary://") or "@" not in url:
        raise OperatorError(
            _("set CLOUDINARY_URL (cloudinary://key:secret@cloud): environment or .env.local"),
            EXIT_USAGE,
        )
    credentials, _at, cloud = url.removeprefix("cloudinary://").rpartition("@")
    key, _colon, secret = credentials.partition(":")
    options: dict[str, Any] = {"cloud_name": cloud, "api_key": key, "api_secret": secret}
    if api_base := settings().cloudinary_api_base:
        options["upload_prefix"] = api_base.rstrip("/")
    return options


def list_assets(options: dict[str, Any]) -> list[dict[str, Any]]:
    """Every asset in the project's folders (images and videos), page by page."""
    assets = []
    for resource_type in ("image", "video"):
        cursor = None
        while True:
            page = cloudinary.api.resources(
                resource_type=resource_type, type="upload", prefix=FOLDER, max_results=500,
                next_cursor=cursor, **options,
            )  # fmt: skip
            assets += [{**r, "resource_type": resource_type} for r in page.get("resources", [])]
            cursor = page.get("next_cursor")
            if not cursor:
                break
    return assets


def referenced_public_ids() -> set[str]:
    """What any row references (all of them, whatever RLS would show: an asset
    kept by a hidden row is not an orphan); the acting operator must be an admin."""
    with db.connect() as conn:
        operator.resolve(conn)
        rows = conn.execute(
            "select public_id from public.campaign_media"
            " union select substring(avatar_url from '/q_auto/(africagnotte/avatars/.+)$')"
            " from public.profiles where avatar_url like '%/africagnotte/avatars/%'"
        ).fetchall()
    return {r["public_id"] for r in rows if r["public_id"]}


def cloudinary_error(exc: Exception) -> OperatorError:
    return OperatorError(
        _("Cloudinary cannot be reached or refused: {reason}").format(reason=exc), EXIT_PROVIDER
    )


def created_at(asset: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(asset["created_at"].replace("Z", "+00:00"))


def orphans_of(assets: list[dict[str, Any]], grace_hours: float) -> list[dict[str, Any]]:
    referenced = referenced_public_ids()
    cutoff = datetime.now(UTC) - timedelta(hours=grace_hours)
    return [
        a for a in assets
        if a["public_id"] not in referenced
        and created_at(a) < cutoff
    ]  # fmt: skip


def show(orphans: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(orphans)
        return
    title = ngettext("{count} orphan", "{count} orphans", len(orphans))
    headers = [_("public_id"), _("type"), _("bytes"), _("created")]
    rows = (
        (a["public_id"], a["resource_type"], a.get("bytes"), i18n.when(created_at(a)))
        for a in orphans
    )
    out.print(table(title.format(count=len(orphans)), headers, rows))


def delete(orphans: list[dict[str, Any]], options: dict[str, Any]) -> None:
    for resource_type in ("image", "video"):
        ids = [a["public_id"] for a in orphans if a["resource_type"] == resource_type]
        for start in range(0, len(ids), BATCH):
            cloudinary.api.delete_resources(
                ids[start : start + BATCH], resource_type=resource_type, type="upload", **options
            )


@app.command(
    "purge-orphans",
    help=N_("Assets in the project's folders that no row references, older than the grace period."),
)
def purge_orphans(
    grace_hours: float = typer.Option(
        24, min=0, help=N_("Keep assets younger than this (uploads in flight).")
    ),
    apply: bool = typer.Option(
        False, "--apply", help=N_("Delete them at Cloudinary (else: only list).")
    ),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    options = cloudinary_options()
    try:
        assets = list_assets(options)
    except cloudinary.exceptions.Error as exc:
        raise cloudinary_error(exc) from exc
    orphans = orphans_of(assets, grace_hours)
    show(orphans, as_json)
    if not apply or not orphans:
        err.print(
            _("{assets} asset(s) in {folder}, {orphans} orphan(s); nothing deleted").format(
                assets=len(assets), folder=FOLDER, orphans=len(orphans)
            )
        )
        return
    confirm(
        ngettext(
            "Delete {count} asset at Cloudinary for good?",
            "Delete {count} assets at Cloudinary for good?",
            len(orphans),
        ).format(count=len(orphans)),
        yes=yes,
    )
    try:
        delete(orphans, options)
    except cloudinary.exceptions.Error as exc:
        raise cloudinary_error(exc) from exc
    operator.record("media purge-orphans", deleted=[a["public_id"] for a in orphans])
    err.print(
        ngettext("deleted {count} orphan", "deleted {count} orphans", len(orphans)).format(
            count=len(orphans)
        )
    )
