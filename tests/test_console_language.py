"""The console's language: French first, English on demand (--lang en,
CAGNOTTE_LANG=en); every text it may show (ours, Typer's own, the database's
refusal tokens) translated in the catalogue, and shown translated."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main
from typer import rich_utils
from typer.testing import CliRunner

from admin_scripts import console, errors, i18n
from admin_scripts.cli import app
from admin_scripts.errors import ConsoleGroup
from admin_scripts.settings import settings
from tests.support import catalogue
from tests.support.error_catalogue import sql_tokens
from webhooks.errors import SERVICE_ERRORS

FRENCH = "fr"


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    """The suite speaks English (conftest): a French run here does not leak."""
    yield
    i18n.use("en")
    i18n.forget_currencies()


@pytest.fixture
def wide(monkeypatch) -> None:
    """Help on one line per text (Typer wraps at 80 columns otherwise)."""
    monkeypatch.setattr(rich_utils, "MAX_WIDTH", 1000)


def run(*args: str, lang: str | None = None) -> Any:
    """The console through Typer's runner, with CAGNOTTE_LANG=``lang`` (None: unset)."""
    return CliRunner(env={"CAGNOTTE_LANG": lang}).invoke(app, list(args))


def words(text: str) -> str:
    """A text as a help screen shows it: box edges dropped, one space between words."""
    return " ".join(text.replace("│", " ").split())


# The catalogue ------------------------------------------------------------------------------


def test_every_text_of_the_console_has_a_french_translation_that_is_not_fuzzy():
    assert catalogue.untranslated(catalogue.read(FRENCH), catalogue.template()) == []


def test_every_translation_keeps_the_placeholders_of_its_text():
    wrong = [
        (message.id, message.string)
        for message in catalogue.read(FRENCH)
        if message.id and message.string
        for text, translated in _pairs(message)
        if catalogue.placeholders(text) != catalogue.placeholders(translated)
        and not (message.context == i18n.REFUSAL and _only_the_detail(translated))
    ]
    assert wrong == []


def _only_the_detail(sentence: str) -> bool:
    """A refusal's sentence has one placeholder, the database's own detail."""
    return set(catalogue.placeholders(sentence)) <= {"{detail}"}


def _pairs(message) -> list[tuple[str, str]]:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return [(ids[min(i, len(ids) - 1)], s) for i, s in enumerate(strings)]


def test_the_committed_mo_is_the_compilation_of_the_po():
    compiled = catalogue.po_path(FRENCH).with_suffix(".mo").read_bytes()
    assert compiled == catalogue.mo_bytes(catalogue.read(FRENCH))


def test_the_po_is_as_the_catalogue_writes_it_sorted_and_without_locations():
    path = catalogue.po_path(FRENCH)
    assert path.read_bytes() == catalogue.po_bytes(catalogue.read(FRENCH))
    assert "\n#: " not in path.read_text()


def test_every_refusal_token_of_the_migrations_and_the_service_has_a_french_sentence():
    i18n.use(FRENCH)
    tokens = [*sql_tokens(), *SERVICE_ERRORS]
    missing = [t for t in tokens if i18n.pgettext(i18n.REFUSAL, t) == t]
    assert missing == []


# Help texts ---------------------------------------------------------------------------------


def commands(command: Any = None, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple, Any]]:
    """(words, command) for the console and every group and command under it."""
    command = command or typer.main.get_command(app)
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from commands(sub, (*path, name))


def help_texts(command: Any) -> list[str]:
    """The help texts a command's --help shows (its own and its parameters')."""
    texts = [command.help, *(getattr(p, "help", None) for p in command.params)]
    texts += [sub.short_help or sub.help for sub in getattr(command, "commands", {}).values()]
    return [t for t in texts if t and t.strip()]


COMMANDS = list(commands())
IDS = [" ".join(w) or "cagnotte-admin" for w, _ in COMMANDS]


def test_every_help_text_of_every_command_has_a_french_translation():
    """Complete only once every command group marks its texts (N_)."""
    french = catalogue.read(FRENCH)
    missing = sorted(
        {
            (" ".join(words_) or "cagnotte-admin", text)
            for words_, command in COMMANDS
            for text in help_texts(command)
            if not (found := french.get(text)) or not found.string or found.fuzzy
        }
    )
    assert missing == []


