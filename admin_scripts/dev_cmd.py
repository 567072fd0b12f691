"""`cagnotte-admin dev …`: try the payment flow on the local stack without Stripe.

`dev donate` does what a donor and Stripe would: a pledge as the checkout makes
it (the payment core's SQL), then a Stripe-signed checkout.session.completed
event POSTed to the running service (`make run`), signed with the service's
STRIPE_WEBHOOK_SECRET.
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

from admin_scripts import db, localstack
from admin_scripts.console import print_json
from admin_scripts.errors import EXIT_NOT_FOUND, EXIT_PROVIDER, OperatorError, fail, refusal

app = typer.Typer(help="Local development helpers.", no_args_is_help=True)


def stripe_signature(payload: bytes, secret: str, timestamp: int) -> str:
    """Stripe's scheme: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def _setting(name: str) -> str:
    value = localstack.setting(name)
    if not value:
        raise typer.BadParameter(f"{name} is not set (nor in .env.local): run `make run` first")
    return value


@app.command("donate")
def donate(
    campaign: str = typer.Option(..., help="Slug of a published campaign."),
    amount: int = typer.Option(
        ..., help="Amount in the campaign currency's minor units (XOF: francs)."
    ),
    name: str = typer.Option("Donateur local", help="Donor display name."),
    anonymous: bool = typer.Option(False, "--anonymous", help="Give anonymously."),
    service: str = typer.Option(
        f"http://127.0.0.1:{localstack.SERVICE_PORT}", help="The running webhooks service."
    ),
) -> None:
    """Pledge, then send the signed Stripe event that pays it, to the local service."""
    secret = _setting("STRIPE_WEBHOOK_SECRET")
    with db.connect() as conn:
        row = conn.execute(
            "select id, currency from public.campaigns where slug = %s", [campaign]
        ).fetchone()
        if row is None:
            raise fail(OperatorError(f"no campaign with slug {campaign!r}", EXIT_NOT_FOUND))
        try:
            pledge = conn.execute(
                "select private.create_donation(campaign_id => %s, amount => %s, currency => %s,"
                " provider => 'stripe', donor_name => %s, is_anonymous => %s) as p",
                [row["id"], amount, row["currency"], name, anonymous],
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
                "amount_total": amount,
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
        message = f"the service does not answer at {service}: run `make run`"
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
