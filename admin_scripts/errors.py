"""The console's one error path: every failure ends as one message on stderr
(what went wrong, what to do) and a documented exit code, never a traceback.

Exit codes (the one list; the README's operators' section cites it):

====  =====================================================================
0     done
1     refused: a business rule said no (the database's PTxxx token and its
      sentence, a check constraint with its rule)
2     usage: bad arguments or configuration (click's own usage errors too)
3     not found: no row has this id, slug or email (or prefix)
4     forbidden: not an admin, or the rule is for someone else
5     the database cannot be reached (start it: `make run`; check DATABASE_URL)
6     a provider (Stripe, CinetPay, Cloudinary, Auth) cannot be reached or
      is not configured
70    a bug: an unexpected error (its type and file:line, to report it)
====  =====================================================================

Commands raise ``OperatorError(message, code)`` (or let psycopg's and the
providers' errors through); the root group (``ConsoleGroup``, cli.py) turns any
of them into ``fail()``.
"""

from __future__ import annotations

import traceback
from pathlib import Path

import psycopg
import typer
from typer.core import TyperGroup

from admin_scripts import i18n
from admin_scripts.console import error
from admin_scripts.i18n import N_, _

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_FORBIDDEN = 4
EXIT_NO_DATABASE = 5
EXIT_PROVIDER = 6
EXIT_BUG = 70  # sysexits.h EX_SOFTWARE

# SQLSTATEs of a connection that could not be made or was lost (class 08, and
# the server shutting down or starting up): the database is unreachable.
UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")
UNREACHABLE_HINT = N_(
    "start it with `make run` (local stack), or check DATABASE_URL (environment or .env.local)"
)


class OperatorError(RuntimeError):
    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def fail(exc: Exception, code: int = EXIT_USAGE) -> typer.Exit:
    """The one way a command ends on an error: the message, then its exit code."""
    error(exc, label=_("error"))
    own = getattr(exc, "code", None)  # an OperatorError's; others' (Stripe's) may be text
    return typer.Exit(code=own if isinstance(own, int) else code)


# A server that answered but refused the login (libpq's connection messages
# carry no SQLSTATE, so its words tell): DATABASE_URL is wrong, not the server down.
REFUSED_LOGIN = ("authentication failed", "pg_hba.conf", "does not exist")


def refused_login(exc: psycopg.Error) -> bool:
    return isinstance(exc, psycopg.OperationalError) and any(
        words in str(exc) for words in REFUSED_LOGIN
    )


def unreachable(exc: psycopg.Error) -> bool:
    state = exc.sqlstate or ""
    return (
        isinstance(exc, psycopg.OperationalError)
        and not refused_login(exc)
        and (not state or state.startswith(UNREACHABLE_STATES))
    )