def translated_help(command: Any) -> list[tuple[str, str]]:
    """(English, French) for the help texts of ``command`` the catalogue translates
    differently."""
    i18n.use(FRENCH)
    pairs = [(text, i18n._(text)) for text in help_texts(command)]
    return [(en, fr) for en, fr in pairs if en != fr]


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_commands_help_reads_french_by_default_and_english_on_demand(
    wide, monkeypatch, path, command
):
    pairs = translated_help(command)
    monkeypatch.delenv("CAGNOTTE_LANG")
    french = CliRunner().invoke(app, [*path, "--help"])
    assert french.exit_code == 0, french.output
    shown = words(french.output)
    assert "Utilisation :" in shown
    assert "Usage:" not in shown
    assert "Affiche cette aide et quitte." in shown
    for en, fr in pairs:
        assert words(en)[:40] not in shown, en
        assert words(fr)[:40] in shown, fr
    english = CliRunner().invoke(app, ["--lang", "en", *path, "--help"])
    assert english.exit_code == 0, english.output
    shown = words(english.output)
    assert "Usage:" in shown
    assert "Show this message and exit." in shown
    for en, fr in pairs:
        assert words(en)[:40] in shown, en
        assert words(fr)[:40] not in shown, fr


def test_the_panel_titles_and_option_notes_are_french(wide):
    result = run("--help")
    for french in ("Options", "Commandes", "[variable d'environnement : CAGNOTTE_LANG]",
                   "[par défaut : fr]", "Console des opérateurs d'AfriCagnotte."):  # fmt: skip
        assert french in result.output


@pytest.mark.parametrize(
    ("args", "lang"),
    [((), "en"), (("--lang", "en"), None), (("--lang=en",), FRENCH)],
    ids=["CAGNOTTE_LANG=en", "--lang en", "--lang wins over CAGNOTTE_LANG"],
)
def test_english_is_asked_for_by_lang_or_cagnotte_lang(args, lang):
    result = run(*args, "--help", lang=lang)
    assert result.exit_code == 0
    assert "AfriCagnotte operators' console." in result.output
    assert "Usage:" in result.output
    assert "Utilisation" not in result.output


def test_an_unknown_language_is_a_usage_error_naming_the_choices():
    result = run("--lang", "wo", "campaigns", "list")
    assert result.exit_code == errors.EXIT_USAGE
    shown = words(result.output)
    assert "Valeur invalide pour '--lang' (variable d'environnement 'CAGNOTTE_LANG') :" in shown
    assert "'wo' ne fait pas partie des choix : 'fr', 'en'." in shown


# Usage errors -------------------------------------------------------------------------------


def test_a_bad_status_reads_french_naming_the_choices():
    result = run("campaigns", "list", "--status", "bogus")
    assert result.exit_code == errors.EXIT_USAGE
    shown = words(result.output)
    assert "Valeur invalide pour '--status' : 'bogus' ne fait pas partie des choix :" in shown
    assert "'pending_review'" in shown
    assert "Utilisation : cagnotte-admin campaigns list" in shown
    assert "Pour l'aide : 'cagnotte-admin campaigns list --help'" in shown
    assert "Erreur" in shown
    assert "Invalid value" not in shown
    assert "Value error" not in shown


def test_an_unknown_option_and_an_unknown_command_read_french():
    option = run("campaigns", "list", "--bogus")
    assert option.exit_code == errors.EXIT_USAGE
    assert "Option inconnue : --bogus" in words(option.output)
    command = run("campaigns", "lis")
    assert command.exit_code == errors.EXIT_USAGE
    assert "Commande inconnue : 'lis'. Vouliez-vous dire 'list' ?" in words(command.output)


class Colour(StrEnum):
    red = "red"
    green = "green"


def sample_console() -> typer.Typer:
    """A console of its own with every kind of parameter Typer checks, under the
    console's root group (so that the test covers Typer's texts, not our commands)."""
    sample = typer.Typer(cls=ConsoleGroup, pretty_exceptions_enable=False)

    @sample.callback()
    def root(lang: i18n.Lang = typer.Option(i18n.Lang.fr, "--lang", envvar="CAGNOTTE_LANG")):
        pass

    @sample.command("paint")
    def paint(
        wall: str,
        colour: Colour = typer.Option(..., "--colour"),
        coats: int = typer.Option(1, "--coats", min=1, max=3),
        ratio: float = typer.Option(1.0, "--ratio"),
        dry: bool = typer.Option(False, "--dry/--wet"),
    ) -> None:
        pass

    return sample


