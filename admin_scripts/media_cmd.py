"""`cagnotte-admin media …`: the Cloudinary side of campaign media."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import cloudinary.api
import cloudinary.exceptions
import typer
from rich.table import Table

from admin_scripts import db
from admin_scripts.console import JSON_OPTION, YES_OPTION, cell, err, out, print_json
from admin_scripts.errors import EXIT_PROVIDER, OperatorError, fail
from admin_scripts.settings import settings

app = typer.Typer(help="Campaign media at Cloudinary.", no_args_is_help=True)

FOLDER = "africagnotte/"


def cloudinary_options() -> dict[str, Any]:
    """Credentials from CLOUDINARY_URL (environment, else .env.local);
    CLOUDINARY_API_BASE points the Admin API elsewhere (tests)."""
    url = settings().cloudinary_url or ""
    if not url.startswith("cloudinary://") or "@" not in url:
        raise typer.BadParameter("CLOUDINARY_URL (cloudinary://key:secret@cloud) is not set")
    credentials, _, cloud = url.removeprefix("cloudinary://").rpartition("@")
    key, _, secret = credentials.partition(":")
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
    with db.connect() as conn:
        rows = conn.execute(
            "select public_id from public.campaign_media"
            " union select substring(avatar_url from '/q_auto/(africagnotte/avatars/.+)$')"
            " from public.profiles where avatar_url like '%/africagnotte/avatars/%'"
        ).fetchall()
    return {r["public_id"] for r in rows if r["public_id"]}


@app.command("purge-orphans")
def purge_orphans(
    grace_hours: float = typer.Option(
        24, help="Keep assets younger than this (uploads in flight)."
    ),
    apply: bool = typer.Option(
        False, "--apply", help="Delete them at Cloudinary (else: only list)."
    ),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Assets in the project's folders that no row references, older than the grace period."""
    options = cloudinary_options()
    try:
        assets = list_assets(options)
    except cloudinary.exceptions.Error as exc:
        raise fail(OperatorError(f"Cloudinary: {exc}", EXIT_PROVIDER)) from exc
    referenced = referenced_public_ids()
    cutoff = datetime.now(UTC) - timedelta(hours=grace_hours)
    orphans = [
        a for a in assets
        if a["public_id"] not in referenced
        and datetime.fromisoformat(a["created_at"].replace("Z", "+00:00")) < cutoff
    ]  # fmt: skip
    if as_json:
        print_json(orphans)
    else:
        table = Table("public_id", "type", "bytes", "created_at", title=f"{len(orphans)} orphan(s)")
        for a in orphans:
            table.add_row(
                *map(cell, (a["public_id"], a["resource_type"], a.get("bytes"), a["created_at"]))
            )
        out.print(table)
    if not apply or not orphans:
        err.print(f"{len(assets)} asset(s) in {FOLDER}, {len(orphans)} orphan(s); nothing deleted")
        return
    if not yes:
        typer.confirm(f"Delete {len(orphans)} asset(s) at Cloudinary?", abort=True)
    for resource_type in ("image", "video"):
        ids = [a["public_id"] for a in orphans if a["resource_type"] == resource_type]
        for start in range(0, len(ids), 100):  # the Admin API takes 100 ids per call
            cloudinary.api.delete_resources(
                ids[start : start + 100], resource_type=resource_type, type="upload", **options
            )
    err.print(f"deleted {len(orphans)} orphan(s)")
