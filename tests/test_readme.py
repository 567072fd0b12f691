"""The README is the front door, and the pages it links are kept true by this file:
every `make` target they name exists (and `make help` lists it), every console
command they show exists with the options they give it, every relative link
leads to a file of the repository, the README stays short, its configuration
table lists exactly the variables the service and the console read, and the
campaign state diagram (in the campaigns migration's header) names every status
and every status the code moves a campaign to."""

from __future__ import annotations

import ast
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer

from admin_scripts.cli import app as console_app
from admin_scripts.settings import ConsoleSettings
from webhooks.config import Settings

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCUMENTS = [README, ROOT / "tests" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MIGRATIONS = ROOT / "supabase" / "migrations"
CAMPAIGNS_MIGRATION = MIGRATIONS / "20261121100100_create_campaigns.sql"
MAX_README_LINES = 250

# What the configuration table may list besides what the code reads: the anon key
# is the frontend's (supabase-js), written to .env.local by `make run`.
FRONTEND_ONLY = {"SUPABASE_ANON_KEY"}

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
MAKE_IN_TEXT = re.compile(r"`make ([a-z][a-z-]*)")
MAKE_IN_CODE = re.compile(r"^\s*make ([a-z][a-z-]*)", re.M)
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.M | re.S)
ENV_NAME = re.compile(r"`([A-Z][A-Z0-9_]+)`")


def code_blocks(text: str) -> list[str]:
    return FENCE.findall(text)


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


# make targets -------------------------------------------------------------------


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z-]*):(?!=)", text, re.M))


def targets_named(path: Path) -> set[str]:
    text = path.read_text()
    named = set(MAKE_IN_TEXT.findall(text))
    for block in code_blocks(text):
        named |= set(MAKE_IN_CODE.findall(block))
    return named


