"""The console's gettext catalogues (``make messages``): extracted from the code
by Babel, kept sorted and without source locations (so that branches merge), and
compiled next to their source.

What is extracted: our ``_()``, ``N_()``, ``ngettext()`` and ``pgettext()``
texts (among them ``i18n.TYPER_TEXTS``, the texts Typer's vendored Click writes
without gettext), Typer's own ``gettext`` calls (panel titles, "Aborted!"),
which the console translates through the same domain (admin_scripts.i18n), and
the stable error tokens (context ``refusal``, their English meaning as a
comment): the database's, read from the migrations as docs/errors.md reads them
(tests/support/error_catalogue.py), and the service's (webhooks.errors), so that
a new token is a text to translate.
Click itself is not read: Typer 0.29 no longer runs it.

``python -m tests.support.catalogue`` updates every language's ``.po`` with the
new texts (untranslated, to be written) and compiles the ``.mo``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import typer
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from admin_scripts.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, REFUSAL
from tests.support.error_catalogue import sql_tokens
from webhooks.errors import SERVICE_ERRORS

ROOT = LOCALE_DIR.parent.parent
OURS = [ROOT / "admin_scripts"]
THEIRS = [Path(typer.__file__).parent]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]  # English is the code's text
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(?\w*\)?[sdr]")


def template() -> Catalog:
    """Every text the console may show, from our code and Click's and Typer's."""
    catalog = Catalog(domain=DOMAIN, project="africagnotte")
    for folder in OURS + THEIRS:
        for _file, _line, message, _comments, context in extract_from_dir(
            folder, keywords=KEYWORDS, comment_tags=()
        ):
            if not message or (isinstance(message, tuple) and not message[0]):
                continue
            catalog.add(message, context=context)
    for token, about in sql_tokens().items():
        catalog.add(token, context=REFUSAL, auto_comments=[about.meaning] if about.meaning else [])
    for token, kind in SERVICE_ERRORS.items():  # the payment code's, which the console runs
        if catalog.get(token, context=REFUSAL) is None:
            catalog.add(token, context=REFUSAL, auto_comments=[kind.meaning])
    return catalog


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="africagnotte")
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, sort_output=True, no_location=True, omit_header=False, width=100)
    return buffer.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def untranslated(catalog: Catalog, wanted: Catalog) -> list[str]:
    """The texts of ``wanted`` that ``catalog`` does not translate."""
    missing = []
    for message in wanted:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        strings = found.string if found is not None else None
        texts = strings if isinstance(strings, tuple) else (strings,)
        if found is None or found.fuzzy or not all(texts):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def update() -> dict[str, list[str]]:
    """Every language's .po brought up to the code, its .mo compiled; the texts
    still to translate per language."""
    wanted = template()
    todo = {}
    for lang in TRANSLATED:
        catalog = read(lang)
        # The header keeps its date: branches that add texts merge without a conflict there.
        catalog.update(wanted, no_fuzzy_matching=True, update_creation_date=False)
        catalog.obsolete.clear()
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(po_bytes(catalog))
        path.with_suffix(".mo").write_bytes(mo_bytes(read(lang)))
        todo[lang] = untranslated(catalog, wanted)
    return todo


if __name__ == "__main__":
    for lang, texts in update().items():
        print(f"{lang}: {len(texts)} text(s) to translate in {po_path(lang)}")
        for text in texts:
            print(f"  {text!r}")
