"""Supabase Auth as supabase/config.toml configures it for a hosted project: French
emails rendered with GoTrue's variables, no secret and no localhost value in the
file, every env() it reads documented, and the pinned Supabase CLI loading it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.support import gotrue_templates
from tests.support.gotrue_templates import TemplateError, render, sample_variables

ROOT = Path(__file__).resolve().parent.parent
CONFIG_PATH = ROOT / "supabase" / "config.toml"
CONFIG = tomllib.loads(CONFIG_PATH.read_text())
AUTH = CONFIG["auth"]
KINDS = sorted(gotrue_templates.VARIABLES)
SITE = "https://africagnotte.org"

ENV_VALUE = re.compile(r"^env\(([A-Z][A-Z0-9_]*)\)$")
SECRET_KEY = re.compile(r"(secret|pass|password|token|api_key|private|sid)$", re.I)
LOCAL = re.compile(r"localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|\.local\b", re.I)
# Settings only the CLI's local stack uses; `supabase config push` sends none.
LOCAL_ONLY = ("inbucket", "studio", "local", "analytics", "edge_runtime")
# Words that give an English text away (in a French one, none of them occurs).
ENGLISH = {"the", "your", "you", "click", "here", "please", "password", "sign", "link", "this"}
FRENCH = {"votre", "vous", "bonjour", "confirmez", "adresse", "compte", "lien", "code"}


def leaves(table: dict[str, Any], path: tuple[str, ...] = ()):
    """(dotted path, value) of every value in the file; list items one by one."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from leaves(value, (*path, key))
        elif isinstance(value, list):
            for item in value:
                yield ".".join((*path, key)), item
        else:
            yield ".".join((*path, key)), value


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", text)}


