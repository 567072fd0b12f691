"""The console's one error path (admin_scripts/errors.py): a clear message,
a documented exit code, never a traceback."""

from __future__ import annotations

import io
import json
import socket
import tarfile

import pytest
from typer.testing import CliRunner

from admin_scripts import errors, localstack
from admin_scripts.cli import app
from tests.support.console_commands import invocation, leaves

# Commands that do not start by opening the operators' database (DATABASE_URL),
# each with the reason; everything else is walked.
NO_DATABASE = {
    "local": "the developers' local stack: it starts and builds its own cluster",
    "dev": "the developers' local stack (its service and cluster)",
    "media purge-orphans": "asks Cloudinary first (not configured here: exit 2)",
    "payouts install-key": "checks the key with gpg first",
}


# Arguments a command checks before it connects (so that it reaches the database).
EXTRA = {
    "campaigns review-edit": ["--accept"],
    "categories set-fee": ["--clear"],
    "payments reconcile": ["--provider", "cinetpay"],
    "settings set": ["500"],
}
VALUES = {"name": "platform-fee"}


def excluded(words: tuple[str, ...]) -> bool:
    return words[0] in NO_DATABASE or " ".join(words) in NO_DATABASE


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database_down(monkeypatch, tmp_path):
    """DATABASE_URL on a closed port; no .env.local; a backup file to restore."""
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/x"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CAGNOTTE_OPERATOR", "admin@example.org")
    monkeypatch.setenv("SMTP_URL", "smtp://127.0.0.1:1")
    monkeypatch.setenv(
        "PAYOUT_ACCOUNTS_PRIVATE_KEY", "-----BEGIN PGP PRIVATE KEY BLOCK----- unused"
    )
    monkeypatch.setattr(localstack, "ENV_LOCAL", tmp_path / ".env.local")
    monkeypatch.chdir(tmp_path)
    manifest = json.dumps({"created_at": "2026-11-30T12:00:00+00:00", "row_counts": {}})
    with tarfile.open(tmp_path / "backup.dump", "w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest.encode()))
    return url


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input)


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output


DATABASE_COMMANDS = [(w, c) for w, c in leaves() if not excluded(w)]


@pytest.mark.parametrize(
    ("words", "command"), DATABASE_COMMANDS, ids=[" ".join(w) for w, _ in DATABASE_COMMANDS]
)
def test_every_command_says_the_database_cannot_be_reached_and_how_to_start_it(
    database_down, words, command
):
    args = invocation(words, command, target_url=database_down, **VALUES)
    result = run(*args, *EXTRA.get(" ".join(words), []))
    no_traceback(result)
    assert result.exit_code == errors.EXIT_NO_DATABASE, result.output
    assert "the database cannot be reached" in result.stderr
    assert "make run" in result.stderr
    assert "DATABASE_URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
