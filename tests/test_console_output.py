"""The operators' console shows user text literally and exports data, not formulas.

User text reaches the operator's terminal (titles, names, comments, reasons,
emails): Rich markup in it is shown as typed, never parsed (``[/oops]`` cannot
crash a listing, ``[red]`` or ``[link=…]`` cannot restyle it), and control or
bidirectional characters are shown as escapes. CSV exports neutralise formula
cells (OWASP: a leading quote before = + - @ tab CR) and keep numbers numeric.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from admin_scripts import console

MARKUP = "Bonjour [/oops] [red]ROUGE[/red] [link=https://evil.test]ici[/link] :warning:"
ESCAPES = "\x1b[2J\x1b]8;;https://evil.test\x07lien\x1b]8;;\x07 \x9b31m \r\x08 \u202egnp.exe"
FORMULA = '=HYPERLINK("https://evil.test","Soins")'
NAME = "Awa [/oops] [bold red]Admin[/bold red]"
REPORT = "@SUM(1+1) [link=https://evil.test]voir[/link]"
DONOR = "-2+3 [/oops]"


@pytest.fixture
def cli(operator_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")  # one line per row: assertions see whole cells
    return operator_cli


@pytest.fixture
def hostile(db, as_user, owner, user, other_user, make_campaign, give):
    """A campaign, a comment, a report and a donation whose texts attack the console."""
    as_user(owner).update("profiles", {"display_name": NAME}, {"id": owner.id})
    campaign = make_campaign(owner, "active", title=FORMULA, city="+221 Dakar")
    (comment,) = as_user(user).insert(
        "comments", {"campaign_id": campaign["id"], "body": MARKUP + "\n" + ESCAPES}
    )
    as_user(other_user).insert(
        "reports", {"comment_id": comment["id"], "reason": "spam", "details": REPORT}
    )
    p = give(campaign, 10_000, user)
    db.sql("update public.donations set donor_name = %s where id = %s", [DONOR, p["donation_id"]])
    return {"campaign": campaign, "comment": comment}


def shown_literally(result, *texts: str) -> None:
    """Exit 0, each text in the output as typed, no raw escape reaching the terminal."""
    assert result.exit_code == 0, result.output
    for text in texts:
        assert text in result.stdout, result.stdout
    for raw in ("\x1b", "\x9b", "\x07", "\x08", "\r", "\u202e"):
        assert raw not in result.stdout


# Listings ------------------------------------------------------------------------------------


def test_users_list_shows_a_name_with_markup_as_typed(cli, hostile):
    shown_literally(cli("users", "list"), NAME)


def test_comments_list_shows_markup_as_typed_and_escapes_control_characters(cli, hostile):
    result = cli("comments", "list")
    shown_literally(result, MARKUP, "\\x1b[2J", "\\x9b31m", "\\u202egnp.exe", "\\n")


def test_comments_list_as_json_keeps_the_text_exactly_and_escaped(cli, hostile):
    result = cli("comments", "list", "--json")
    shown_literally(result)
    (row,) = json.loads(result.stdout)
    assert row["body"] == MARKUP + "\n" + ESCAPES
    assert "\\u009b" in result.stdout
    assert "\\u202e" in result.stdout


def test_reports_list_shows_details_and_comments_as_typed(cli, hostile):
    shown_literally(cli("reports", "list"), REPORT, MARKUP)


def test_campaigns_list_and_show_give_the_owner_and_title_as_typed(cli, hostile):
    shown_literally(cli("campaigns", "list"), NAME)
    shown_literally(cli("campaigns", "show", hostile["campaign"]["slug"]), NAME, FORMULA)
    shown = cli("campaigns", "show", hostile["campaign"]["slug"], "--json")
    shown_literally(shown)
    assert json.loads(shown.stdout)["title"] == FORMULA


def test_payouts_list_survives_a_beneficiary_name_with_markup(cli, hostile, as_user, owner):
    wallet = {"method": "mobile_money", "beneficiary_name": "Aminata [/oops] [red]Traoré[/red]",
              "mobile_operator": "wave", "phone_number": "+221770000000"}  # fmt: skip
    as_user(owner).rpc(
        "request_payout", {"campaign_id": hostile["campaign"]["id"], "amount": 1_000, **wallet}
    )
    shown_literally(cli("payouts", "list"))


def test_categories_list_shows_a_name_with_markup_as_typed(cli):
    assert cli("categories", "add", "piege", "--fr", "[/oops] Piège", "--en", "Trap").exit_code == 0
    shown_literally(cli("categories", "list"), "[/oops] Piège")


def test_the_outbox_listing_survives_a_subject_with_markup(db, cli):
    db.sql(
        "insert into private.email_outbox (dedupe_key, to_address, locale, template, subject, body)"
        " values ('k1', 'awa@example.test', 'fr', 'update', %s, 'x')",
        [MARKUP],
    )
    shown_literally(cli("notifications", "outbox"), "[/oops] [red]ROUGE[/red]")


@pytest.mark.parametrize(
    "args",
    [
        ("comments", "hide", "[/oops]"),
        ("campaigns", "show", "[bold]x[/bold] \x1b[31m"),
        ("users", "show", "[/oops]@example.test"),
        ("reports", "resolve", "[/oops]"),
    ],
)
def test_an_operators_argument_with_markup_is_echoed_literally_in_the_error(cli, args):
    result = cli(*args)
    assert result.exit_code in (1, 2, 3), result.output  # refused, not an id, not found
    assert isinstance(result.exception, SystemExit)  # a clean exit, no traceback
    assert "\x1b" not in result.stderr
    assert args[-1].split(" ")[0] in result.stderr


# Exports -------------------------------------------------------------------------------------


def export(cli, what: str) -> list[dict[str, str]]:
    result = cli("export", what)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_a_formula_in_a_campaign_title_is_neutralised_in_the_export(cli, hostile):
    (row,) = export(cli, "campaigns")
    assert row["title"] == "'" + FORMULA
    assert row["city"] == "'+221 Dakar"
    assert row["owner"] == NAME  # no formula: unchanged
    assert (row["goal_amount"], row["collected_amount"]) == ("2500000", "10000")  # numbers


def test_a_donor_name_that_looks_like_a_sum_is_text_in_the_export(cli, hostile):
    (row,) = export(cli, "donations")
    assert row["donor_name"] == "'" + DONOR
    assert row["amount"] == "10000"
    assert row["is_anonymous"] == "false"


# The rules, one home (console.py) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"), ("+33 6 12", "'+33 6 12"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"), ("\rx", "'\rx"), ("  =1+1", "'  =1+1"), ("-5000", "'-5000"),
        ("Aminata", "Aminata"), ("", ""), (None, ""), (-5000, -5000), (12.5, 12.5),
        (True, "true"), (["=x"], '["=x"]'),
    ],
)  # fmt: skip
def test_csv_cells_neutralise_formulas_and_keep_numbers_numeric(value, cell):
    assert console.csv_cell(value) == cell


def test_a_negative_amount_stays_a_number_in_csv():
    target = io.StringIO()
    assert console.write_csv(target, ["amount", "note"], [(-5000, "-5000")]) == 1
    assert target.getvalue() == "amount,note\n-5000,'-5000\n"


def test_the_console_prints_strings_literally(capsys):
    console.out.print("[/oops] [red]x[/red] \x1b[31m\u202e", style="bold")
    console.error("[/oops] \x1b[2J")
    printed = capsys.readouterr()
    assert "[/oops] [red]x[/red] \\x1b[31m\\u202e" in printed.out
    assert "error: [/oops] \\x1b[2J" in printed.err


def test_a_unicode_line_separator_is_shown_not_obeyed(capsys):
    """U+2028 and U+2029 break lines in editors and logs, as SQL's one-line rule
    (private.to_single_line) says: a row of the console stays one line."""
    console.out.print(console.table("t", ["body"], [["a\u2028b\u2029c"]]))
    console.print_json({"t": "a\u2028b"})
    printed = capsys.readouterr().out
    assert "a\\u2028b\\u2029c" in printed
    assert "\u2028" not in printed
    assert "\u2029" not in printed


def test_json_output_escapes_what_a_terminal_would_obey(capsys):
    data = {"t": "a\x1b[2J\x9b\u202eb\u200d👨‍👩‍👧"}
    console.print_json(data)
    printed = capsys.readouterr().out
    assert json.loads(printed) == data
    assert not any(c in printed for c in "\x1b\x9b\u202e")
    assert "👨‍👩‍👧" in printed  # joiners in emoji are not controls
