"""The deploy files: the Procfile's processes run under honcho (as a PaaS runs
them) against a throwaway database and a real SMTP server; gunicorn.conf.py's
settings; docs/deploy.md's commands exist and its jobs are the database's."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

import pgcluster
from tests.conftest import free_port
from webhooks.stripe_gateway import HANDLED_EVENTS

ROOT = pgcluster.ROOT
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
PROCESS_LINE = re.compile(r"^(\w+):\s*(.+)$", re.M)


def procfile() -> dict[str, str]:
    return dict(PROCESS_LINE.findall((ROOT / "Procfile").read_text()))


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a deployed process: the repository's code and venv,
    no .env.local (a PaaS has none)."""
    return {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        "AFRICAGNOTTE_ENV_FILE": "/nonexistent/.env.local",
        **extra,
    }


def wait_for(predicate, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}" + (f":\n{log.read_text()}" if log else ""))


def healthz(port: int) -> bool:
    try:
        response = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    except (requests.ConnectionError, requests.Timeout):
        return False
    return response.status_code == 200 and response.json()["status"] == "ok"


# The Procfile under honcho ---------------------------------------------------------------


def test_the_procfile_names_a_web_a_worker_and_a_clock_process():
    processes = procfile()
    assert set(processes) == {"web", "worker", "clock"}
    assert processes["web"].startswith("gunicorn --config gunicorn.conf.py")
    assert "notifications send --watch" in processes["worker"]
    assert "jobs run --watch" in processes["clock"]


def test_honcho_runs_the_procfile_health_ok_an_email_delivered_the_jobs_run_and_stops_cleanly(
    db, smtp_server, jwt_secret, tmp_path
):
    db.sql(
        "select private.enqueue_email(null, 'awa@example.test', 'fr', 'new_comment',"
        " jsonb_build_object('campaign_title', 'Cagnotte déployée', 'recipient_name', 'Awa'),"
        " 'deploy:1')"
    )
    port = free_port()
    envfile = tmp_path / "deploy.env"
    envfile.write_text(
        f"PORT={port}\n"
        f"DATABASE_URL={db.url}\n"
        f"SUPABASE_JWT_SECRET={jwt_secret}\n"
        f"SMTP_URL={smtp_server.url}\n"
        "MAIL_FROM=AfriCagnotte <no-reply@africagnotte.test>\n"
        "MAIL_EVERY=0.5\n"
        "AFRICAGNOTTE_JOBS_EVERY=1\n"
        "WEB_CONCURRENCY=1\n"
        "GUNICORN_THREADS=2\n"
    )
    log = tmp_path / "honcho.log"
    with log.open("w") as out:
        honcho = subprocess.Popen(
            [sys.executable, "-m", "honcho", "start", "-f", "Procfile", "-e", str(envfile)],
            cwd=ROOT, env=child_env(), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        wait_for(lambda: healthz(port) or honcho.poll() is not None, 60, "web's /healthz")
        assert honcho.poll() is None, log.read_text()
        assert healthz(port), log.read_text()

        wait_for(lambda: smtp_server.recorder.to("awa@example.test"), 30, "the email", log)
        [message] = smtp_server.recorder.to("awa@example.test")
        assert "Cagnotte déployée" in message["Subject"]
        wait_for(
            lambda: db.one("select status::text from private.email_outbox")["status"] == "sent",
            10, "the outbox row marked sent",
        )  # fmt: skip

        jobs = [r["job_name"] for r in db.sql("select job_name from private.scheduled_jobs")]
        wait_for(
            lambda: all(re.search(rf"clock\.1 +\| {j} ", log.read_text()) for j in jobs),
            30,
            "the jobs",
            log,
        )
    finally:
        honcho.send_signal(signal.SIGTERM)
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
            raise
    output = log.read_text()
    assert "Traceback" not in output, output
    assert not healthz(port)
    for process in ("web", "worker", "clock"):
        assert re.search(rf"{process}\.1 stopped", output), output
    # on the PaaS's SIGTERM the sender finishes the messages in hand, then stops
    assert re.search(r"worker\.1 +\| sender stopped \(SIGTERM\)", output), output
    leftovers = subprocess.run(
        ["pgrep", "-s", str(honcho.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    assert leftovers == [], "processes of the Procfile outlived honcho"


# gunicorn.conf.py -------------------------------------------------------------------------


def gunicorn_config(**env: str) -> dict[str, str]:
    """gunicorn's resolved settings (--print-config) under this environment."""
    proc = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--print-config"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
        env=child_env(DATABASE_URL=f"postgresql://x:y@127.0.0.1:{free_port()}/x", **env),
    )  # fmt: skip
    return dict(
        (m.group(1), m.group(2)) for m in re.finditer(r"^(\w+)\s+= (.*)$", proc.stdout, re.M)
    )


def test_gunicorn_binds_the_platforms_port_logs_to_stdout_and_trusts_its_proxy():
    config = gunicorn_config(PORT="4321")
    assert config["bind"] == "['0.0.0.0:4321']"
    assert config["accesslog"] == "-"
    assert config["errorlog"] == "-"
    assert config["forwarded_allow_ips"] == "['*']"
    assert config["preload_app"] == "True"
    assert config["worker_class"] == "gthread"
    assert config["wsgi_app"] == "webhooks:create_app()"


def test_gunicorn_sizes_come_from_the_environment_with_small_instance_defaults():
    assert (gunicorn_config()["workers"], gunicorn_config()["threads"]) == ("2", "4")
    config = gunicorn_config(WEB_CONCURRENCY="3", GUNICORN_THREADS="8")
    assert (config["workers"], config["threads"]) == ("3", "8")


def test_gunicorns_timeout_outlasts_the_slowest_providers_api_timeout():
    assert int(gunicorn_config()["timeout"]) > 15
    assert int(gunicorn_config(CINETPAY_TIMEOUT="45")["timeout"]) > 45
    assert gunicorn_config(GUNICORN_TIMEOUT="120")["timeout"] == "120"


def test_a_bad_configuration_stops_gunicorn_at_start_with_a_clear_message():
    proc = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--check-config"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        env=child_env(DATABASE_URL="mysql://nope"),
    )  # fmt: skip
    assert proc.returncode != 0
    assert "DATABASE_URL" in proc.stdout + proc.stderr


# docs/deploy.md ------------------------------------------------------------------------


def doc_commands(program: str) -> list[list[str]]:
    """The `program …` command lines of the doc's shell blocks, as words
    up to the first option or value: the subcommand path is what is checked)."""
    blocks = re.findall(r"```(?:sh|bash|console)\n(.*?)```", DEPLOY_DOC.read_text(), re.S)
    commands = []
    for line in "\n".join(blocks).splitlines():
        line = line.strip().removeprefix("$ ").removeprefix("npx ")
        if line.startswith(f"{program} "):
            words = []
            for word in line.split()[1:]:
                if not re.fullmatch(r"[a-z][a-z-]*", word):
                    break
                words.append(word)
            commands.append(words)
    return commands


def test_the_deploy_doc_shows_each_process_of_the_procfile_as_it_is():
    text = DEPLOY_DOC.read_text()
    for name, command in procfile().items():
        assert f"| `{name}`" in text
        assert f"`{command}`" in text, name


def test_every_cagnotte_admin_command_in_the_deploy_doc_exists():
    commands = doc_commands("cagnotte-admin")
    assert commands, "docs/deploy.md shows no cagnotte-admin command"
    for words in commands:
        proc = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "cagnotte-admin"), *words, "--help"],
            cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, (words, proc.stdout, proc.stderr)


