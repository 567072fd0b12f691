"""`cagnotte-admin notifications send`: the outbox delivered over real SMTP
(an aiosmtpd server in the test process), once per message, retried with
backoff, failed after its tries; one message it cannot build or send never
stops it; every address SQL accepts is one the mailer takes."""

from __future__ import annotations

import json
import smtplib
import threading
from collections import Counter
from email.headerregistry import Address
from email.utils import getaddresses
from types import SimpleNamespace

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.rows import dict_row
from typer.testing import CliRunner

from admin_scripts import db as admin_db
from admin_scripts import mailer, notifications_cmd
from admin_scripts.cli import app
from localdev import local_cmd
from tests.conftest import free_port

MAIL_FROM = "AfriCagnotte <no-reply@africagnotte.test>"


@pytest.fixture
def enqueue(db):
    """Messages written the way the events write them (private.enqueue_email)."""

    def enqueue(n=1, to="awa@example.test", locale="fr", prefix="msg"):
        for i in range(n):
            db.sql(
                "select private.enqueue_email(null, %s, %s, 'new_comment',"
                " jsonb_build_object('campaign_title', %s::text, 'recipient_name', 'Awa'), %s)",
                [to, locale, f"Cagnotte {i}", f"{prefix}:{i}"],
            )

    return enqueue


@pytest.fixture
def sender(db, smtp_server):
    conns = []

    def make(url=None, batch=20, lease_seconds=300):
        conn = psycopg.connect(db.url, autocommit=True, row_factory=dict_row)
        conns.append(conn)
        smtp = mailer.SmtpSettings.from_url(url or smtp_server.url)
        return mailer.Sender(conn, smtp, MAIL_FROM, batch=batch, lease_seconds=lease_seconds)

    yield make
    for c in conns:
        c.close()


def rows(db):
    return db.sql("select * from private.email_outbox order by id")


def make_due(db):
    db.sql("update private.email_outbox set next_attempt_at = now() where status = 'pending'")


# Delivery -----------------------------------------------------------------------------------


def test_due_messages_are_delivered_and_marked_sent(db, enqueue, sender, smtp_server):
    enqueue(3)
    counts = sender().send_all_due()
    assert (counts["sent"], counts["retried"], counts["failed"]) == (3, 0, 0)
    assert [r["status"] for r in rows(db)] == ["sent"] * 3
    assert all(r["sent_at"] is not None and r["attempts"] == 1 for r in rows(db))
    (first, *_) = smtp_server.recorder.messages
    assert first["From"] == MAIL_FROM
    assert first["To"] == "awa@example.test"
    assert first["Subject"] == "Nouveau commentaire sur « Cagnotte 0 »"
    assert first["Content-Language"] == "fr"
    assert first["Message-ID"] == f"<outbox-{rows(db)[0]['id']}@africagnotte.test>"
    assert "Bonjour Awa," in first.get_content()


def test_a_real_event_reaches_the_inbox_in_the_recipients_language(
    db, as_user, make_user, make_campaign, user, sender, smtp_server
):
    english = make_user(user_metadata={"full_name": "Grace", "locale": "en"})
    c = make_campaign(english, "active")
    as_user(user).insert("comments", {"campaign_id": c["id"], "body": "Courage !"})
    sender().send_all_due()
    subjects = sorted(m["Subject"] for m in smtp_server.recorder.to(english.email))
    assert subjects == [
        'New comment on "Soins pour Aminata à Bamako"',
        'Your fundraiser "Soins pour Aminata à Bamako" is live',
    ]


def test_sent_messages_are_never_sent_again(db, enqueue, sender, smtp_server):
    enqueue(2)
    s = sender()
    s.send_all_due()
    assert s.send_all_due()["claimed"] == 0
    assert len(smtp_server.recorder.messages) == 2