class Page(HTMLParser):
    """An email's lang, links and visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def rendered(kind: str, **data: Any) -> Page:
    template = AUTH["email"]["template"][kind]
    source = (ROOT / template["content_path"]).read_text()
    page = Page()
    page.feed(render(source, sample_variables(kind, SITE, **data)))
    return page


# The emails -------------------------------------------------------------------------


def test_every_email_auth_sends_has_a_french_template_and_subject():
    templates = AUTH["email"]["template"]
    assert sorted(templates) == KINDS
    for kind, template in templates.items():
        assert template["content_path"] == f"./supabase/templates/{kind}.html"
        assert (ROOT / template["content_path"]).is_file(), kind
        subject = words(template["subject"])
        assert subject & FRENCH or re.search("[éèêàç]", template["subject"]), kind
        assert not subject & ENGLISH, (kind, template["subject"])
    assert sorted(p.stem for p in (ROOT / "supabase" / "templates").glob("*.html")) == KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_each_email_renders_in_french_with_gotrues_variables_and_links_to_the_site(kind):
    page = rendered(kind)
    variables = sample_variables(kind, SITE)
    text = " ".join(page.text)
    assert page.lang == "fr"
    assert {"bonjour", "africagnotte"} <= words(text)
    assert not words(text) & ENGLISH, sorted(words(text) & ENGLISH)
    assert "<no value>" not in text
    assert SITE in page.links  # the footer's link to the site, https
    assert all(link.startswith("https://") for link in page.links)
    if "ConfirmationURL" in variables:
        assert variables["ConfirmationURL"] in page.links
        assert variables["ConfirmationURL"] in text  # to copy when the button does not work
    else:  # reauthentication: a code, nothing to click
        assert variables["Token"] in text
        assert page.links == [SITE]


def test_the_email_change_names_both_addresses_and_goes_to_each_of_them():
    variables = sample_variables("email_change", SITE)
    text = " ".join(rendered("email_change").text)
    assert variables["Email"] in text
    assert variables["NewEmail"] in text
    assert f"envoyé à {variables['SendingTo']}" in text


def test_the_greeting_uses_the_name_given_at_sign_up_escaped():
    assert "Bonjour," in " ".join(rendered("confirmation").text)
    assert "Bonjour Awa," in " ".join(rendered("confirmation", full_name="Awa").text)
    source = (ROOT / "supabase/templates/confirmation.html").read_text()
    html = render(source, sample_variables("confirmation", SITE, full_name="<b>Awa</b>"))
    assert "Bonjour &lt;b&gt;Awa&lt;/b&gt;," in html


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("{{ .NewEmail }}", "GoTrue gives this email no .NewEmail"),
        ("{{ .ConfirmationUrl }}", "no .ConfirmationUrl"),
        ("{{ range .Data }}x{{ end }}", "unsupported action"),
        ('{{ template "footer" }}', "unsupported action"),
        ("{{ .Email | printf }}", "unsupported action"),
        ("{{ if .Email }}x", "without {{ end }}"),
        ("x {{ end }}", "without {{ if }}"),
        ("{{ .Email ", "delimiter"),
    ],
)
def test_the_renderer_refuses_what_gotrue_would_not_render_as_written(source, problem):
    with pytest.raises(TemplateError, match=re.escape(problem)):
        render(source, sample_variables("confirmation", SITE))


def test_a_reauthentication_has_no_link_to_confirm():
    with pytest.raises(TemplateError, match=re.escape("no .ConfirmationURL")):
        render("{{ .ConfirmationURL }}", sample_variables("reauthentication", SITE))


# The file -----------------------------------------------------------------------------


def test_the_site_url_and_redirects_come_from_the_environment():
    assert AUTH["site_url"] == "env(SITE_URL)"
    assert AUTH["additional_redirect_urls"]
    assert all(ENV_VALUE.match(url) for url in AUTH["additional_redirect_urls"])


def test_the_product_briefs_sign_ins_are_configured():
    email = AUTH["email"]
    assert AUTH["enable_signup"]
    assert email["enabled"]
    assert email["enable_confirmations"]
    assert email["double_confirm_changes"]
    assert email["secure_password_change"]
    assert not AUTH["enable_anonymous_sign_ins"]
    for provider in ("google", "facebook"):
        external = AUTH["external"][provider]
        # on by SUPABASE_AUTH_EXTERNAL_<PROVIDER>_ENABLED (a boolean env() breaks the CLI)
        assert external["enabled"] is False
        assert ENV_VALUE.match(external["client_id"])
        assert ENV_VALUE.match(external["secret"])
    smtp = email["smtp"]
    assert smtp["enabled"] is False  # on by SUPABASE_AUTH_EMAIL_SMTP_ENABLED
    assert all(ENV_VALUE.match(smtp[k]) for k in ("host", "user", "pass", "admin_email"))
    limits = AUTH["rate_limit"]
    assert 0 < limits["sign_in_sign_ups"] <= 60
    assert 0 < limits["token_verifications"] <= 60
    assert limits["email_sent"] > 0


def test_the_file_holds_no_secret():
    secrets = [(path, value) for path, value in leaves(CONFIG) if SECRET_KEY.search(path)]
    assert secrets  # the check sees the provider and SMTP secrets
    assert [(p, v) for p, v in secrets if not ENV_VALUE.match(str(v))] == []
    for path, value in leaves(CONFIG):
        if isinstance(value, str) and path.endswith(("client_id", "user", "host")):
            assert ENV_VALUE.match(value), path


def test_no_localhost_value_is_pushed_to_a_hosted_project():
    local = [
        (path, value)
        for path, value in leaves(CONFIG)
        if isinstance(value, str) and LOCAL.search(value) and not path.startswith(LOCAL_ONLY)
    ]
    assert local == []


def test_every_environment_variable_the_file_reads_is_documented():
    names = {m.group(1) for _, v in leaves(CONFIG) if (m := ENV_VALUE.match(str(v)))}
    assert {"SITE_URL", "AUTH_GOOGLE_SECRET", "AUTH_SMTP_PASS"} <= names
    documented = (ROOT / ".env.example").read_text() + (ROOT / "docs" / "auth.md").read_text()
    overrides = {
        "SUPABASE_AUTH_EMAIL_SMTP_ENABLED",
        "SUPABASE_AUTH_EXTERNAL_GOOGLE_ENABLED",
        "SUPABASE_AUTH_EXTERNAL_FACEBOOK_ENABLED",
    }
    assert [n for n in sorted(names | overrides) if n not in documented] == []


# The pinned Supabase CLI ---------------------------------------------------------------

CLI = ROOT / "node_modules" / ".bin" / "supabase"
DEPLOYED = {
    "SITE_URL": SITE,
    "AUTH_ADDITIONAL_REDIRECT_URL": "https://preview.africagnotte.org/auth/callback",
    "SUPABASE_AUTH_EMAIL_SMTP_ENABLED": "true",
    "AUTH_SMTP_HOST": "smtp.example.org",
    "AUTH_SMTP_USER": "apikey",
    "AUTH_SMTP_PASS": "smtp-secret",
    "AUTH_SMTP_ADMIN_EMAIL": "no-reply@africagnotte.org",
    "SUPABASE_AUTH_EXTERNAL_GOOGLE_ENABLED": "true",
    "AUTH_GOOGLE_CLIENT_ID": "google-client.apps.googleusercontent.com",
    "AUTH_GOOGLE_SECRET": "google-secret",
    "SUPABASE_AUTH_EXTERNAL_FACEBOOK_ENABLED": "true",
    "AUTH_FACEBOOK_CLIENT_ID": "1234567890",
    "AUTH_FACEBOOK_SECRET": "facebook-secret",
}


def cli_loads(project: Path, env: dict[str, str]) -> str:
    """`supabase status` in a copy of the project: the CLI loads and validates
    config.toml (templates included) before it looks for the local stack's
    containers; its output up to there."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SUPABASE_", "AUTH_"))}
    result = subprocess.run(
        [str(CLI), "status"],
        cwd=project,
        env={**clean, "SUPABASE_TELEMETRY_DISABLED": "1", "DO_NOT_TRACK": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout + result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "supabase" / "templates", tmp_path / "supabase" / "templates")
    shutil.copy(CONFIG_PATH, tmp_path / "supabase" / "config.toml")
    return tmp_path


@pytest.mark.skipif(not CLI.exists(), reason="the Supabase CLI is not installed (npm ci)")
def test_the_pinned_cli_loads_the_file_as_deployed_and_as_cloned(project):
    for env in (DEPLOYED, {}):
        output = cli_loads(project, env)
        assert "Invalid" not in output, output
        assert "WARN" not in output, output
        assert "config" not in output.lower(), output
    # the same check fails on a file the CLI refuses
    config = project / "supabase" / "config.toml"
    text = config.read_text()
    config.write_text(text.replace('"letters_digits"', '"letters"'))
    assert "Invalid auth.password_requirements" in cli_loads(project, DEPLOYED)
    config.write_text(text)
    (project / "supabase" / "templates" / "recovery.html").unlink()
    assert "recovery.html" in cli_loads(project, DEPLOYED)
