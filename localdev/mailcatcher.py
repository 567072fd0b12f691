"""The local stack's SMTP server: every email lands as a .eml file in
.local/mail/ (development only; it plays the part of Supabase's Inbucket).
aiosmtpd is a development dependency (the `dev` extra)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

from aiosmtpd.controller import Controller
from rich.text import Text

from admin_scripts.console import err
from admin_scripts.i18n import _


class MailDir:
    """aiosmtpd handler: writes each message to ``directory``."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._numbers = itertools.count(1)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path = self.directory / f"{stamp}-{next(self._numbers):04d}.eml"
        data = envelope.original_content or envelope.content
        path.write_bytes(data)
        subject = message_from_bytes(data, policy=default_policy)["Subject"]
        to = ", ".join(envelope.rcpt_tos)
        shown = _("to {to}: {subject} ({file})").format(to=to, subject=subject, file=path.name)
        err.print(Text(_("mail"), style="cyan"), shown)
        return "250 Message accepted for delivery"


def start(directory: Path, port: int) -> Controller:
    controller = Controller(MailDir(directory), hostname="127.0.0.1", port=port)
    controller.start()
    return controller
