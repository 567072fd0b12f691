"""The console's one error path (admin_scripts/errors.py): a clear message,
a documented exit code, never a traceback."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from admin_scripts import choices, errors
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
    monkeypatch.setattr("admin_scripts.settings.ENV_LOCAL", tmp_path / ".env.local")
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


# Against a real database ----------------------------------------------------------------------


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active")


@pytest.fixture
def comments(db, campaign, user):
    """Two comments whose ids share their first eight characters, and a third."""
    ids = ["abcdef01-0000-4000-8000-000000000001", "abcdef01-0000-4000-8000-000000000002"]
    for i in ids:
        db.sql(
            "insert into public.comments (id, campaign_id, author_id, body)"
            " values (%s, %s, %s, 'Bravo')",
            [i, campaign["id"], user.id],
        )
    db.sql(
        "insert into public.comments (id, campaign_id, author_id, body)"
        " values ('12345678-0000-4000-8000-000000000000', %s, %s, 'Arnaque')",
        [campaign["id"], user.id],
    )
    return ids


def hidden(db) -> list[str]:
    return [r["id"] for r in db.sql("select id::text from public.comments where hidden")]


def test_an_id_is_accepted_as_an_unambiguous_prefix_of_the_uuid(db, operator_cli, comments):
    assert operator_cli("comments", "hide", comments[1].upper()).exit_code == 0
    first = db.one("select id::text from public.comments where body = 'Arnaque'")["id"]
    result = operator_cli("comments", "hide", first[:6])
    assert result.exit_code == 0, result.output
    assert sorted(hidden(db)) == sorted([comments[1], first])


def test_an_ambiguous_prefix_is_a_usage_error_listing_what_matched(db, operator_cli, comments):
    result = operator_cli("comments", "hide", "abcdef01")
    no_traceback(result)
    assert result.exit_code == errors.EXIT_USAGE
    assert "ambiguous" in result.stderr
    assert comments[0] in result.stderr
    assert comments[1] in result.stderr
    assert hidden(db) == []


def test_an_unknown_prefix_is_not_found_and_a_word_is_not_an_id(operator_cli, comments):
    unknown = operator_cli("comments", "hide", "e54f384f")
    assert unknown.exit_code == errors.EXIT_NOT_FOUND
    assert "comment: no id starts with e54f384f" in unknown.stderr
    word = operator_cli("reports", "resolve", "bonjour")
    no_traceback(word)
    assert word.exit_code == errors.EXIT_USAGE
    assert "is not an id" in word.stderr
    assert "invalid input syntax" not in word.output


def test_a_campaign_is_found_by_its_slug_or_an_id_prefix(operator_cli, campaign):
    assert operator_cli("campaigns", "show", campaign["slug"]).exit_code == 0
    assert operator_cli("campaigns", "show", str(campaign["id"])[:8]).exit_code == 0
    assert operator_cli("campaigns", "show", "pas-de-campagne").exit_code == errors.EXIT_NOT_FOUND


STATUS_OPTIONS = [
    (words, p.opts[0])
    for words, command in leaves()
    for p in command.params
    if p.opts and p.opts[0] in ("--status", "--provider") and not excluded(words)
]


@pytest.mark.parametrize(
    ("words", "option"), STATUS_OPTIONS, ids=[f"{' '.join(w)} {o}" for w, o in STATUS_OPTIONS]
)
def test_an_unknown_status_is_a_usage_error_naming_the_choices(database_down, words, option):
    result = run(*words, option, "bogus")
    assert result.exit_code == errors.EXIT_USAGE
    assert "'bogus' is not one of" in result.output


def test_every_status_option_is_a_choice():
    assert {" ".join(w) for w, o in STATUS_OPTIONS if o == "--status"} >= {
        "campaigns list", "reports list", "payouts list", "refunds list", "notifications outbox",
    }  # fmt: skip


@pytest.mark.parametrize("enum", choices.DATABASE_TYPES, ids=lambda e: e.__name__)
def test_the_choices_are_the_database_enum_labels_in_order(db, enum):
    database_type = choices.DATABASE_TYPES[enum]
    (row,) = db.sql(f"select enum_range(null::{database_type})::text[] as labels")
    assert [c.value for c in enum] == row["labels"]


def test_a_fee_out_of_range_states_the_databases_range(db, operator_cli):
    result = operator_cli("settings", "set", "platform-fee", "20000")
    no_traceback(result)
    assert result.exit_code == errors.EXIT_REFUSED
    assert "the database allows 0 to 2000 basis points" in result.stderr
    assert (
        db.one("select platform_fee_bp from public.platform_settings")["platform_fee_bp"] != 20000
    )


def test_a_fee_that_is_not_a_number_is_a_usage_error(operator_cli):
    result = operator_cli("settings", "set", "platform-fee", "cinq")
    no_traceback(result)
    assert result.exit_code == errors.EXIT_USAGE


def test_a_refusal_is_printed_as_its_token_and_its_sentence(operator_cli, campaign):
    result = operator_cli("campaigns", "approve", campaign["slug"])
    no_traceback(result)
    assert result.exit_code == errors.EXIT_REFUSED
    (line,) = result.stderr.strip().splitlines()
    token, sentence = line.removeprefix("error: ").split(": ", 1)
    assert token == "invalid_status_transition"
    assert sentence  # the detail, in English


def test_stripe_reconcile_reads_the_key_from_env_local_and_says_stripe_is_out_of_reach(
    operator_cli, monkeypatch, tmp_path
):
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    env_local = tmp_path / ".env.local"
    env_local.write_text(
        "STRIPE_SECRET_KEY=sk_test_local_placeholder\n"
        f"STRIPE_API_BASE=http://127.0.0.1:{closed_port()}\n"
    )
    monkeypatch.setattr("admin_scripts.settings.ENV_LOCAL", env_local)
    monkeypatch.delenv("STRIPE_API_BASE", raising=False)
    result = operator_cli("stripe", "reconcile", "--since", "1d")
    no_traceback(result)
    assert result.exit_code == errors.EXIT_PROVIDER, result.output
    assert "Stripe cannot be reached" in result.stderr
    assert "ServiceUnavailable" not in result.output


def test_a_user_is_found_by_email_or_an_id_prefix(operator_cli, user):
    by_prefix = operator_cli("users", "show", str(user.id)[:8])
    assert by_prefix.exit_code == 0, by_prefix.output
    assert json.loads(by_prefix.stdout)["email"] == user.email
    assert operator_cli("users", "show", "personne").exit_code == errors.EXIT_USAGE


def test_refunds_of_an_unknown_campaign_are_not_found(operator_cli):
    result = operator_cli("refunds", "list", "--campaign", "pas-de-campagne")
    no_traceback(result)
    assert result.exit_code == errors.EXIT_NOT_FOUND


def test_an_unexpected_error_is_one_line_naming_the_bug_and_exit_70(database_down, monkeypatch):
    from admin_scripts import db

    def broken() -> None:
        raise KeyError("oops")

    monkeypatch.setattr(db, "connect", broken)
    result = run("comments", "list")
    no_traceback(result)
    assert result.exit_code == errors.EXIT_BUG
    assert result.stderr.startswith("error: a bug: KeyError at test_console_errors.py:")


def test_a_category_fee_out_of_range_states_the_databases_range(operator_cli):
    result = operator_cli("categories", "set-fee", "education", "5000")
    no_traceback(result)
    assert result.exit_code == errors.EXIT_REFUSED
    assert "the database allows 0 to 2000 basis points" in result.stderr


@pytest.mark.parametrize(
    "words", [("payouts", "list"), ("stripe", "reconcile", "--since", "1d")], ids=" ".join
)
def test_a_real_process_with_the_database_down_prints_one_line_and_exits_5(database_down, words):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-m", "admin_scripts.cli", *words],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == errors.EXIT_NO_DATABASE
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: the database cannot be reached")


def test_the_operators_guide_lists_every_exit_code_the_console_defines():
    from pathlib import Path

    from admin_scripts import errors

    guide = (Path(__file__).parent.parent / "docs/operators.md").read_text()
    listed = " ".join(guide.split("documented exit\ncode")[1].split(")")[0].split())
    codes = {value for name, value in vars(errors).items() if name.startswith("EXIT_")}
    assert len(codes) >= 7
    assert [c for c in sorted(codes | {0}) if f"{c} " not in listed] == [], listed


def test_a_refused_login_is_a_usage_error_naming_database_url_not_a_database_down(
    cluster, monkeypatch, tmp_path
):
    monkeypatch.setenv("DATABASE_URL", cluster.url(password="wrong"))
    monkeypatch.setenv("CAGNOTTE_OPERATOR", "admin@example.org")
    monkeypatch.setattr("admin_scripts.settings.ENV_LOCAL", tmp_path / ".env.local")
    result = run("campaigns", "list")
    no_traceback(result)
    assert result.exit_code == 2  # errors.EXIT_USAGE
    assert "the database refused the login" in result.stderr
    assert "DATABASE_URL" in result.stderr


def test_a_reader_that_goes_away_is_not_a_bug():
    sample = typer.Typer(cls=errors.ConsoleGroup, pretty_exceptions_enable=False)

    @sample.command("talk")
    def talk() -> None:
        raise BrokenPipeError(32, "Broken pipe")  # what `cagnotte-admin … | head` meets

    @sample.command("other")
    def other() -> None:
        pass

    result = CliRunner().invoke(sample, ["talk"])
    assert result.exit_code == 1
    assert "bug" not in result.output
    assert "Traceback" not in result.output
