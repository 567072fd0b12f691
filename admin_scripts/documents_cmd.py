"""`cagnotte-admin documents …`: the proofs four categories ask for before a
payout (santé, funérailles, éducation, urgence: public.category_proof_requirements).

- ``list`` what waits for review (or ``--status``, ``--all``, ``--campaign``);
  ``show`` one: campaign, type, who uploaded it and when, status, note.
- ``open`` prints a signed link to the file. The files are private Cloudinary
  assets (type ``authenticated``, resource type ``image``, under
  ``africagnotte/documents/<campaign id>/``: webhooks.cloudinary_gateway signs
  their uploads so): the link is a download URL of Cloudinary's API signed by the
  Cloudinary library with CLOUDINARY_URL's secret, valid for ``--minutes``;
  nothing is fetched. Opening one is audited (they hold personal data).
- ``accept`` and ``refuse`` decide through public.review_campaign_document as
  the operator (staff only, never on the campaign's team; a refusal needs a
  reason: the database's rules), audited.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import cloudinary.utils
import typer
from rich.table import Table
from rich.text import Text

from admin_scripts import choices, db, i18n, operator
from admin_scripts.choices import DocumentStatus
from admin_scripts.console import JSON_OPTION, cell, err, out, print_json, print_rows, visible
from admin_scripts.errors import EXIT_NOT_FOUND, EXIT_PROVIDER, OperatorError
from admin_scripts.i18n import N_, _
from admin_scripts.operator import acting_as
from admin_scripts.settings import settings

app = typer.Typer(
    help=N_("Proof documents for payouts: list what waits, show, open, accept, refuse."),
    no_args_is_help=True,
)

SHORT_ID = 8  # ids are shown by their first characters in tables: any unambiguous prefix works

DOCUMENTS = """
select d.id, d.campaign_id, c.slug as campaign, c.title as campaign_title, d.document_type,
    r.label_fr, r.label_en, d.file_ref, d.status::text as status,
    d.uploaded_by, u.display_name as uploaded_by_name, d.created_at,
    d.reviewed_by, v.display_name as reviewed_by_name, d.reviewed_at, d.review_note,
    exists (
        select 1 from public.payout_requests as p
        where p.campaign_id = d.campaign_id and p.status in ('requested', 'approved')
    ) as payout_waiting
from public.campaign_documents as d
inner join public.campaigns as c on d.campaign_id = c.id
left join public.category_proof_requirements as r
    on c.category = r.category and d.document_type = r.document_type
left join public.profiles as u on d.uploaded_by = u.id
left join public.profiles as v on d.reviewed_by = v.id
"""

LISTED = (
    DOCUMENTS
    + """
where (%(status)s::text is null or d.status::text = %(status)s)
    and (%(campaign)s::uuid is null or d.campaign_id = %(campaign)s::uuid)
