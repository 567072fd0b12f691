"""`cagnotte-admin categories …`: the categories campaigns choose from, their
platform fee and whether they are offered (public.categories, changed as the
operator's admin account)."""

from __future__ import annotations

from typing import Any

import typer

from admin_scripts import db, operator
from admin_scripts.console import JSON_OPTION, err, print_rows
from admin_scripts.i18n import N_, _
from admin_scripts.operator import OperatorError, acting_as
from admin_scripts.settings_cmd import basis_points, checked_change, percent

INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # the position column: a PostgreSQL integer

app = typer.Typer(help=N_("Categories: list, add, fees, enable/disable."), no_args_is_help=True)

CATEGORIES_SQL = """
select k.slug, k.name_fr, k.name_en, k.active, k.platform_fee_bp,
    coalesce((select array_agg(r.document_type order by r.document_type)
              from public.category_proof_requirements as r where r.category = k.slug),
             '{}') as proofs
from public.categories as k
order by k.position, k.slug
"""


@app.command("list", help=N_("Categories with their fee and the proofs they ask for."))
def list_(as_json: bool = JSON_OPTION) -> None:
    with db.connect() as conn, acting_as(conn):
        rows = conn.execute(CATEGORIES_SQL).fetchall()
    print_rows(
        rows,
        as_json=as_json,
        title=_("Categories"),
        columns={
            _("slug"): "slug",
            _("name (fr)"): "name_fr",
            _("name (en)"): "name_en",
            _("offered"): lambda r: _("yes") if r["active"] else _("no"),
            _("fee"): lambda r: (
                _("global") if r["platform_fee_bp"] is None else percent(r["platform_fee_bp"])
            ),
            _("proofs"): lambda r: ", ".join(r["proofs"]),
        },
    )


@app.command("add", help=N_("A new category."))
def add(
    slug: str,
    name_fr: str = typer.Option(..., "--fr", help=N_("French name.")),
    name_en: str = typer.Option(..., "--en", help=N_("English name.")),
    position: int = typer.Option(
        500,
        "--position",
        min=INT_MIN,
        max=INT_MAX,
        help=N_("Where it is listed (smaller first)."),
    ),
) -> None:
    with db.connect() as conn, acting_as(conn):
        taken = conn.execute("select 1 from public.categories where slug = %s", [slug]).fetchone()
    if taken:
        raise OperatorError(
            _("category {slug} exists already: change it with set-fee, enable or disable").format(
                slug=slug
            ),
            operator.EXIT_REFUSED,
        )
    operator.act(
        "categories add",
        "insert into public.categories (slug, name_fr, name_en, position)"
        " values (%s, %s, %s, %s) returning slug as result",
        [slug, name_fr, name_en, position], slug,
    )  # fmt: skip
    err.print(_("category {slug} added").format(slug=slug))


def _set(action: str, slug: str, column: str, value: Any) -> None:
    query = (
        f"update public.categories set {column} = %s"  # noqa: S608 (a column of ours)
        " where slug = %s returning slug as result"
    )
    checked_change(action, query, [value, slug], slug, "public.categories", column)


@app.command("set-fee", help=N_("The platform fee of a category, for pledges from now on."))
def set_fee(
    slug: str,
    fee: str = typer.Argument(
        None, help=N_("In basis points: 300 for 3 %; omit with --clear."), show_default=False
    ),
    clear: bool = typer.Option(False, "--clear", help=N_("Back to the platform's fee.")),
) -> None:
    if (fee is None) == (not clear):
        raise typer.BadParameter(_("give a fee in basis points, or --clear"))
    value = None if clear else basis_points(fee)
    _set("categories set-fee", slug, "platform_fee_bp", value)
    shown = _("the platform's fee") if value is None else percent(value)
    err.print(_("{slug}: fee {fee}").format(slug=slug, fee=shown))


@app.command("disable", help=N_("No new campaigns in this category (existing ones keep it)."))
def disable(slug: str) -> None:
    _set("categories disable", slug, "active", False)
    err.print(_("category {slug} disabled").format(slug=slug))


@app.command("enable", help=N_("Offer the category again."))
def enable(slug: str) -> None:
    _set("categories enable", slug, "active", True)
    err.print(_("category {slug} offered again").format(slug=slug))