# (arguments, what Typer writes in English, what the console shows in French)
USAGE_ERRORS = [
    (["paint"], "Missing argument 'wall'.", "Argument manquant : 'wall'."),
    (
        ["paint", "w"],
        "Missing option '--colour'. Choose from: red, green",
        "Option manquante : '--colour'. Choisissez parmi : red, green",
    ),
    (
        ["paint", "w", "--colour", "blue"],
        "Invalid value for '--colour': Value error, 'blue' is not one of 'red', 'green'.",
        "Valeur invalide pour '--colour' : 'blue' ne fait pas partie des choix : 'red', 'green'.",
    ),
    (
        ["paint", "w", "--colour", "red", "--coats", "many"],
        "Invalid value for '--coats': Input should be a valid integer, unable to parse string"
        " as an integer",
        "Valeur invalide pour '--coats' : la valeur doit être un nombre entier",
    ),
    (
        ["paint", "w", "--colour", "red", "--coats", "9"],
        "Invalid value for '--coats': Input should be less than or equal to 3",
        "Valeur invalide pour '--coats' : la valeur doit être inférieure ou égale à 3",
    ),
    (
        ["paint", "w", "--colour", "red", "--coats", "0"],
        "Invalid value for '--coats': Input should be greater than or equal to 1",
        "Valeur invalide pour '--coats' : la valeur doit être supérieure ou égale à 1",
    ),
    (
        ["paint", "w", "--colour", "red", "--ratio", "x"],
        "Invalid value for '--ratio': Input should be a valid number, unable to parse string as"
        " a number",
        "Valeur invalide pour '--ratio' : la valeur doit être un nombre",
    ),
    (
        ["paint", "w", "--colour", "red", "--coats"],
        "Option '--coats' requires an argument.",
        "L'option '--coats' attend une valeur.",
    ),
    (
        ["paint", "w", "--colour", "red", "--dry=yes"],
        "Option '--dry' does not take a value.",
        "L'option '--dry' ne prend pas de valeur.",
    ),
    (
        ["paint", "w", "x", "--colour", "red"],
        "Got unexpected extra argument(s) (x)",
        "Argument(s) en trop (x)",
    ),
    (
        ["paint", "w", "x", "y", "--colour", "red"],
        "Got unexpected extra argument(s) (x y)",
        "Argument(s) en trop (x y)",
    ),
    (["paint", "--colr", "red"], "No such option: --colr", "Option inconnue : --colr"),
    (
        ["pain"],
        "No such command 'pain'. Did you mean 'paint'?",
        "Commande inconnue : 'pain'. Vouliez-vous dire 'paint' ?",
    ),
]


@pytest.mark.parametrize(
    ("args", "english", "french"), USAGE_ERRORS, ids=[e for _a, e, _f in USAGE_ERRORS]
)
def test_typers_own_usage_errors_read_french_and_its_english_is_what_the_catalogue_expects(
    wide, args, english, french
):
    sample = sample_console()
    en = CliRunner(env={"CAGNOTTE_LANG": "en"}).invoke(sample, args)
    assert en.exit_code == errors.EXIT_USAGE
    assert english in words(en.output), en.output  # Typer still writes what TYPER_TEXTS say
    fr = CliRunner(env={"CAGNOTTE_LANG": FRENCH}).invoke(sample, args)
    assert fr.exit_code == errors.EXIT_USAGE
    assert french in words(fr.output), fr.output
    assert ("Usage:" in en.output) == ("Utilisation :" in fr.output)  # with a context only
    assert "Usage:" not in fr.output


def burner() -> typer.Typer:
    sample = typer.Typer(cls=ConsoleGroup, pretty_exceptions_enable=False)

    @sample.command("burn")
    def burn() -> None:
        console.confirm("Brûler ?")
        typer.echo("brûlé")

    @sample.command("other")
    def other() -> None:
        pass

    return sample


@pytest.mark.parametrize("answer", ["o", "oui", "OUI", "y", "yes"])
def test_a_confirmation_asks_in_french_and_understands_oui(answer):
    result = CliRunner(env={"CAGNOTTE_LANG": FRENCH}).invoke(burner(), ["burn"], input=answer)
    assert result.exit_code == 0, result.output
    assert "Brûler ? [o/N]: " in result.output
    assert "brûlé" in result.output


