"""`cagnotte-admin institutions …`: the verified hospitals, clinics, schools,
universities and funeral homes a payout may go to instead of the organiser
(public.institutions), and the categories that require one above an amount.

- ``add`` registers one after you checked its documents (the reference of the
  private Cloudinary asset under ``africagnotte/institutions/``), with where it
  is paid: ``--bank`` and ``--account`` (IBAN or RIB), or ``--operator`` and
  ``--phone`` (a merchant wallet). It asks first, showing what you typed.
- ``list`` shows them masked (active ones; ``--all`` with the deactivated).
- ``show`` opens one's account in full (audited), with the private key in
  PAYOUT_ACCOUNTS_PRIVATE_KEY, as ``payouts show`` does.
- ``deactivate`` stops it being chosen; an open payout to it is blocked.
- ``require`` sets a category's threshold (``institutions require sante
  "500 000" XOF``): above it, in total, that category's campaigns pay an
  institution, not their organiser; ``drop-requirement`` removes it.

The SQL functions decide who may (admins) and audit every change."""

from __future__ import annotations

from typing import Any

import typer

from admin_scripts import choices, db, i18n, operator
from admin_scripts.choices import InstitutionKind, MobileOperator
from admin_scripts.console import JSON_OPTION, YES_OPTION, confirm, out, print_json, print_rows
from admin_scripts.i18n import N_, _
from admin_scripts.operator import OperatorError, acting_as
from admin_scripts.payouts_cmd import _private_key
from webhooks import payout_accounts
from webhooks.errors import ApiError

app = typer.Typer(
    help=N_("Verified institutions paid directly: add, list, show, deactivate, require."),
    no_args_is_help=True,
)

INSTITUTIONS_SQL = """
select i.id, i.name, i.kind::text as kind, i.city, i.country, i.method::text as method,
    coalesce(i.mobile_operator::text, i.bank_name) || ' ' || i.account_mask as destination,
    i.beneficiary_mask, i.verified_at, i.deactivated_at
from public.institutions as i
"""
LIST_SQL = (
    INSTITUTIONS_SQL
    + """
where %(all)s or i.deactivated_at is null
order by i.country, i.city, i.name
limit %(limit)s
"""
)
SHOW_SQL = """
select a.ciphertext, a.document_ref, v.display_name as verified_by, i.*, i.method::text as method,
    i.kind::text as kind, i.mobile_operator::text as mobile_operator
from private.institution_account_for_staff(%(id)s) as a
join public.institutions as i on i.id = a.institution_id
left join public.profiles as v on v.id = a.verified_by
"""

# The labels of `institutions show`, as the operator reads them.
LABELS = {
    "name": N_("name"),
    "kind": N_("kind"),
    "city": N_("city"),
    "country": N_("country"),
    "method": N_("method"),
    "bank_name": N_("bank"),
    "mobile_operator": N_("mobile operator"),
    "beneficiary_name": N_("beneficiary"),
    "account_number": N_("account number"),
    "phone_number": N_("phone number"),
    "document_ref": N_("document checked"),
    "verified_by": N_("verified by"),
    "verified_at": N_("verified at"),
    "deactivated_at": N_("deactivated at"),
}


def kind_label(kind: str) -> str:
    """An institution's kind as the operator reads it (public.institution_kind)."""
    return {
        "hospital": _("hospital"),
        "clinic": _("clinic"),
        "school": _("school"),
        "university": _("university"),
        "funeral_home": _("funeral home"),
    }.get(kind, kind)


def _summary(row: dict[str, Any]) -> None:
    out.print(
        _("{id} {name} ({kind}, {city}): {destination}").format(
            id=row["id"], name=row["name"], kind=kind_label(row["kind"]), city=row["city"],
            destination=f"{row['mobile_operator'] or row['bank_name']} {row['account_mask']}",
        )
    )  # fmt: skip


