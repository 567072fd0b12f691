"""`cagnotte-admin dev …`: the developers' helpers on the local stack.

`dev donate` does what a donor and Stripe would: a pledge as the checkout makes
it (the payment core's SQL), then a Stripe-signed checkout.session.completed
event POSTed to the running service (`make run`), signed with the service's
STRIPE_WEBHOOK_SECRET.

`dev scenario` fills the local database with a day to rehearse (localdev.scenario).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import psycopg
import requests
import typer

from admin_scripts import db, i18n
from admin_scripts.console import JSON_OPTION, err, out, print_json, table
from admin_scripts.doctor_cmd import DoctorError, is_hosted
from admin_scripts.errors import (
    EXIT_NOT_FOUND,
    EXIT_PROVIDER,
    EXIT_REFUSED,
    EXIT_USAGE,
    OperatorError,
    fail,
    refusal,
)
from admin_scripts.i18n import N_, _
from admin_scripts.settings import settings
from localdev import scenario, stack

app = typer.Typer(help=N_("Local development helpers."), no_args_is_help=True)


def stripe_signature(payload: bytes, secret: str, timestamp: int) -> str:
    """Stripe's scheme: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def _webhook_secret() -> str:
    value = settings().stripe_webhook_secret
    if not value:
        message = _("{name} is not set (nor in .env.local): run `make run` first")
        raise typer.BadParameter(message.format(name="STRIPE_WEBHOOK_SECRET"))
    return value


@app.command(
    "donate",
    help=N_("Pledge, then send the signed Stripe event that pays it, to the local service."),
)
def donate(
    campaign: str = typer.Option(..., help=N_("Slug of a published campaign.")),
    amount: str = typer.Option(
        ...,
        help=N_("Amount in the campaign's currency, written as people write it (5 000, 100,50)."),
    ),
    name: str = typer.Option("Donateur local", help=N_("Donor display name.")),
    anonymous: bool = typer.Option(False, "--anonymous", help=N_("Give anonymously.")),
    service: str = typer.Option(
        f"http://127.0.0.1:{stack.SERVICE_PORT}", help=N_("The running webhooks service.")
    ),
) -> None:
    secret = _webhook_secret()
    with db.connect() as conn:
        row = conn.execute(
            "select id, currency from public.campaigns where slug = %s", [campaign]
        ).fetchone()
        if row is None:
            message = _("no campaign with the slug {slug}").format(slug=repr(campaign))
            raise fail(OperatorError(message, EXIT_NOT_FOUND))
        minor = i18n.parse_money(amount, row["currency"])
        try:
            pledge = conn.execute(
                "select private.create_donation(campaign_id => %s, amount => %s, currency => %s,"
                " provider => 'stripe', donor_name => %s, is_anonymous => %s) as p",
                [row["id"], minor, row["currency"], name, anonymous],
            ).fetchone()["p"]
        except psycopg.Error as exc:  # the database's refusal, as the donor would get it
            raise fail(refusal(exc)) from exc
        session_id = f"cs_test_local_{uuid.uuid4().hex[:16]}"
        conn.execute("select private.attach_checkout(%s, %s)", [pledge["attempt_id"], session_id])

    now = int(time.time())
    event = {
        "id": f"evt_local_{uuid.uuid4().hex[:16]}",
        "object": "event",
        "type": "checkout.session.completed",
        "created": now,
        "livemode": False,
        "data": {
            "object": {
                "id": session_id,
                "object": "checkout.session",
                "mode": "payment",
                "payment_status": "paid",
                "status": "complete",
                "amount_total": minor,
                "currency": row["currency"].lower(),
                "payment_intent": None,
                "client_reference_id": pledge["donation_id"],
                "metadata": {
                    "donation_id": pledge["donation_id"],
                    "attempt_id": pledge["attempt_id"],
                },
            }
        },
    }
    body = json.dumps(event).encode()
    try:
        response = requests.post(
            f"{service}/webhooks/stripe",
            data=body,
            headers={"Stripe-Signature": stripe_signature(body, secret, now),
                     "Content-Type": "application/json"},
            timeout=10,
        )  # fmt: skip
    except requests.ConnectionError as exc:
        message = _("the service does not answer at {url}: run `make run`").format(url=service)
        raise fail(OperatorError(message, EXIT_PROVIDER)) from exc
    with db.connect() as conn:
        totals = conn.execute(
            "select collected_amount, donor_count, status::text from public.campaigns"
            " where slug = %s",
            [campaign],
        ).fetchone()
    print_json(
        {"donation_id": pledge["donation_id"], "webhook": response.json(), "campaign": totals}
    )
    if response.status_code != 200:
        raise typer.Exit(code=1)