@pytest.mark.parametrize("answer", ["n", "non", ""])
def test_a_confirmation_declined_reads_french(answer):
    result = CliRunner(env={"CAGNOTTE_LANG": FRENCH}).invoke(
        burner(), ["burn"], input=answer + "\n"
    )
    assert result.exit_code == 1
    assert "Opération annulée." in result.output
    assert "brûlé" not in result.output


def test_a_confirmation_asks_again_in_french_and_ends_on_end_of_input():
    result = CliRunner(env={"CAGNOTTE_LANG": FRENCH}).invoke(
        burner(), ["burn"], input="peut-être\n"
    )
    assert "Répondez o (oui) ou n (non)." in result.output
    assert result.exit_code == 1
    assert "brûlé" not in result.output


def test_a_confirmation_in_english_reads_english():
    result = CliRunner(env={"CAGNOTTE_LANG": "en"}).invoke(burner(), ["burn"], input="y\n")
    assert result.exit_code == 0
    assert "Brûler ? [y/N]: " in result.output
    declined = CliRunner(env={"CAGNOTTE_LANG": "en"}).invoke(burner(), ["burn"], input="\n")
    assert declined.exit_code == 1
    assert "Aborted." in declined.output


def test_a_text_typer_did_not_write_is_left_as_it_is():
    i18n.use(FRENCH)
    assert i18n.typer_text("bonjour : 42") == "bonjour : 42"
    i18n.use("en")
    assert i18n.typer_text("Missing argument 'X'.") == "Missing argument 'X'."


# The console's own messages -----------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database_down(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://postgres@127.0.0.1:{closed_port()}/x")
    monkeypatch.setenv("CAGNOTTE_OPERATOR", "admin@example.org")
    monkeypatch.setattr("admin_scripts.settings.ENV_LOCAL", tmp_path / ".env.local")
    monkeypatch.delenv("CAGNOTTE_LANG")


def test_a_down_database_reads_french_by_default_in_one_line_exit_5(database_down):
    result = CliRunner().invoke(app, ["campaigns", "list"])
    assert result.exit_code == errors.EXIT_NO_DATABASE
    assert "Traceback" not in result.output
    (line,) = result.stderr.strip().splitlines()
    assert "la base de données est injoignable" in line
    assert "démarrez-la avec `make run`" in line
    assert "DATABASE_URL" in line
    english = CliRunner().invoke(app, ["--lang", "en", "campaigns", "list"])
    assert english.exit_code == errors.EXIT_NO_DATABASE
    assert "the database cannot be reached" in english.stderr


