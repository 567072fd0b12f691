"""The email sender: delivers the outbox (private.email_outbox) over SMTP.

The database decides everything else: which messages are due, which sender
takes each (claim_emails: skip locked, with a lease), what each says (the
claim renders a message from its template and raw values the first time it is
claimed: private.render_email; this module renders nothing), when a refused
message is tried again and when it has failed (email_not_sent), and what an
address and a subject may be (public.email_address, checked by the claim;
private.is_single_line). A message the claim could not render (no template, an
address mail cannot use) comes back failed, with its reason: counted, not sent.
This module only talks SMTP and reports back.

One message never stops the sender: a message it cannot build (or that the
mail library refuses while sending) fails at once, with the error, and the
sender goes on with the others; SMTP refusals and network trouble are retried
as the database says.

SMTP_URL: smtp://[user:password@]host[:port][?starttls=true] (plain or
STARTTLS, port 25 by default, 587 with STARTTLS) or smtps://… (TLS, 465).
MAIL_FROM: the From header, e.g. "AfriCagnotte <no-reply@africagnotte.org>".
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections import Counter
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg

from admin_scripts.settings import settings

DEFAULT_MAIL_FROM = "AfriCagnotte <no-reply@africagnotte.org>"
TRUE = {"1", "true", "yes", "on"}
# The server answered (the connection stays usable); anything else drops it.
REPLIES = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)


class MailerConfigError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # plain, starttls or tls
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailerConfigError(
                f"SMTP_URL must look like smtp://user:password@host:port or smtps://…, not {url!r}"
            )
        query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
        security = (
            "tls"
            if parts.scheme == "smtps"
            else ("starttls" if query.get("starttls") in TRUE else "plain")
        )
        default_port = {"tls": 465, "starttls": 587, "plain": 25}[security]
        try:
            port = parts.port or default_port
        except ValueError as exc:
            raise MailerConfigError(f"SMTP_URL has an invalid port: {url!r}") from exc
        return cls(
            host=parts.hostname,
            port=port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            timeout=float(query.get("timeout", 30)),
        )


def settings_from_env() -> tuple[SmtpSettings, str]:
    """SMTP_URL and MAIL_FROM from the environment, else .env.local (like DATABASE_URL)."""
    url = settings().smtp_url
    if not url:
        raise MailerConfigError("SMTP_URL is not set (nor in .env.local): where do emails go?")
    sender = settings().mail_from or DEFAULT_MAIL_FROM
    if "@" not in parseaddr(sender)[1]:
        raise MailerConfigError(f"MAIL_FROM is not an address: {sender!r}")
    return SmtpSettings.from_url(url), sender


def build_message(row: dict[str, Any], sender: str) -> EmailMessage:
    """The outbox row as an email. Its Message-ID is the row's, so that a
    message sent again after a sender died is recognisable as the same."""
    domain = parseaddr(sender)[1].rpartition("@")[2]
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = Address(addr_spec=row["to_address"])
    msg["Subject"] = row["subject"]
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = f"<outbox-{row['id']}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row["body"])
    msg["Content-Language"] = row["locale"]  # after set_content, which resets Content-*
    return msg


def refusal(exc: Exception) -> tuple[str, bool]:
    """(error text, permanent?) for a failed send: 5xx replies are permanent,
    4xx replies and network trouble are worth another try; anything else (the
    message itself is at fault: it would fail the same way again) is permanent."""
    if not isinstance(exc, (smtplib.SMTPException, OSError)):
        return f"cannot build or send this message: {type(exc).__name__}: {exc}", True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()))
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, reply = exc.smtp_code, exc.smtp_error
    else:
        return f"{type(exc).__name__}: {exc}", False
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {text}", 500 <= code < 600


class Sender:
    """Claims due messages and sends them over one SMTP connection per batch."""

    def __init__(
        self,
        conn: psycopg.Connection,
        smtp: SmtpSettings,
        mail_from: str,
        *,
        batch: int = 20,
        lease_seconds: int = 300,
    ):
        self.conn = conn  # autocommit: each claim and report commits at once
        self.smtp = smtp
        self.mail_from = mail_from
        self.batch = batch
        self.lease = f"{lease_seconds} seconds"

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.smtp.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.smtp.host, self.smtp.port, timeout=self.smtp.timeout, context=context
            )
        else:
            client = smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.smtp.timeout)
            if self.smtp.security == "starttls":
                client.starttls(context=context)
        if self.smtp.username:
            client.login(self.smtp.username, self.smtp.password or "")
        return client

    def send_due(self) -> Counter[str]:
        """One batch: returns how many were sent, retried later, failed."""
        rows = self.conn.execute(
            "select * from private.claim_emails(%s, %s::interval)", [self.batch, self.lease]
        ).fetchall()
        counts: Counter[str] = Counter(claimed=len(rows))
        client: smtplib.SMTP | None = None
        try:
            for row in rows:
                if row["status"] == "failed":  # the claim could not render it (last_error)
                    counts["failed"] += 1
                    continue
                try:
                    msg = build_message(row, self.mail_from)
                except Exception as exc:  # this message only: fail it, go on
                    counts[self._not_sent(row, exc)] += 1
                    continue
                try:
                    client = client or self._connect()
                    client.send_message(msg)
                except Exception as exc:  # this message only: report it, go on
                    counts[self._not_sent(row, exc)] += 1
                    if not isinstance(exc, REPLIES):
                        _close(client)  # the connection is gone or in doubt: a new one
                        client = None
                else:
                    self.conn.execute("select private.email_sent(%s)", [row["id"]])
                    counts["sent"] += 1
        finally:
            if client is not None:
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    client.quit()
        return counts

    def _not_sent(self, row: dict[str, Any], exc: Exception) -> str:
        """Reports a message that did not go: 'failed' or 'retried'."""
        error, permanent = refusal(exc)
        status = self.conn.execute(
            "select private.email_not_sent(%s, %s, %s) as status", [row["id"], error, permanent]
        ).fetchone()["status"]
        return "failed" if status == "failed" else "retried"

    def send_all_due(self) -> Counter[str]:
        """Batches until nothing is due."""
        total: Counter[str] = Counter(claimed=0, sent=0, retried=0, failed=0)
        while True:
            counts = self.send_due()
            total.update(counts)
            if counts["claimed"] < self.batch:
                return total


def _close(client: smtplib.SMTP | None) -> None:
    if client is not None:
        with contextlib.suppress(Exception):
            client.close()