# dev scenario ------------------------------------------------------------------------------

COUNTS = {
    "accounts": N_("accounts"),
    "campaigns_active": N_("published campaigns"),
    "campaigns_pending_review": N_("campaigns waiting for review"),
    "campaigns_draft": N_("drafts"),
    "edits_to_review": N_("edits waiting for review"),
    "media": N_("photos"),
    "donations_XOF": N_("donations in XOF"),
    "donations_EUR": N_("donations in EUR"),
    "donations_mobile_money": N_("donations by mobile money"),
    "donations_card": N_("donations by card"),
    "co_organizers": N_("co-organizers"),
    "documents_pending": N_("proof documents to review"),
    "payouts_requested": N_("payouts requested"),
    "payouts_waiting_on_treasurers": N_("payouts waiting on treasurers"),
    "payouts_waiting_on_admin": N_("payouts waiting on an admin"),
    "treasurer_approvals": N_("treasurer approvals"),
    "comments": N_("comments"),
    "comments_hidden": N_("hidden comments"),
    "reports_open": N_("open reports"),
}
ROLES = {"admin": N_("admin"), "moderator": N_("moderator")}


def _local_database() -> str:
    """DATABASE_URL when it is on this machine; anywhere else a usage error."""
    url = db.database_url()
    try:
        hosted = is_hosted(url)
    except DoctorError as exc:
        raise OperatorError(str(exc), EXIT_USAGE) from exc
    if hosted:
        raise OperatorError(
            _("dev scenario fills a local database only; DATABASE_URL points elsewhere"),
            EXIT_USAGE,
        )
    return url


@app.command(
    "scenario",
    help=N_(
        "Fill the local database with a day to rehearse: campaigns to review, reports,"
        " hidden comments, payouts waiting on treasurers, proofs to review, donations over"
        " weeks in XOF and EUR, by mobile money and card."
    ),
)
def scenario_(as_json: bool = JSON_OPTION) -> None:
    _local_database()
    with db.connect() as conn:
        try:
            made = scenario.fill(conn)
        except scenario.AlreadyMade as exc:
            message = _(
                "the scenario is already in this database (accounts @{domain}):"
                " `cagnotte-admin local reset` (make reset) to start again"
            )
            raise OperatorError(message.format(domain=exc), EXIT_REFUSED) from exc
    if as_json:
        print_json(made.as_json())
        return
    order = {kind: i for i, kind in enumerate(COUNTS)}
    counts = sorted(made.counts.items(), key=lambda item: order.get(item[0], len(order)))
    rows = [(_(COUNTS.get(kind, kind)), str(n)) for kind, n in counts]
    out.print(table(_("What the day holds"), [_("What"), _("How many")], rows))
    staff = [a for a in made.accounts if a["role"]]
    rows = [(a["email"], a["name"], _(ROLES[a["role"]])) for a in staff]
    out.print(table(_("Accounts to sign in with"), [_("Email"), _("Name"), _("Role")], rows))
    err.print(
        _(
            "Every account of the scenario has the password {password}. Try the console as"
            " the admin: cagnotte-admin --operator {email} campaigns review-queue"
        ).format(password=scenario.PASSWORD, email=staff[0]["email"])
    )