def test_two_senders_at_once_send_each_message_once(db, enqueue, sender, smtp_server):
    smtp_server.recorder.delay = 0.01  # slow server: both senders are busy at the same time
    enqueue(60)
    senders = [sender(batch=5), sender(batch=5)]
    results: list[Counter] = []
    threads = [
        threading.Thread(target=lambda s=s: results.append(s.send_all_due())) for s in senders
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    ids = Counter(m["Message-ID"] for m in smtp_server.recorder.messages)
    assert len(ids) == 60
    assert set(ids.values()) == {1}
    assert all(r["sent"] > 0 for r in results)  # both took part
    assert {(r["status"], r["attempts"]) for r in rows(db)} == {("sent", 1)}


# Retries ------------------------------------------------------------------------------------


def test_a_temporary_refusal_is_retried_later_with_growing_delays(db, enqueue, sender, smtp_server):
    smtp_server.recorder.replies["awa@example.test"] = "451 4.3.0 Try again later"
    enqueue(1)
    s = sender()
    delays = []
    for _ in range(3):
        assert s.send_all_due()["retried"] == 1
        (r,) = rows(db)
        assert (r["status"], r["last_error"]) == ("pending", "451 4.3.0 Try again later")
        delays.append(
            db.one(
                "select extract(epoch from next_attempt_at - now())::int as s from private.email_outbox"
            )["s"]
        )
        assert s.send_all_due()["claimed"] == 0  # not due yet
        make_due(db)
    assert [round(d / 60) for d in delays] == [1, 4, 16]
    del smtp_server.recorder.replies["awa@example.test"]
    assert s.send_all_due()["sent"] == 1
    assert (rows(db)[0]["status"], rows(db)[0]["attempts"]) == ("sent", 4)


def test_a_message_fails_after_five_tries(db, enqueue, sender, smtp_server):
    smtp_server.recorder.replies["awa@example.test"] = "421 4.7.0 Too busy"
    enqueue(1)
    s = sender()
    for _ in range(4):
        assert s.send_all_due()["retried"] == 1
        make_due(db)
    assert s.send_all_due()["failed"] == 1
    (r,) = rows(db)
    assert (r["status"], r["attempts"]) == ("failed", 5)
    make_due(db)
    assert s.send_all_due()["claimed"] == 0
    assert smtp_server.recorder.messages == []


def test_a_permanent_refusal_fails_at_once_and_others_still_go(db, enqueue, sender, smtp_server):
    smtp_server.recorder.replies["ghost@example.test"] = "550 5.1.1 No such user"
    enqueue(1, to="ghost@example.test", prefix="ghost")
    enqueue(1, to="awa@example.test", prefix="awa")
    counts = sender().send_all_due()
    assert (counts["sent"], counts["failed"]) == (1, 1)
    by_to = {r["to_address"]: r for r in rows(db)}
    assert (by_to["ghost@example.test"]["status"], by_to["ghost@example.test"]["attempts"]) == (
        "failed",
        1,
    )
    assert by_to["ghost@example.test"]["last_error"].startswith("550")
    assert by_to["awa@example.test"]["status"] == "sent"


def test_an_unreachable_server_leaves_messages_for_later(db, enqueue, sender):
    enqueue(2)
    counts = sender(url=f"smtp://127.0.0.1:{free_port()}").send_all_due()
    assert counts["retried"] == 2
    assert {r["status"] for r in rows(db)} == {"pending"}
    assert all("ConnectionRefusedError" in r["last_error"] for r in rows(db))


def test_a_message_whose_sender_died_is_sent_once_its_lease_is_over(
    db, enqueue, sender, smtp_server
):
    enqueue(1)
    db.sql("select * from private.claim_emails(10, '5 minutes')")  # a sender takes it, then dies
    s = sender()
    assert s.send_all_due()["claimed"] == 0  # still leased
    db.sql("update private.email_outbox set locked_until = now() - interval '1 second'")
    assert s.send_all_due()["sent"] == 1
    assert rows(db)[0]["attempts"] == 2
    assert len(smtp_server.recorder.messages) == 1


def test_a_dead_senders_message_out_of_tries_is_failed_not_sent(db, enqueue, sender, smtp_server):
    enqueue(1)
    db.sql("update private.email_outbox set attempts = 4")
    db.sql("select * from private.claim_emails(10, '5 minutes')")
    db.sql("update private.email_outbox set locked_until = now() - interval '1 second'")
    assert sender().send_all_due()["claimed"] == 0
    (r,) = rows(db)
    assert (r["status"], r["attempts"]) == ("failed", 5)
    assert smtp_server.recorder.messages == []


# One bad message ----------------------------------------------------------------------------

POISON = "poison@example.test"


@pytest.fixture
def poisoned_build(monkeypatch):
    """The mail library refuses to build the message to POISON, as it refused
    a Subject with a line break or an address like x@evil.example,y."""
    build = mailer.build_message

    def refuse(row, sender):
        if row["to_address"] == POISON:
            raise ValueError("Header values may not contain linefeed or carriage return characters")
        return build(row, sender)

    monkeypatch.setattr(mailer, "build_message", refuse)


def test_a_message_that_cannot_be_built_fails_alone_and_the_others_go(
    db, enqueue, sender, smtp_server, poisoned_build
):
    enqueue(2, prefix="before")
    enqueue(1, to=POISON, prefix="poison")
    enqueue(2, prefix="after")
    s = sender(batch=2)  # the poisoned one in the middle of a batch
    counts = s.send_all_due()
    assert (counts["sent"], counts["retried"], counts["failed"]) == (4, 0, 1)
    (bad,) = [r for r in rows(db) if r["to_address"] == POISON]
    assert (bad["status"], bad["attempts"]) == ("failed", 1)
    assert "cannot build or send this message: ValueError: Header values" in bad["last_error"]
    make_due(db)
    db.sql("update private.email_outbox set locked_until = null where status = 'sending'")
    assert s.send_all_due()["claimed"] == 0  # never claimed again
    assert len(smtp_server.recorder.messages) == 4


def test_a_message_the_library_refuses_while_sending_fails_alone(
    db, enqueue, sender, smtp_server, monkeypatch
):
    send = smtplib.SMTP.send_message

    def refuse(client, msg, *args, **kwargs):
        if msg["To"] == POISON:
            raise UnicodeEncodeError("ascii", "é", 0, 1, "ordinal not in range(128)")
        return send(client, msg, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "send_message", refuse)
    enqueue(1, prefix="before")
    enqueue(1, to=POISON, prefix="poison")
    enqueue(1, prefix="after")
    counts = sender().send_all_due()
    assert (counts["sent"], counts["failed"]) == (2, 1)
    assert {r["to_address"]: r["status"] for r in rows(db)} == {
        "awa@example.test": "sent", POISON: "failed",
    }  # fmt: skip


def test_the_send_command_outlives_a_poisoned_message(
    db, enqueue, smtp_server, monkeypatch, poisoned_build
):
    enqueue(1, to=POISON, prefix="poison")
    enqueue(2, prefix="ok")
    result = cli(db, monkeypatch, smtp_server.url, "send", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"claimed": 3, "sent": 2, "retried": 0, "failed": 1}


def test_make_runs_background_work_outlives_a_failing_round(db, smtp_server, monkeypatch):
    """`make run` delivers emails in a loop beside the service: a round that
    raises anything is reported and the loop goes on."""
    rounds = []

    def send_all_due(self):
        rounds.append(1)
        if len(rounds) == 1:
            raise RuntimeError("a bug in one round")
        return Counter()

    class Service:  # runs for three looks at the outbox
        polls = 0

        def poll(self):
            self.polls += 1
            return None if self.polls <= 3 else 0

    monkeypatch.setattr(mailer.Sender, "send_all_due", send_all_due)
    monkeypatch.setattr(local_cmd, "MAIL_EVERY", 0)
    env = {"SMTP_URL": smtp_server.url, "MAIL_FROM": MAIL_FROM, "DATABASE_URL": db.url}
    local_cmd._background_work(Service(), run_jobs=False, env=env)
    assert len(rounds) == 3


# The address rule -----------------------------------------------------------------------------


def sql_accepts(db, address: str) -> bool:
    try:
        db.sql("select %s::public.email_address", [address])
    except psycopg.errors.CheckViolation:
        return False
    return True


ADDRESSES = st.one_of(
    st.emails(),
    st.from_regex(
        r"\A[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]{1,12}@[a-zA-Z0-9.-]{1,12}\.[a-zA-Z0-9-]{1,8}\Z"
    ),
    st.from_regex(r"\A[ -~]{1,10}@[ -~]{1,10}\Z"),
    st.text(st.characters(min_codepoint=1, max_codepoint=0x2030), min_size=3, max_size=16).map(
        lambda t: t[: len(t) // 2] + "@" + t[len(t) // 2 :]
    ),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(address=ADDRESSES)
def test_every_address_sql_accepts_is_one_the_mailer_builds_and_sends_to(db, address):
    if not sql_accepts(db, address):
        return
    row = {"id": 1, "to_address": address, "subject": "Objet", "body": "Texte", "locale": "fr"}
    msg = mailer.build_message(row, MAIL_FROM)
    assert getaddresses(msg.get_all("To")) == [("", address)]  # what smtplib sends RCPT TO
    assert Address(addr_spec=address).addr_spec == address
    msg.as_bytes()


def test_the_address_rule_accepts_real_addresses(db):
    for address in ["awa@example.test", "o'brien+x@mail.example.co", "A.B-C_D@Sub-Domain.example"]:
        assert sql_accepts(db, address), address


# The command --------------------------------------------------------------------------------


def cli(db, monkeypatch, smtp_url, *args):
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("SMTP_URL", smtp_url)
    monkeypatch.setenv("MAIL_FROM", MAIL_FROM)
    return CliRunner().invoke(app, ["notifications", *args])


def test_the_send_command_delivers_and_reports(db, enqueue, smtp_server, monkeypatch):
    enqueue(3)
    result = cli(db, monkeypatch, smtp_server.url, "send", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"claimed": 3, "sent": 3, "retried": 0, "failed": 0}
    assert len(smtp_server.recorder.messages) == 3


def test_the_watching_sender_outlives_the_database_going_away(
    db, enqueue, smtp_server, monkeypatch
):
    enqueue(1)
    connections, sleeps = [], []

    def connect():
        connections.append(1)
        if len(connections) == 1:
            raise psycopg.OperationalError("connection refused")
        return admin_db.connect()

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise KeyboardInterrupt  # the operator stops it after the second look

    monkeypatch.setattr(
        notifications_cmd, "db", SimpleNamespace(connect=connect, NoDatabase=admin_db.NoDatabase)
    )
    monkeypatch.setattr(notifications_cmd, "_pause", lambda stop, seconds: sleep(seconds))
    result = cli(db, monkeypatch, smtp_server.url, "send", "--watch", "1")
    assert result.exit_code == 0, result.output
    assert "sending failed, will retry: connection refused" in result.stderr
    assert len(smtp_server.recorder.messages) == 1


def test_the_outbox_command_lists_failed_messages(db, enqueue, smtp_server, monkeypatch):
    smtp_server.recorder.replies["ghost@example.test"] = "550 5.1.1 No such user"
    enqueue(1, to="ghost@example.test", prefix="ghost")
    enqueue(1, prefix="ok")
    cli(db, monkeypatch, smtp_server.url, "send")
    result = cli(db, monkeypatch, smtp_server.url, "outbox", "--status", "failed", "--json")
    assert result.exit_code == 0, result.output
    (listed,) = json.loads(result.stdout)
    assert (listed["to_address"], listed["status"]) == ("ghost@example.test", "failed")


@pytest.mark.parametrize(
    ("url", "message"),
    [("", "SMTP_URL is not set"), ("http://mail.example", "SMTP_URL must look like")],
)
def test_a_bad_smtp_url_is_a_clear_error(db, monkeypatch, tmp_path, url, message):
    monkeypatch.setattr("admin_scripts.settings.ENV_LOCAL", tmp_path / "missing.env")
    result = cli(db, monkeypatch, url, "send")
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example", ("mail.example", 25, "plain", None, None)),
        (
            "smtp://u%40x:p%3Ass@mail.example:2525?starttls=true",
            ("mail.example", 2525, "starttls", "u@x", "p:ss"),
        ),
        ("smtps://key:secret@smtp.example", ("smtp.example", 465, "tls", "key", "secret")),
        ("smtp://mail.example?starttls=1", ("mail.example", 587, "starttls", None, None)),
    ],
)
def test_smtp_urls(url, expected):
    s = mailer.SmtpSettings.from_url(url)
    assert (s.host, s.port, s.security, s.username, s.password) == expected