@app.command(
    "add",
    help=N_("Register a verified institution, after checking its documents, with where it is"
            " paid (a bank account or a merchant wallet)."),
)  # fmt: skip
def add(
    name: str = typer.Argument(..., help=N_("Its name, as on its documents.")),
    kind: InstitutionKind = typer.Option(..., "--kind", help=N_("What it is.")),
    city: str = typer.Option(..., "--city", help=N_("Its city.")),
    country: str = typer.Option(..., "--country", help=N_("Its country (ISO code: SN, CI, ML…).")),
    document: str = typer.Option(
        ...,
        "--document",
        help=N_("The document you checked: its private asset under africagnotte/institutions/."),
    ),
    beneficiary: str = typer.Option(
        ...,
        "--beneficiary",
        help=N_("The account holder's name, as the bank or operator knows it."),
    ),
    bank: str = typer.Option(None, "--bank", help=N_("The bank's name (a bank account).")),
    account: str = typer.Option(None, "--account", help=N_("The IBAN or RIB (a bank account).")),
    mobile_operator: MobileOperator = typer.Option(
        None, "--operator", help=N_("The mobile-money operator (a merchant wallet).")
    ),
    phone: str = typer.Option(
        None, "--phone", help=N_("The wallet's number, international (+221…).")
    ),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    method = "mobile_money" if mobile_operator or phone else "bank_account"
    destination = (
        f"{choices.value(mobile_operator)} {phone}"
        if method == "mobile_money"
        else f"{bank} {account}"
    )
    if not yes:
        confirm(
            _("Register {name} ({kind}, {city}, {country}), paid to {beneficiary}, {destination}?"
              " You checked its document {document}.").format(
                name=name, kind=kind_label(kind.value), city=city, country=country,
                beneficiary=beneficiary, destination=destination, document=document,
            )
        )  # fmt: skip
    row = operator.call(
        "institutions add", "register_institution",
        name, kind.value, city, country, document, method, beneficiary, bank, account,
        choices.value(mobile_operator), phone, target=name,
    )  # fmt: skip
    if as_json:
        print_json(row)
    else:
        _summary(row)


@app.command(
    "list", help=N_("Verified institutions, masked (the active ones; --all for every one).")
)
def list_(
    every: bool = typer.Option(False, "--all", help=N_("Also the deactivated ones.")),
    limit: int = typer.Option(
        100, "--limit", min=1, max=10_000, help=N_("At most this many (1 to 10000).")
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    with db.connect() as conn, acting_as(conn):
        rows = conn.execute(LIST_SQL, {"all": every, "limit": limit}).fetchall()
    print_rows(
        rows, as_json=as_json, title=_("Institutions"),
        columns={
            _("id"): lambda r: str(r["id"])[:8], _("name"): "name",
            _("kind"): lambda r: kind_label(r["kind"]), _("city"): "city",
            _("country"): "country", _("paid to"): "destination",
            _("active"): lambda r: _("no") if r["deactivated_at"] else _("yes"),
        },
        no_wrap=[_("id")],
    )  # fmt: skip


@app.command(
    "show",
    help=N_("An institution with its account in full and its verification (audited)."),
)
def show(
    institution_id: str = typer.Argument(
        ..., help=N_("The institution's id (or its first characters).")
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    key = _private_key()
    institution_id = operator.full_id("institutions", institution_id)
    with db.connect() as conn, acting_as(conn, "institutions show", target=institution_id):
        # the sealed account is for the service's role; the operator's claims stay
        conn.execute("set local role service_role")
        row = conn.execute(SHOW_SQL, {"id": institution_id}).fetchone()
    try:
        sealed = payout_accounts.decrypt(row["ciphertext"], key)
    except ApiError as exc:
        raise OperatorError(exc.sentence or str(exc), operator.EXIT_REFUSED) from exc
    view = {k: row[k] for k in LABELS if k in row} | {
        k: sealed.get(k) for k in ("beneficiary_name", "account_number", "phone_number")
    }
    view = {"id": str(row["id"]), **view}
    if as_json:
        print_json(view)
        return
    shown = {
        **view,
        "kind": kind_label(view["kind"]),
        "verified_at": i18n.when(view["verified_at"]),
        "deactivated_at": view["deactivated_at"] and i18n.when(view["deactivated_at"]),
    }
    del shown["id"]
    out.print(str(row["id"]))
    for label, value in shown.items():
        if value is not None:
            out.print(_("{label}: {value}").format(label=_(LABELS.get(label, label)), value=value))


@app.command(
    "deactivate",
    help=N_("Stop an institution being chosen; an open payout to it is blocked until rejected."),
)
def deactivate(
    institution_id: str = typer.Argument(
        ..., help=N_("The institution's id (or its first characters).")
    ),
    reason: str = typer.Option(..., "--reason", help=N_("Why (kept in the audit log).")),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    institution_id = operator.full_id("institutions", institution_id)
    if not yes:
        confirm(
            _("Deactivate institution {id}? It can no longer be chosen, and an open payout to it"
              " is blocked.").format(id=institution_id)
        )  # fmt: skip
    row = operator.call(
        "institutions deactivate", "deactivate_institution", institution_id, reason,
        target=institution_id,
    )  # fmt: skip
    if as_json:
        print_json(row)
    else:
        out.print(_("institution {id} deactivated").format(id=row["id"]))


@app.command(
    "require",
    help=N_("Above this amount (in total, to the organiser), the category's campaigns pay a"
            " verified institution."),
)  # fmt: skip
def require(
    category: str = typer.Argument(..., help=N_("The category's slug (sante…).")),
    amount: str = typer.Argument(..., help=N_("The amount, as people write it (500 000).")),
    currency: str = typer.Argument(..., help=N_("The currency's code (XOF…).")),
) -> None:
    currency = currency.upper()
    above = i18n.parse_money(amount, currency)
    operator.call(
        "institutions require", "set_institution_threshold", category, currency, above,
        target=category,
    )  # fmt: skip
    out.print(
        _("{category}: above {amount}, payouts go to a verified institution").format(
            category=category, amount=i18n.money(above, currency)
        )
    )


@app.command("drop-requirement", help=N_("The category's campaigns may pay their organiser again."))
def drop_requirement(
    category: str = typer.Argument(..., help=N_("The category's slug (sante…).")),
    currency: str = typer.Argument(..., help=N_("The currency's code (XOF…).")),
) -> None:
    currency = currency.upper()
    operator.call(
        "institutions drop-requirement", "set_institution_threshold", category, currency, None,
        target=category,
    )  # fmt: skip
    out.print(_("{category}: no institution required").format(category=category))
