"""Emails are rendered by their sender, not by the event (issue #21): a payment's
transaction writes its messages with raw values (private.enqueue_email, one
insert); the sender's claim (private.claim_emails) renders each the first time
it takes it, in the recipient's locale, with the same text as when events
rendered them; a message that cannot be rendered fails alone, with its reason."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from admin_scripts import mailer

NBSP = "\u00a0"
MAIL_FROM = "AfriCagnotte <no-reply@africagnotte.test>"
SITE = "http://127.0.0.1:3000"
RENDERING = ["render_email", "email_value", "format_money", "format_time", "receipt_path"]


@pytest.fixture
def send(db, smtp_server):
    """Runs the sender (admin_scripts/mailer.py) over everything due; its counts."""
    conns = []

    def send(batch=20):
        conn = psycopg.connect(db.url, autocommit=True, row_factory=dict_row)
        conns.append(conn)
        smtp = mailer.SmtpSettings.from_url(smtp_server.url)
        return mailer.Sender(conn, smtp, MAIL_FROM, batch=batch).send_all_due()

    yield send
    for c in conns:
        c.close()


def enqueue(db, template, vars_, key, to="awa@example.test", locale="fr"):
    db.sql(
        "select private.enqueue_email(null, %s, %s, %s, %s, %s)",
        [to, locale, template, Jsonb(vars_), key],
    )


def outbox(db, template=None):
    return db.sql(
        "select * from private.email_outbox where %(t)s::text is null or template = %(t)s"
        " order by id",
        {"t": template},
    )


def delivered(smtp_server, address):
    """Subject -> body of the messages to an address, as the recipient reads them."""
    return {m["Subject"]: text_of(m) for m in smtp_server.recorder.to(address)}


def text_of(message):
    return message.get_content().replace("\r\n", "\n")  # SMTP's line ends


# The payment's transaction -------------------------------------------------------------------


def test_a_payment_event_writes_its_two_emails_with_raw_values_and_no_text(
    db, give, owner, user, make_campaign
):
    campaign = make_campaign(owner, "active", goal_amount=500_000)
    give(campaign, 25_000, user)
    (told,) = outbox(db, "donation_received")
    (receipt,) = outbox(db, "donation_receipt")
    for row in (told, receipt):
        assert (row["subject"], row["body"], row["status"]) == (None, None, "pending")
    assert told["vars"]["amount"] == {"money": 25_000, "currency": "XOF"}
    assert told["vars"]["collected"] == {"money": 25_000, "currency": "XOF"}
    assert told["vars"]["campaign_url"] == {"path": f"/c/{campaign['slug']}"}
    assert receipt["vars"]["amount"] == {"money": 25_000, "currency": "XOF"}
    assert set(receipt["vars"]["receipt_url"]) == {"receipt"}


def test_a_payment_events_transaction_calls_no_rendering_function(db, owner, user, make_campaign):
    campaign = make_campaign(owner, "active")
    with psycopg.connect(db.superuser_url, row_factory=dict_row) as conn:  # one transaction
        conn.execute("set local track_functions = 'all'")
        p = conn.execute(
            "select private.create_donation(campaign_id => %s, amount => 5000, currency => 'XOF',"
            " provider => 'stripe', donor_id => %s) as p",
            [campaign["id"], user.id],
        ).fetchone()["p"]
        outcome = {"kind": "payment", "status": "succeeded", "amount": 5000, "currency": "XOF",
                   "donation_id": p["donation_id"], "fee": 0}  # fmt: skip
        conn.execute(
            "select private.record_payment_event('stripe', 'evt_render', 'x', now(), false, '{}', %s)",
            [Jsonb(outcome)],
        )
        conn.execute(
            "set constraints all immediate"
        )  # the deferred triggers: receipt, notification
        calls = {
            name: conn.execute(
                "select coalesce(pg_stat_get_xact_function_calls(%s::regproc), 0) as n",
                [f"private.{name}"],
            ).fetchone()["n"]
            for name in [*RENDERING, "enqueue_email"]
        }
    assert calls == {**dict.fromkeys(RENDERING, 0), "enqueue_email": 2}
    assert len(outbox(db)) >= 2


# The same text as before ----------------------------------------------------------------------

EXPECTED = {
    "fr": {
        "donation_received": (
            f"Nouveau don de 25{NBSP}000{NBSP}FCFA pour « Soins pour Aminata à Bamako »",
            "Bonjour Aminata Traoré,\n\n"
            f"Fatou Ndiaye vient de donner 25{NBSP}000{NBSP}FCFA à votre cagnotte"
            " « Soins pour Aminata à Bamako ».\n"
            f"Collecté : 25{NBSP}000{NBSP}FCFA sur un objectif de 1{NBSP}234{NBSP}567{NBSP}FCFA.\n\n"
            "{site}/c/{slug}\n\n"
            "L'équipe AfriCagnotte\n"
            "Vos préférences : {site}/parametres/notifications\n",
        ),
        "donation_receipt": (
            "Merci pour votre don à « Soins pour Aminata à Bamako » (reçu {number})",
            "Bonjour Fatou Ndiaye,\n\n"
            f"Merci pour votre don de 25{NBSP}000{NBSP}FCFA à la cagnotte"
            " « Soins pour Aminata à Bamako ».\n"
            "Votre reçu n° {number} est disponible ici :\n"
            "{site}{receipt_path}\n\n"
            "L'équipe AfriCagnotte\n",
        ),
    },
    "en": {
        "donation_received": (
            f'New donation of 25,000{NBSP}FCFA to "Soins pour Aminata à Bamako"',
            "Hello Aminata Traoré,\n\n"
            f'Fatou Ndiaye just gave 25,000{NBSP}FCFA to your fundraiser "Soins pour Aminata à Bamako".\n'
            f"Raised: 25,000{NBSP}FCFA of a 1,234,567{NBSP}FCFA goal.\n\n"
            "{site}/c/{slug}\n\n"
            "The AfriCagnotte team\n"
            "Your preferences: {site}/parametres/notifications\n",
        ),
        "donation_receipt": (
            'Thank you for your donation to "Soins pour Aminata à Bamako" (receipt {number})',
            "Hello Fatou Ndiaye,\n\n"
            f'Thank you for your donation of 25,000{NBSP}FCFA to the fundraiser "Soins pour Aminata à Bamako".\n'
            "Your receipt no. {number} is here:\n"
            "{site}{receipt_path}\n\n"
            "The AfriCagnotte team\n",
        ),
    },
}


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_sender_delivers_the_donation_emails_word_for_word_as_the_event_rendered_them(
    db, give, make_user, make_campaign, send, smtp_server, locale
):
    organiser = make_user(user_metadata={"full_name": "Aminata Traoré", "locale": locale})
    donor = make_user(user_metadata={"full_name": "Fatou Ndiaye", "locale": locale})
    campaign = make_campaign(organiser, "active", goal_amount=1_234_567)
    p = give(campaign, 25_000, donor)
    receipt = db.one(
        "select number, private.receipt_path(id) as path from public.receipts where donation_id = %s",
        [p["donation_id"]],
    )
    send()
    fill = {"site": SITE, "slug": campaign["slug"], "number": receipt["number"],
            "receipt_path": receipt["path"]}  # fmt: skip
    for template, address in [
        ("donation_received", organiser.email),
        ("donation_receipt", donor.email),
    ]:
        subject, body = (text.format(**fill) for text in EXPECTED[locale][template])
        assert delivered(smtp_server, address)[subject] == body, template
        (row,) = outbox(db, template)
        assert (row["status"], row["subject"], row["body"]) == ("sent", subject, body)


# What cannot be rendered, and when the text is taken ---------------------------------------------


def test_a_message_without_template_fails_at_the_claim_and_the_others_still_go(
    db, send, smtp_server
):
    enqueue(db, "new_comment", {"campaign_title": "Avant"}, "a")
    enqueue(db, "no_such_template", {}, "b")
    enqueue(db, "new_comment", {"campaign_title": "Après"}, "c")
    counts = send(batch=2)  # the unrenderable one in the first batch: the batch is filled after it
    assert (counts["sent"], counts["failed"]) == (2, 1)
    status = {r["dedupe_key"]: (r["status"], r["subject"], r["last_error"]) for r in outbox(db)}
    assert status["b"] == (
        "failed",
        None,
        "template_missing: email template no_such_template (fr) does not exist",
    )
    assert {status["a"][0], status["c"][0]} == {"sent"}
    assert len(smtp_server.recorder.messages) == 2


def test_a_message_to_an_address_mail_cannot_use_fails_at_the_claim_and_is_never_sent(
    db, send, smtp_server
):
    enqueue(db, "new_comment", {"campaign_title": "X"}, "bad", to="x@evil.example,y")
    enqueue(db, "new_comment", {"campaign_title": "X"}, "good")
    assert send()["failed"] == 1
    (bad,) = [r for r in outbox(db) if r["dedupe_key"] == "bad"]
    assert bad["status"] == "failed"
    assert bad["last_error"].startswith("address_unusable:")
    assert [m["To"] for m in smtp_server.recorder.messages] == ["awa@example.test"]


def test_a_raw_value_that_is_not_what_it_says_fails_its_message_only(db, send, smtp_server):
    enqueue(db, "donation_received", {"amount": {"money": "beaucoup", "currency": "XOF"}}, "odd")
    enqueue(db, "new_comment", {"campaign_title": "X"}, "fine")
    assert send()["failed"] == 1
    (odd,) = [r for r in outbox(db) if r["dedupe_key"] == "odd"]
    assert odd["status"] == "failed"
    assert odd["last_error"].startswith("render_failed: invalid input syntax for type bigint")
    assert len(smtp_server.recorder.messages) == 1


def test_a_template_edited_between_the_event_and_the_send_is_sent_edited(db, send, smtp_server):
    enqueue(db, "new_comment", {"campaign_title": "Soins"}, "edited")
    db.sql(
        "update private.email_templates set subject = 'Un commentaire sur « {{campaign_title}} »'"
        " where key = 'new_comment' and locale = 'fr'"
    )
    send()
    assert [m["Subject"] for m in smtp_server.recorder.messages] == ["Un commentaire sur « Soins »"]


def test_a_message_tried_again_is_sent_with_the_text_of_its_first_claim(db, send, smtp_server):
    smtp_server.recorder.replies["awa@example.test"] = "451 4.3.0 Try again later"
    enqueue(db, "new_comment", {"campaign_title": "Soins"}, "retried")
    assert send()["retried"] == 1
    db.sql("update private.email_templates set subject = 'Autre' where key = 'new_comment'")
    db.sql("update private.email_outbox set next_attempt_at = now()")
    del smtp_server.recorder.replies["awa@example.test"]
    assert send()["sent"] == 1
    assert [m["Subject"] for m in smtp_server.recorder.messages] == [
        "Nouveau commentaire sur « Soins »"
    ]


def test_the_outbox_read_before_the_send_shows_the_text_the_sender_sends(db, send, smtp_server):
    enqueue(
        db,
        "donation_received",
        {"amount": {"money": 1050, "currency": "EUR"}},
        "shown",
        locale="en",
    )
    (shown,) = db.sql("select subject, body, rendered from private.email_messages")
    assert (shown["subject"], shown["rendered"]) == (f'New donation of 10.50{NBSP}EUR to ""', False)
    send()
    (sent,) = db.sql("select subject, body, rendered from private.email_messages")
    assert (sent["subject"], sent["body"], sent["rendered"]) == (
        shown["subject"],
        shown["body"],
        True,
    )
    assert text_of(smtp_server.recorder.messages[0]) == shown["body"]