def test_every_supabase_command_in_the_deploy_doc_exists_in_the_pinned_cli():
    commands = doc_commands("supabase")
    assert {tuple(c) for c in commands} >= {("link",), ("db", "push"), ("config", "push")}
    for words in commands:
        proc = subprocess.run(
            [str(pgcluster.SUPABASE_CLI), *words, "--help"],
            cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, (words, proc.stdout, proc.stderr)


def test_the_deploy_doc_lists_exactly_the_databases_scheduled_jobs(db):
    jobs = {
        (r["job_name"], r["schedule"], r["command"])
        for r in db.sql("select job_name, schedule, command from private.scheduled_jobs")
    }
    listed = set(
        re.findall(r"^\| `([a-z-]+)` \| `([^`]+)` \| `([^`]+)` \|", DEPLOY_DOC.read_text(), re.M)
    )
    assert listed == jobs


@pytest.mark.parametrize("variable", ["DATABASE_URL", "SMTP_URL", "MAIL_FROM", "PORT"])
def test_the_deploy_doc_names_the_settings_the_processes_read(variable):
    assert f"`{variable}`" in DEPLOY_DOC.read_text()


def test_the_deploy_doc_names_every_setting_of_the_service():
    from webhooks.config import Settings

    text = DEPLOY_DOC.read_text()
    missing = [n.upper() for n in Settings.model_fields if f"`{n.upper()}`" not in text]
    assert missing == []


def test_the_deploy_doc_names_exactly_the_stripe_events_the_service_handles():
    text = DEPLOY_DOC.read_text()
    paragraph = text[text.index("Stripe's webhook endpoint") :].split("\n\n")[0]
    named = set(re.findall(r"`([a-z_]+(?:\.[a-z_]+)+)`", paragraph))
    assert named == set(HANDLED_EVENTS)


def test_the_deploy_docs_links_exist():
    text = DEPLOY_DOC.read_text()
    for target in re.findall(r"\]\((?!https?://|#)([^)#]+)", text):
        assert (DEPLOY_DOC.parent / target).resolve().exists(), target