@pytest.mark.parametrize("document", DOCUMENTS, ids=relative)
def test_every_make_target_a_document_names_exists_and_make_help_lists_it(document):
    named = targets_named(document)
    listed = subprocess.run(
        ["make", "--no-print-directory", "-s", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    in_help = set(re.findall(r"^\s*make ([a-z][a-z-]*)", listed, re.M))
    assert named - makefile_targets() == set(), "named but not in the Makefile"
    assert named - in_help == set(), "named but `make help` does not list it (add a ## comment)"


def test_the_readme_names_the_two_commands():
    assert {"run", "test"} <= targets_named(README)


# console commands ----------------------------------------------------------------


def console_lines(path: Path) -> list[str]:
    """The console commands a document's code blocks show, without their comments."""
    lines = []
    for block in code_blocks(path.read_text()):
        for line in block.splitlines():
            line = line.split("  #", 1)[0].strip()
            for prefix in (".venv/bin/cagnotte-admin ", "cagnotte-admin "):
                if line.startswith(prefix):
                    lines.append(line.removeprefix(prefix))
    return lines


def resolve(tokens: list[str]) -> tuple[Any, list[str]]:
    """The console command the words name, and the options given to it (a group
    is anything with subcommands: typer's classes need not be click's own)."""
    command = typer.main.get_command(console_app)
    words = [t.strip("[]") for t in tokens]
    path = []
    while hasattr(command, "commands") and words and words[0] in command.commands:
        path.append(words[0])
        command = command.commands[words.pop(0)]
    assert not hasattr(command, "commands"), f"no such command: {' '.join(path + words)}"
    options = [w.split("=", 1)[0] for w in words if w.startswith("--")]
    return command, options


CONSOLE_LINES = [(relative(p), line) for p in DOCUMENTS for line in console_lines(p)]


def test_the_documents_show_console_commands():
    assert len(CONSOLE_LINES) > 40


@pytest.mark.parametrize(("document", "line"), CONSOLE_LINES)
def test_every_console_command_a_document_shows_exists_with_its_options(document, line):
    command, options = resolve(shlex.split(line))
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    assert set(options) - known == set(), f"{document}: `{line}` gives options the command lacks"


# links ------------------------------------------------------------------------------


def relative_links(path: Path) -> list[str]:
    return [
        target
        for target in LINK.findall(path.read_text())
        if not re.match(r"^[a-z][a-z+.-]*:", target) and not target.startswith("#")
    ]


@pytest.mark.parametrize("document", DOCUMENTS, ids=relative)
def test_every_relative_link_of_a_document_leads_to_a_file_of_the_repository(document):
    broken = []
    for target in relative_links(document):
        where = (document.parent / target.split("#", 1)[0]).resolve()
        if not where.is_relative_to(ROOT) or not where.exists():
            broken.append(target)
    assert broken == []


def test_the_readme_links_the_docs_the_tests_tour_and_the_migrations():
    links = set(relative_links(README))
    for document in DOCUMENTS[1:]:
        assert relative(document) in links
    assert "supabase/migrations/" in links


# length -------------------------------------------------------------------------------


def test_the_readme_is_a_front_door_not_a_manual():
    lines = README.read_text().count("\n")
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines: move the detail to docs/"


def test_the_readme_holds_no_benchmark_figures():
    text = README.read_text()
    assert re.search(r"\d+(\.\d+)? ?ms\b|\d+/s\b", text) is None


# configuration ---------------------------------------------------------------------------


def configuration_table() -> set[str]:
    section = README.read_text().split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in ENV_NAME.findall(row.split(" | ", 1)[0])}


def service_settings() -> set[str]:
    """The service's settings and the console's (its one settings object extends them)."""
    fields = {**Settings.model_fields, **ConsoleSettings.model_fields}
    return {(field.alias or name).upper() for name, field in fields.items()}


class _ConsoleReads(ast.NodeVisitor):
    """The environment variables a module reads: `os.environ.get("X")`,
    `os.environ["X"]`, `envvar="X"` (and a `setting("X")` helper); a module-level
    string constant counts as its value. The settings object's fields are read
    too (console_reads)."""

    def __init__(self, constants: dict[str, str]) -> None:
        self.constants = constants
        self.names: set[str] = set()

    def _value(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return self.constants.get(node.id)
        return None

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        reads_environ = name == "get" and "environ" in ast.unparse(func)
        reads = name.endswith("setting") or reads_environ or name == "getenv"
        if reads and node.args and (value := self._value(node.args[0])):
            self.names.add(value)
        for keyword in node.keywords:
            if keyword.arg == "envvar" and (value := self._value(keyword.value)):
                self.names.add(value)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        reads = "environ" in ast.unparse(node.value) and isinstance(node.ctx, ast.Load)
        if reads and (value := self._value(node.slice)):
            self.names.add(value)
        self.generic_visit(node)


def console_reads() -> set[str]:
    """What the console (and the developers' local stack, and the cluster code
    they share) read: its settings object's fields and the variables its modules read."""
    names = {(field.alias or name).upper() for name, field in ConsoleSettings.model_fields.items()}
    packages = ("admin_scripts", "localdev", "pgcluster")
    for path in sorted(p for package in packages for p in (ROOT / package).glob("*.py")):
        tree = ast.parse(path.read_text())
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        visitor = _ConsoleReads(constants)
        visitor.visit(tree)
        names |= {n for n in visitor.names if re.fullmatch(r"[A-Z][A-Z0-9_]+", n)}
    # and what it reads through its one settings object (admin_scripts.settings)
    return names | {name.upper() for name in ConsoleSettings.model_fields}


def auth_config_reads() -> set[str]:
    """The names config.toml reads with env(): `supabase config push` needs them."""
    lines = (ROOT / "supabase/config.toml").read_text().splitlines()
    settings = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    return set(re.findall(r'"env\(([A-Z][A-Z0-9_]+)\)"', settings))


def test_the_console_is_seen_reading_its_settings():
    read = console_reads()
    assert {"DATABASE_URL", "SMTP_URL", "CAGNOTTE_OPERATOR", "AFRICAGNOTTE_DB_PORT"} <= read


def test_the_configuration_table_lists_exactly_what_the_service_and_the_console_read():
    expected = service_settings() | console_reads() | auth_config_reads() | FRONTEND_ONLY
    listed = configuration_table()
    assert {"missing": expected - listed, "not read": listed - expected} == {
        "missing": set(),
        "not read": set(),
    }


# the campaign state diagram -------------------------------------------------------------


def campaign_statuses() -> set[str]:
    sql = CAMPAIGNS_MIGRATION.read_text()
    body = re.search(r"create type public\.campaign_status as enum \((.*?)\);", sql, re.S)
    return set(re.findall(r"'([a-z_]+)'", body.group(1)))


def diagram_moves() -> set[tuple[str, str]]:
    header = []
    for line in CAMPAIGNS_MIGRATION.read_text().splitlines():
        if not line.startswith("--"):
            break
        header.append(line)
    text = "\n".join(header)
    assert "stateDiagram-v2" in text
    return set(re.findall(r"^--\s+(\[\*\]|[a-z_]+) --> (\[\*\]|[a-z_]+)", text, re.M))


def statuses_the_code_moves_to() -> set[str]:
    targets: set[str] = set()
    for path in MIGRATIONS.glob("*.sql"):
        sql = path.read_text()
        targets |= set(re.findall(r"set_campaign_status\(\s*[\w.]+,\s*'([a-z_]+)'", sql))
        targets |= set(re.findall(r"'([a-z_]+)'::public\.campaign_status", sql))
        targets |= set(re.findall(r"public\.campaigns as c\s+set status = '([a-z_]+)'", sql))
    return targets


def test_the_campaign_state_diagram_names_every_status_and_only_those():
    states = {state for move in diagram_moves() for state in move} - {"[*]"}
    assert states == campaign_statuses()


def test_the_campaign_state_diagram_shows_every_status_the_code_moves_a_campaign_to():
    moved_to = statuses_the_code_moves_to()
    assert {"pending_review", "expired", "frozen", "cancelled", "funded"} <= moved_to
    assert moved_to - {to for _, to in diagram_moves()} == set()


def test_every_status_but_the_first_is_reached_and_every_one_is_left_or_final():
    moves = diagram_moves()
    reached = {to for _, to in moves}
    left = {source for source, _ in moves}
    assert campaign_statuses() <= reached
    assert campaign_statuses() - left == {"cancelled"}