def connection_failed(exc: psycopg.Error) -> OperatorError:
    """A connection that failed: the login refused (DATABASE_URL is wrong, a usage
    error) or the database out of reach."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if refused_login(exc):
        return OperatorError(
            _(
                "the database refused the login ({reason}): check DATABASE_URL's user, password"
                " and database name (environment or .env.local)"
            ).format(reason=reason),
            EXIT_USAGE,
        )
    return OperatorError(
        _("the database cannot be reached ({reason}): {hint}").format(
            reason=reason, hint=_(UNREACHABLE_HINT)
        ),
        EXIT_NO_DATABASE,
    )


def refusal(exc: psycopg.Error, rule: str | None = None) -> OperatorError:
    """A database refusal as the operator reads it: the token (kept: operators
    search it) and its sentence (``PTxxx``: the catalogue's in French, the
    database's detail in English), or the violated check's rule, with its exit code."""
    diag = exc.diag
    state = diag.sqlstate or ""
    code = {"PT404": EXIT_NOT_FOUND, "PT403": EXIT_FORBIDDEN, "PT401": EXIT_FORBIDDEN}.get(
        state, EXIT_FORBIDDEN if state == "42501" else EXIT_REFUSED
    )
    if state.startswith("22"):  # data exception: a value of the wrong type or range
        code = EXIT_USAGE
    message = diag.message_primary or type(exc).__name__
    if rule:
        return OperatorError(
            _("{message}: the rule is {rule}").format(message=message, rule=rule), code
        )
    if state.startswith("PT"):  # a stable token of the SQL
        return OperatorError(told(message, diag.message_detail), code)
    detail = f": {diag.message_detail}" if diag.message_detail else ""
    return OperatorError(f"{message}{detail}", code)


def told(token: str, sentence: str | None) -> str:
    """A refusal's token and its sentence as the operator reads them: ``token:
    sentence``, the sentence in French from the catalogue (the token kept: it is
    what operators search), in English the one given."""
    sentence = i18n.refusal_sentence(token, sentence)
    return _("{token}: {sentence}").format(token=token, sentence=sentence) if sentence else token


def explain(exc: Exception) -> OperatorError:
    """Any failure as an OperatorError (message and exit code)."""
    from webhooks.config import ConfigError
    from webhooks.errors import ApiError

    if isinstance(exc, OperatorError):
        return exc
    if isinstance(exc, psycopg.Error) and (refused_login(exc) or unreachable(exc)):
        return connection_failed(exc)
    if isinstance(exc, psycopg.Error) and exc.sqlstate:
        return refusal(exc)
    if isinstance(exc, ApiError) and exc.status >= 500:  # the payment code's "not now"
        return OperatorError(
            _(
                "{error}: check the provider's settings (environment or .env.local)"
                " and the network, then run the command again"
            ).format(error=told(exc.token, exc.sentence)),
            EXIT_PROVIDER,
        )
    if isinstance(exc, ApiError):
        return OperatorError(told(exc.token, exc.sentence), EXIT_REFUSED)
    if isinstance(exc, ConfigError):
        return invalid_configuration(str(exc).removeprefix("invalid configuration: "))
    return OperatorError(
        _(
            "a bug: {kind} at {where}: {error} (report it to the"
            " developers with the command you ran)"
        ).format(kind=type(exc).__name__, where=where(exc), error=exc),
        EXIT_BUG,
    )


def invalid_configuration(problems: str) -> OperatorError:
    """Settings that do not validate (``NAME: problem; …``): a usage error."""
    return OperatorError(
        _("invalid configuration: {problems}: correct it in the environment or .env.local").format(
            problems=problems
        ),
        EXIT_USAGE,
    )


def where(exc: BaseException) -> str:
    """The innermost frame of the exception, ``file:line`` (for the bug report)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"


class ConsoleGroup(TyperGroup):
    """The root group: it sets the language and reads the settings anew before
    a run (``main``), and every subcommand runs inside its ``invoke``, so that no
    exception reaches the terminal as a traceback."""

    def main(self, args=None, *rest, **options):
        import sys

        from admin_scripts import operator
        from admin_scripts.settings import settings

        settings.cache_clear()
        i18n.forget_currencies()
        i18n.use(i18n.chosen_language(sys.argv[1:] if args is None else args))
        i18n.translate_help(self)
        self._first_before_each_command(self, ())
        try:
            return super().main(args, *rest, **options)
        finally:
            operator.choose(None)  # the run's --operator stays with the run

    def before_command(self, path: tuple[str, ...]) -> None:
        """Runs before the command ``path`` does its work, once its arguments are
        read (so that ``--help`` and usage errors come first): nothing here; the
        console validates its settings there (cli.Console)."""

    def _first_before_each_command(self, command, path: tuple[str, ...]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            self._first_before_each_command(sub, (*path, name))
        if path and not getattr(command, "commands", None) and command.callback:
            work = command.callback

            def first_this(*args, **kwargs):
                self.before_command(path)
                return work(*args, **kwargs)

            command.callback = first_this

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # ends the command as asked, usage errors with their help
        except BrokenPipeError:
            raise  # the reader went away (`| head`): Typer's main ends quietly (exit 1)
        except Exception as exc:
            raise fail(explain(exc)) from exc
