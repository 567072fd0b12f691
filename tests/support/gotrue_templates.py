"""Auth's email templates as GoTrue renders them, for tests.

GoTrue renders supabase/templates/*.html with Go's html/template and a map of
variables per email (supabase/auth, internal/mailer/templatemailer/templatemailer.go:
InviteMail, ConfirmationMail, MagicLinkMail, RecoveryMail, EmailChangeMail,
ReauthenticateMail). This renderer knows the subset the templates may use —
``{{ .Name }}``, ``{{ .Data.key }}``, ``{{ if .X }}…{{ else }}…{{ end }}`` — and
raises TemplateError for any other action or a variable the email does not get,
so that a template Go would render differently (or as "<no value>") fails a test.
Printed values are HTML-escaped, as html/template does.
"""

from __future__ import annotations

import html
import re
from typing import Any

# GoTrue's variables per template kind (the keys of config.toml's
# [auth.email.template.<kind>]).
LINKED = {"SiteURL", "ConfirmationURL", "Email", "Token", "TokenHash", "Data", "RedirectTo"}
VARIABLES: dict[str, frozenset[str]] = {
    "confirmation": frozenset(LINKED),
    "invite": frozenset(LINKED),
    "magic_link": frozenset(LINKED),
    "recovery": frozenset(LINKED),
    "email_change": frozenset(LINKED | {"NewEmail", "SendingTo"}),
    "reauthentication": frozenset({"SiteURL", "Email", "Token", "Data"}),
}
# The `type` GoTrue puts in each kind's verification link.
VERIFY_TYPE = {
    "confirmation": "signup",
    "invite": "invite",
    "magic_link": "magiclink",
    "recovery": "recovery",
    "email_change": "email_change",
}

ACTION = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.S)
FIELD = re.compile(r"\.([A-Z][A-Za-z]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?")


class TemplateError(ValueError):
    """The template uses what this subset (and GoTrue's variables) does not have."""


def sample_variables(kind: str, site_url: str, **data: Any) -> dict[str, Any]:
    """Values like those GoTrue gives the template of ``kind``, for a project whose
    Auth serves on https://ref.supabase.co/auth/v1 and whose site is ``site_url``."""
    token_hash = "pkce_5e8f2c9a0b7d4e6f8a1c3b5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b"
    values: dict[str, Any] = {
        "SiteURL": site_url,
        "Email": "awa.diallo@example.sn",
        "NewEmail": "awa@example.ci",
        "SendingTo": "awa.diallo@example.sn",
        "Token": "482913",
        "TokenHash": token_hash,
        "Data": dict(data),
        "RedirectTo": f"{site_url}/compte",
    }
    if kind in VERIFY_TYPE:
        values["ConfirmationURL"] = (
            f"https://ref.supabase.co/auth/v1/verify?token={token_hash}"
            f"&type={VERIFY_TYPE[kind]}&redirect_to={site_url}/compte"
        )
    return {k: v for k, v in values.items() if k in VARIABLES[kind]}


def render(source: str, variables: dict[str, Any]) -> str:
    """The template filled in; TemplateError for anything outside the subset."""
    nodes, rest = _parse(_tokens(source), top=True)
    assert not rest
    return "".join(_emit(nodes, variables))


def _tokens(source: str) -> list[tuple[str, str]]:
    tokens, at = [], 0
    for m in ACTION.finditer(source):
        text = source[at : m.start()]
        if m.group(1):
            text = text.rstrip()
        tokens.append(("text", text))
        tokens.append(("action", m.group(2)))
        at = m.end()
        if m.group(3):
            trailing = source[at:]
            at += len(trailing) - len(trailing.lstrip())
    tokens.append(("text", source[at:]))
    if any("{{" in text or "}}" in text for kind, text in tokens if kind == "text"):
        raise TemplateError("an unclosed or stray {{ }} delimiter")
    return tokens


def _field(expr: str) -> tuple[str, str | None]:
    m = FIELD.fullmatch(expr)
    if not m:
        raise TemplateError(f"unsupported action: {{{{ {expr} }}}}")
    return m.group(1), m.group(2)


def _parse(tokens: list, top: bool = False) -> tuple[list, list]:
    """Nodes until {{ else }} / {{ end }} (kept at the head of what is left)."""
    nodes: list = []
    while tokens:
        kind, value = tokens[0]
        if kind == "text":
            nodes.append(("text", value))
            tokens = tokens[1:]
        elif value in ("else", "end"):
            if top:
                raise TemplateError(f"{{{{ {value} }}}} without {{{{ if }}}}")
            return nodes, tokens
        elif value.startswith("if "):
            test = _field(value[3:].strip())
            then, tokens = _parse(tokens[1:])
            otherwise: list = []
            if tokens and tokens[0][1] == "else":
                otherwise, tokens = _parse(tokens[1:])
            if not tokens or tokens[0][1] != "end":
                raise TemplateError("{{ if }} without {{ end }}")
            nodes.append(("if", test, then, otherwise))
            tokens = tokens[1:]
        else:
            nodes.append(("field", _field(value)))
            tokens = tokens[1:]
    if not top:
        raise TemplateError("{{ if }} without {{ end }}")
    return nodes, tokens


def _lookup(field: tuple[str, str | None], variables: dict[str, Any]) -> Any:
    name, key = field
    if name not in variables:
        raise TemplateError(f"GoTrue gives this email no .{name}")
    value = variables[name]
    if key is None:
        return value
    if not isinstance(value, dict):
        raise TemplateError(f".{name} is no map: .{name}.{key}")
    return value.get(key)  # a missing key of a map is its zero value


def _emit(nodes: list, variables: dict[str, Any]):
    for node in nodes:
        if node[0] == "text":
            yield node[1]
        elif node[0] == "field":
            value = _lookup(node[1], variables)
            yield "" if value is None else html.escape(str(value), quote=True)
        else:
            _, test, then, otherwise = node
            yield from _emit(then if _lookup(test, variables) else otherwise, variables)
