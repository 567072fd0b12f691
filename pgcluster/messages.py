"""pgcluster's messages, in the language the console chose: they are read from
the console's gettext domain when it is bound (admin_scripts.i18n), else shown
as written (English: the tests, other callers). The library imports nothing of
the console."""

from __future__ import annotations

import gettext

DOMAIN = "cagnotte_admin"  # admin_scripts.i18n.DOMAIN


def _(message: str) -> str:
    return gettext.dgettext(DOMAIN, message)