def test_a_refused_login_reads_french(cluster, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", cluster.url(password="wrong"))
    monkeypatch.setenv("CAGNOTTE_OPERATOR", "admin@example.org")
    monkeypatch.setattr("admin_scripts.settings.ENV_LOCAL", tmp_path / ".env.local")
    result = run("campaigns", "list", lang=FRENCH)
    assert result.exit_code == errors.EXIT_USAGE
    assert "la base de données a refusé la connexion" in result.stderr
    assert "vérifiez l'utilisateur, le mot de passe et le nom de la base" in result.stderr


def test_an_invalid_setting_reads_french(database_down, monkeypatch):
    from admin_scripts.settings import reload

    monkeypatch.setenv("STRIPE_TIMEOUT", "-1")
    i18n.use(FRENCH)
    with pytest.raises(errors.OperatorError) as refused:
        reload()
    assert refused.value.code == errors.EXIT_USAGE
    assert str(refused.value).startswith("configuration invalide : STRIPE_TIMEOUT: ")
    assert str(refused.value).endswith("corrigez-la dans l'environnement ou dans .env.local")


def test_a_bug_reads_french_and_says_whom_to_tell(database_down, monkeypatch):
    from admin_scripts import db

    def broken() -> None:
        raise KeyError("oops")

    monkeypatch.setattr(db, "connect", broken)
    result = CliRunner().invoke(app, ["comments", "list"])
    assert result.exit_code == errors.EXIT_BUG
    assert "un bug : KeyError à test_console_language.py:" in result.stderr
    assert "signalez-le aux développeurs" in result.stderr


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active")


def test_a_refusal_reads_french_with_its_token_and_english_keeps_the_databases_sentence(
    operator_cli, campaign
):
    french = operator_cli("--lang", "fr", "campaigns", "approve", campaign["slug"])
    assert french.exit_code == errors.EXIT_REFUSED
    (line,) = french.stderr.strip().splitlines()
    assert line.endswith(
        "invalid_status_transition : Cette action n'est pas possible pour une cagnotte dans"
        " cet état. Détail : Cannot approve a campaign that is active."
    ), line
    english = operator_cli("--lang", "en", "campaigns", "approve", campaign["slug"])
    assert english.exit_code == errors.EXIT_REFUSED
    (line,) = english.stderr.strip().splitlines()
    assert "invalid_status_transition: Cannot " in line
    assert "cagnotte" not in line


def test_a_check_constraint_reads_french_with_the_databases_rule(operator_cli):
    result = operator_cli(
        "--lang",
        "fr",
        "categories",
        "add",
        "Mauvais-Slug",
        "--fr",
        "Agriculture",
        "--en",
        "Farming",
    )
    assert result.exit_code == errors.EXIT_REFUSED, result.output
    assert "valeur refusée par la base (" in result.stderr
    assert ") : la règle est CHECK (" in result.stderr
    assert "slug ~ " in result.stderr


def test_ids_read_french(operator_cli):
    unknown = operator_cli("--lang", "fr", "comments", "hide", "e54f384f")
    assert unknown.exit_code == errors.EXIT_NOT_FOUND
    assert "commentaire : aucun identifiant ne commence par e54f384f" in unknown.stderr
    word = operator_cli("--lang", "fr", "reports", "resolve", "bonjour")
    assert word.exit_code == errors.EXIT_USAGE
    assert "'bonjour' n'est pas un identifiant : donnez l'uuid" in word.stderr


def test_the_operator_option_names_who_acts_and_a_missing_or_unknown_one_reads_french(
    db, operator_cli, admin, monkeypatch
):
    monkeypatch.delenv("CAGNOTTE_OPERATOR")
    fee = ("settings", "set", "platform-fee", "321")
    nobody = operator_cli("--lang", "fr", *fee)
    assert nobody.exit_code == errors.EXIT_USAGE
    assert "qui agit ? passez --operator EMAIL ou définissez CAGNOTTE_OPERATOR" in nobody.stderr
    stranger = operator_cli("--lang", "fr", "--operator", "inconnu@example.org", *fee)
    assert stranger.exit_code == errors.EXIT_FORBIDDEN, stranger.output
    assert "aucun compte n'a l'e-mail inconnu@example.org" in stranger.stderr
    acting = operator_cli("--operator", admin.email, *fee)
    assert acting.exit_code == 0, acting.output
    assert db.one("select platform_fee_bp from public.platform_settings")["platform_fee_bp"] == 321


def test_a_services_refusal_reads_french_with_its_token_and_a_provider_down_says_what_to_do():
    from webhooks.errors import ApiError

    i18n.use(FRENCH)
    refused = errors.explain(ApiError("payout_not_found", "No such payout request."))
    assert refused.code == errors.EXIT_REFUSED
    assert str(refused) == "payout_not_found : Cette demande de versement n'existe pas."
    down = errors.explain(ApiError("service_unavailable", "Stripe is not configured."))
    assert down.code == errors.EXIT_PROVIDER
    assert str(down).startswith("service_unavailable : La base de données ou l'API")
    assert "Détail : Stripe is not configured." in str(down)
    assert "vérifiez les réglages du prestataire" in str(down)
    assert "puis relancez la commande" in str(down)
    i18n.use("en")
    assert str(errors.explain(ApiError("payout_not_found", "No such payout request."))) == (
        "payout_not_found: No such payout request."
    )


def test_a_real_process_speaks_french_without_being_asked(database_down):
    env = {k: v for k, v in os.environ.items() if k != "CAGNOTTE_LANG"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    helped = subprocess.run(
        [sys.executable, "-m", "admin_scripts.cli", "--help"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert helped.returncode == 0
    assert "Console des opérateurs d'AfriCagnotte." in helped.stdout
    assert "Utilisation :" in helped.stdout
    down = subprocess.run(
        [sys.executable, "-m", "admin_scripts.cli", "payouts", "list"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert down.returncode == errors.EXIT_NO_DATABASE
    (line,) = down.stderr.strip().splitlines()
    assert line.startswith("erreur : la base de données est injoignable")


def test_a_help_panel_named_by_a_command_group_is_translated_like_its_help():
    sample = typer.Typer(cls=ConsoleGroup, pretty_exceptions_enable=False)

    @sample.command("review", rich_help_panel=i18n.N_("Error"))
    def review(limit: int = typer.Option(1, rich_help_panel=i18n.N_("Commands"))) -> None:
        pass

    @sample.command("other")
    def other() -> None:
        pass

    top = CliRunner(env={"CAGNOTTE_LANG": FRENCH}).invoke(sample, ["--help"])
    assert "─ Erreur ─" in top.output
    command = CliRunner(env={"CAGNOTTE_LANG": FRENCH}).invoke(sample, ["review", "--help"])
    assert "─ Commandes ─" in command.output


@pytest.fixture
def comment(db, campaign, user) -> str:
    return db.one(
        "insert into public.comments (campaign_id, author_id, body)"
        " values (%s, %s, 'Bravo') returning id::text as id",
        [campaign["id"], user.id],
    )["id"]


def test_in_a_real_terminal_a_destructive_command_asks_in_french_and_oui_goes_ahead(
    db, operator_cli, comment
):
    import pexpect

    from tests.support.terminal import in_terminal

    terminal = in_terminal("comments", "delete", comment[:8], env={"CAGNOTTE_LANG": None}).child
    terminal.expect_exact("[o/N]: ")
    terminal.sendline("peut-être")
    terminal.expect_exact("Répondez o (oui) ou n (non).")
    terminal.expect_exact("[o/N]: ")
    terminal.sendline("oui")
    terminal.expect(pexpect.EOF)
    terminal.close()
    assert terminal.exitstatus == 0, terminal.before
    assert "Traceback" not in terminal.before
    assert db.sql("select id from public.comments where id = %s", [comment]) == []


# Review of the French layer (issue #18) ----------------------------------------------------


def test_lang_after_the_command_is_no_root_option_and_is_refused_in_the_default_language():
    result = run("campaigns", "list", "--lang", "en")
    assert result.exit_code == errors.EXIT_USAGE
    shown = words(result.output)
    assert "Option inconnue : --lang" in shown
    assert "No such option" not in shown
    assert "Utilisation : cagnotte-admin campaigns list" in shown


def test_only_the_root_options_choose_the_language(monkeypatch):
    monkeypatch.delenv("CAGNOTTE_LANG")
    assert i18n.chosen_language(["--operator", "a@b.org", "--lang", "en", "stats"]) == "en"
    assert i18n.chosen_language(["--lang=en", "stats"]) == "en"
    typed = ["users", "ban", "a@b.org", "--reason", "--lang", "en"]
    assert i18n.chosen_language(typed) == FRENCH
    assert i18n.chosen_language(["--operator", "a@b.org", "stats", "--lang", "en"]) == FRENCH


@pytest.mark.parametrize(
    "typed",
    [
        "x is not one of y",
        "Missing argument 'x'.",
        "a. Did you mean b?",
        "Value error, z",
        "a (env var: b): c",
    ],
)
def test_a_typed_value_that_reads_like_typers_words_is_shown_whole(typed):
    result = run("campaigns", "list", "--status", typed)
    assert result.exit_code == errors.EXIT_USAGE
    shown = words(result.output)
    assert f"{typed!r} ne fait pas partie des choix : 'draft'," in shown, shown
    assert "is not one of 'draft'" not in shown


SEEDED_EXPONENTS = {"XOF": 0, "XAF": 0, "EUR": 2, "USD": 2, "GNF": 0}


@pytest.fixture
def seeded_exponents(monkeypatch) -> None:
    """The database's exponents (as the reference data seeds them), without a database."""
    monkeypatch.setitem(i18n._EXPONENTS, "read", SEEDED_EXPONENTS)


# (typed, currency, minor units or None when refused), in French
FRENCH_AMOUNTS = [
    ("5 000", "XOF", 5000),
    ("5\u202f000", "XOF", 5000),
    ("5000", "XOF", 5000),
    ("5 000 F CFA", "XOF", 5000),  # as the console shows it
    ("5000 XOF", "XOF", 5000),
    ("\u0665\u0660\u0660\u0660", "XOF", 5000),  # Arabic-Indic digits: the same number
    ("100,50", "EUR", 10050),
    ("1 234 567,89 €", "EUR", 123456789),
    ("5.000", "XOF", None),  # five or five thousand? refused, never 5
    ("5,000", "XOF", None),
    ("5.000", "EUR", None),
    ("5,000.00", "XOF", None),
    ("5 0 0 0", "XOF", None),  # digits grouped wrongly
    ("1e3", "XOF", None),
    ("1_000", "XOF", None),
    ("∞", "XOF", None),
    ("Infinity", "EUR", None),
    ("NaN", "EUR", None),
    ("  ", "XOF", None),
    ("0", "XOF", None),
    ("-5", "XOF", None),
    ("100,505", "EUR", None),
    ("5000 €", "XOF", None),
    ("9" * 30, "XOF", None),
]


@pytest.mark.parametrize(("typed", "currency", "minor"), FRENCH_AMOUNTS)
def test_amounts_typed_in_french_are_read_exactly_or_refused_with_a_usage_error(
    seeded_exponents, typed, currency, minor
):
    i18n.use(FRENCH)
    if minor is not None:
        assert i18n.parse_money(typed, currency) == minor
        return
    with pytest.raises(typer.BadParameter) as refused:
        i18n.parse_money(typed, currency)
    assert repr(typed) in refused.value.message
    assert "amount" not in refused.value.message  # French


def test_a_refused_amount_says_how_to_write_it(seeded_exponents):
    i18n.use(FRENCH)
    with pytest.raises(typer.BadParameter) as refused:
        i18n.parse_money("5.000", "XOF")
    assert refused.value.message == (
        "'5.000' : les montants en XOF n'ont pas de décimales (par exemple 5\u202f000)"
    )
    with pytest.raises(typer.BadParameter) as refused:
        i18n.parse_money("10 000 000 000 000 000 000", "XOF")
    assert "trop élevé" in refused.value.message
    i18n.use("en")
    assert i18n.parse_money("5,000.50", "EUR") == 500050
    assert i18n.parse_money("5,000", "XOF") == 5000
    with pytest.raises(typer.BadParameter) as refused:
        i18n.parse_money("5.000", "EUR")
    assert refused.value.message == "'5.000': EUR amounts have at most 2 decimals (e.g. 5,000.00)"


def test_money_shows_negative_and_huge_amounts(seeded_exponents):
    i18n.use(FRENCH)
    assert i18n.money(-500000, "XOF") == "-500\u202f000\xa0F\u202fCFA"
    assert i18n.money(2**63 - 1, "EUR") == "92\u202f233\u202f720\u202f368\u202f547\u202f758,07\xa0€"
    i18n.use("en")
    assert i18n.money(-1050, "EUR") == "-€10.50"


def test_every_currency_of_the_database_is_shown_with_the_databases_digits(db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db.url)
    i18n.use(FRENCH)
    currencies = db.sql("select code, exponent from public.currencies order by code")
    assert {c["code"] for c in currencies} >= {"XOF", "XAF", "EUR", "USD", "GHS", "NGN"}
    for currency in currencies:
        places = currency["exponent"]
        shown = i18n.money(10**places * 5000 + 1, currency["code"])
        number = "5\u202f000," + "0" * (places - 1) + "1" if places else "5\u202f001"
        assert shown.startswith(number + "\xa0"), (currency, shown)


def test_the_database_is_the_one_home_of_a_currencys_exponent(db, monkeypatch):
    """Malagasy ariary: CLDR counts no decimals, ISO 4217 two; the database decides."""
    db.sql(
        "insert into public.currencies (code, name_fr, name_en, exponent, min_donation,"
        " max_donation, max_goal) values ('MGA', 'Ariary', 'Ariary', 2, 100, 1000000, 1000000)"
    )
    monkeypatch.setenv("DATABASE_URL", db.url)
    settings.cache_clear()
    i18n.forget_currencies()  # as a run starts (ConsoleGroup.main)
    i18n.use(FRENCH)
    assert i18n.money(150000, "MGA") == "1\u202f500,00\xa0MGA"
    assert i18n.parse_money("1 500", "MGA") == 150000


@pytest.fixture
def down_and_french(database_down, monkeypatch) -> None:
    monkeypatch.setenv("CAGNOTTE_LANG", FRENCH)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STRIPE_SECRET_KEY", "bogus"),
        ("SITE_URL", "pas-une-url"),
        ("CAGNOTTE_TIMEZONE", "Mars/Olympus"),
        ("CINETPAY_SITE_ID", "abc"),
    ],
)
def test_a_malformed_setting_stops_every_command_before_it_runs_naming_it(
    down_and_french, monkeypatch, name, value
):
    monkeypatch.setenv(name, value)
    for command in (["campaigns", "list"], ["comments", "list"], ["doctor"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == errors.EXIT_USAGE, (command, result.output)
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(f"erreur : configuration invalide : {name}: "), line
        assert "should" not in line, line  # pydantic's words in French
        assert "Input" not in line, line
        assert "injoignable" not in line
    assert CliRunner().invoke(app, ["campaigns", "list", "--help"]).exit_code == 0


def test_a_malformed_setting_in_env_local_is_named_too(database_down, tmp_path):
    (tmp_path / ".env.local").write_text("STRIPE_SECRET_KEY=sk_nope\n")
    result = CliRunner().invoke(app, ["--lang", "en", "payouts", "list"])
    assert result.exit_code == errors.EXIT_USAGE, result.output
    assert "invalid configuration: STRIPE_SECRET_KEY: String should match pattern" in (
        result.stderr
    )


def test_the_time_zone_may_be_set_in_env_local(database_down, tmp_path):
    from datetime import UTC, datetime

    from admin_scripts.settings import reload

    (tmp_path / ".env.local").write_text("CAGNOTTE_TIMEZONE=Africa/Kinshasa\n")
    reload()
    i18n.use(FRENCH)
    assert i18n.when(datetime(2026, 11, 30, 14, tzinfo=UTC)) == "30 nov. 2026, 15:00:00 WAT"
    assert i18n.when(datetime(2026, 11, 30, 14)) == "30 nov. 2026, 15:00:00 WAT"  # naive: UTC


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("2026-02-30", "il n'existe pas de tel jour ou de telle heure"),
        ("2026-11-30T25:00", "il n'existe pas de tel jour ou de telle heure"),
        ("30/11/2026", "n'est pas une date ISO 8601 : écrivez 2026-11-30"),
        ("now", "n'est pas une date ISO 8601 : écrivez 2026-11-30"),
        (" ", "n'est pas une date ISO 8601 : écrivez 2026-11-30"),
    ],
)
def test_a_date_that_is_not_iso_8601_or_does_not_exist_is_a_usage_error_in_french(typed, said):
    i18n.use(FRENCH)
    with pytest.raises(typer.BadParameter) as refused:
        i18n.parse_when(typed)
    assert refused.value.message.startswith(repr(typed))
    assert said in refused.value.message


def test_the_language_may_be_set_in_env_local_and_a_wrong_one_there_is_named(
    database_down, tmp_path
):
    (tmp_path / ".env.local").write_text("CAGNOTTE_LANG=en\n")
    english = CliRunner().invoke(app, ["campaigns", "list"])
    assert english.exit_code == errors.EXIT_NO_DATABASE
    assert "the database cannot be reached" in english.stderr
    (tmp_path / ".env.local").write_text("CAGNOTTE_LANG=de\n")
    wrong = CliRunner().invoke(app, ["campaigns", "list"])
    assert wrong.exit_code == errors.EXIT_USAGE
    assert "configuration invalide : CAGNOTTE_LANG: 'de' n'est pas une des langues" in (
        wrong.stderr
    )


def test_the_value_types_in_help_read_french(wide):
    french = words(run("backup", "--help", lang=FRENCH).output)
    assert "--output -o <chemin>" in french
    assert "--json <indicateur>" in french
    assert "<bool>" not in french
    assert "<path>" not in french
    listing = words(run("campaigns", "list", "--help", lang=FRENCH).output)
    assert "--limit <entier> [1<=x<=10000]" in listing
    english = words(run("backup", "--help", lang="en").output)
    assert "--output -o <path>" in english
    assert "--json <bool>" in english


def test_the_local_stack_commands_run_with_settings_that_do_not_validate(
    down_and_french, monkeypatch
):
    """`local` writes .env.local (and `dev` plays the providers): not stopped by it."""
    monkeypatch.setenv("STRIPE_SECRET_KEY", "bogus")
    result = CliRunner().invoke(app, ["local", "status"])
    assert "configuration invalide" not in result.output
    assert "running" in result.stdout


def test_the_operator_option_wins_over_the_environment_and_the_last_one_given_counts(
    db, operator_cli, admin
):
    fee = ("settings", "set", "platform-fee", "321")
    stranger = operator_cli("--lang", "fr", "--operator", "inconnu@example.org", *fee)
    assert stranger.exit_code == errors.EXIT_FORBIDDEN  # CAGNOTTE_OPERATOR is the admin
    assert "aucun compte n'a l'e-mail inconnu@example.org" in stranger.stderr
    twice = operator_cli("--operator", "inconnu@example.org", "--operator", admin.email, *fee)
    assert twice.exit_code == 0, twice.output
    assert db.one("select platform_fee_bp from public.platform_settings")["platform_fee_bp"] == 321