order by payout_waiting desc, d.created_at, d.id
limit %(limit)s
"""
)


def label(row: dict[str, Any]) -> str:
    """The document's type as the category names it, in the console's language."""
    text = row.get("label_fr") if i18n.language() == "fr" else row.get("label_en")
    return text or row["document_type"]


def short(value: Any) -> str:
    return str(value)[:SHORT_ID]


def print_fields(title: str, fields: list[tuple[str, Any]]) -> None:
    """A title, then one "label  value" line per field (the title and values
    shown literally: a campaign's title may hold bidirectional controls)."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for name, value in fields:
        grid.add_row(Text(name), cell(value))
    out.print(Text(visible(title), style="bold"))
    out.print(grid)


def documents(
    conn, *, status: str | None = None, campaign: str | None = None, limit: int = 10_000
) -> list[dict[str, Any]]:
    """The documents the operator sees (staff see them all): those an open payout
    waits on first, then oldest first."""
    return conn.execute(LISTED, {"status": status, "campaign": campaign, "limit": limit}).fetchall()


def one(conn, document_id: str) -> dict[str, Any]:
    row = conn.execute(DOCUMENTS + " where d.id = %s", [document_id]).fetchone()
    if row is None:
        raise OperatorError(_("{id}: no such document").format(id=document_id), EXIT_NOT_FOUND)
    return row


@app.command(
    "list",
    help=N_("Documents waiting for review: those a payout waits on first, then oldest first"
            " (or --status, --all)."),
)  # fmt: skip
def list_(
    status: DocumentStatus = typer.Option(
        None, "--status", help=N_("Only this status (default: pending, waiting for review).")
    ),
    every: bool = typer.Option(False, "--all", help=N_("Every status.")),
    campaign: str = typer.Option(None, "--campaign", help=N_("Only this campaign (id or slug).")),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    wanted = None if every else (choices.value(status) or DocumentStatus.pending.value)
    with db.connect() as conn:
        campaign_id = operator.find_id(conn, "campaigns", campaign, slug=True) if campaign else None
        with acting_as(conn):
            rows = documents(conn, status=wanted, campaign=campaign_id, limit=limit)
    print_rows(
        rows, as_json=as_json, title=_("Proof documents"),
        columns={
            _("id"): lambda r: short(r["id"]),
            _("campaign"): "campaign",
            _("document"): label,
            _("status"): "status",
            _("uploaded"): lambda r: i18n.when(r["created_at"]),
            _("by"): "uploaded_by_name",
            _("payout waiting"): lambda r: _("yes") if r["payout_waiting"] else _("no"),
        },
    )  # fmt: skip


@app.command("show", help=N_("One document: its campaign, type, uploader, status and note."))
def show(
    document: str = typer.Argument(..., help=N_("The document's id (or its first characters).")),
    as_json: bool = JSON_OPTION,
) -> None:
    with db.connect() as conn:
        found = operator.find_id(conn, "campaign_documents", document)
        with acting_as(conn):
            row = one(conn, found)
    if as_json:
        print_json(row)
        return
    print_fields(
        _("Proof document {id}").format(id=row["id"]),
        [
            (_("Campaign"), f"{row['campaign']} ({row['campaign_title']})"),
            (_("Document"), f"{label(row)} ({row['document_type']})"),
            (_("File"), row["file_ref"]),
            (_("Uploaded by"), row["uploaded_by_name"] or row["uploaded_by"]),
            (_("Uploaded"), i18n.when(row["created_at"])),
            (_("Status"), row["status"]),
            (_("A payout waits on it"), _("yes") if row["payout_waiting"] else _("no")),
            (_("Reviewed by"), row["reviewed_by_name"] or row["reviewed_by"]),
            (_("Reviewed"), i18n.when(row["reviewed_at"])),
            (_("Note"), row["review_note"]),
        ],
    )


def cloudinary_credentials() -> tuple[str, str, str]:
    """(cloud, key, secret) from CLOUDINARY_URL; not configured: exit 6."""
    credentials = settings().cloudinary
    if credentials is None:
        raise OperatorError(
            _("Cloudinary is not configured: set CLOUDINARY_URL (cloudinary://key:secret@cloud)"
              " in the environment or .env.local"),
            EXIT_PROVIDER,
        )  # fmt: skip
    return credentials


def signed_url(file_ref: str, minutes: int) -> tuple[str, datetime]:
    """A download link to the private asset, signed by the Cloudinary library,
    and when it expires (CLOUDINARY_API_BASE points it elsewhere in tests)."""
    cloud, key, secret = cloudinary_credentials()
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=minutes)
    options: dict[str, Any] = {
        "cloud_name": cloud, "api_key": key, "api_secret": secret,
        "resource_type": "image", "type": "authenticated",
        "expires_at": int(expires.timestamp()),
    }  # fmt: skip
    if base := settings().cloudinary_api_base:
        options["upload_prefix"] = base.rstrip("/")
    # no format: Cloudinary delivers the file as it was uploaded
    return cloudinary.utils.private_download_url(file_ref, None, **options), expires


@app.command("open", help=N_("Print a signed link to the document's file (audited)."))
def open_(
    document: str = typer.Argument(..., help=N_("The document's id (or its first characters).")),
    minutes: int = typer.Option(
        15, "--minutes", min=1, max=24 * 60, help=N_("How long the link works, in minutes.")
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    found = operator.full_id("campaign_documents", document)
    cloudinary_credentials()  # says what to configure before anything is audited
    with db.connect() as conn, acting_as(conn, "documents open", target=found, minutes=minutes):
        row = one(conn, found)
    url, expires = signed_url(row["file_ref"], minutes)
    if as_json:
        print_json({"id": row["id"], "file_ref": row["file_ref"], "url": url,
                    "expires_at": expires})  # fmt: skip
        return
    out.print(url)
    err.print(_("The link works until {moment}.").format(moment=i18n.when(expires)))


def review(action: str, document_id: str, status: DocumentStatus, note: str | None) -> dict:
    """public.review_campaign_document as the operator, audited; the document after."""
    found = operator.full_id("campaign_documents", document_id)
    operator.call(action, "review_campaign_document", found, status.value, note, target=found)
    with db.connect() as conn, acting_as(conn):
        return one(conn, found)


def print_decision(row: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(row)
        return
    shown = {"id": short(row["id"]), "document": label(row), "campaign": row["campaign"]}
    if row["status"] == DocumentStatus.accepted:
        out.print(_("Accepted: {document} of {campaign} ({id}).").format(**shown))
    else:
        out.print(
            _("Refused: {document} of {campaign} ({id}); the team reads: {note}").format(
                **shown, note=row["review_note"]
            )
        )


@app.command("accept", help=N_("Accept a document: the payouts stop waiting for it."))
def accept(
    document: str = typer.Argument(..., help=N_("The document's id (or its first characters).")),
    note: str = typer.Option(None, "--note", help=N_("A note kept with the decision.")),
    as_json: bool = JSON_OPTION,
) -> None:
    print_decision(review("documents accept", document, DocumentStatus.accepted, note), as_json)


@app.command(
    "refuse", help=N_("Refuse a document with the reason: its team reads it and uploads another.")
)
def refuse(
    document: str = typer.Argument(..., help=N_("The document's id (or its first characters).")),
    reason: str = typer.Option(
        ..., "--reason", help=N_("What is wrong with it (shown to the campaign's team).")
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    print_decision(review("documents refuse", document, DocumentStatus.rejected, reason), as_json)
