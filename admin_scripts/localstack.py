"""The embedded local stack: a Supabase-shaped PostgreSQL on any machine.

One code path builds every database of the project outside a hosted Supabase:
`make run`'s development cluster under `.local/` and the throwaway clusters of
the test suite. It creates a cluster (as the ``postgres`` system user when run
as root, since initdb refuses root), applies the local platform, then the
migrations through the Supabase CLI, then the seed.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from admin_scripts import keys

ROOT = Path(__file__).resolve().parent.parent
SUPABASE_DIR = ROOT / "supabase"
PLATFORM_SQL = SUPABASE_DIR / "local" / "platform.sql"
SEED_SQL = SUPABASE_DIR / "seed.sql"
SUPABASE_CLI = ROOT / "node_modules" / ".bin" / "supabase"
# Overridable so that tests (and developers with a busy port) can run a second stack.
LOCAL_DIR = Path(os.environ.get("AFRICAGNOTTE_LOCAL_DIR", ROOT / ".local"))
ENV_LOCAL = Path(os.environ.get("AFRICAGNOTTE_ENV_FILE", ROOT / ".env.local"))
DEV_PORT = int(os.environ.get("AFRICAGNOTTE_DB_PORT", "54322"))  # Supabase's local port
SERVICE_PORT = int(os.environ.get("AFRICAGNOTTE_SERVICE_PORT", "8000"))
MAIL_PORT = int(os.environ.get("AFRICAGNOTTE_MAIL_PORT", "54325"))  # Supabase's Inbucket SMTP port
MAIL_DIR = LOCAL_DIR / "mail"
# Local development only: the cluster listens on 127.0.0.1 and nowhere else.
DEV_PASSWORD = "postgres"
SYSTEM_USER = "postgres"
# As on hosted Supabase, the cluster's superuser is supabase_admin and the project's
# own `postgres` (migrations, the service, the console) is not a superuser.
SUPERUSER = "supabase_admin"
# Extensions a hosted project's postgres may create although PostgreSQL reserves them
# to superusers: supautils' `privileged_extensions` there, trusted extensions here.
PRIVILEGED_EXTENSIONS = ("pg_cron",)


class StackError(RuntimeError):
    """A local stack step failed; the message says what to do."""


# PostgreSQL binaries -----------------------------------------------------------


def pg_bin_dir() -> Path:
    """The bin directory of the newest installed PostgreSQL >= 15 (or $PG_BIN)."""
    if env := os.environ.get("PG_BIN"):
        return Path(env)
    candidates = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    candidates = [p for p in candidates if p.parent.name.isdigit() and int(p.parent.name) >= 15]
    if not candidates:
        raise StackError(
            "PostgreSQL 15+ server binaries not found (looked in /usr/lib/postgresql/*/bin). "
            "Install them with: apt-get install -y postgresql-15 (or set PG_BIN)."
        )
    return candidates[-1]


def as_system_user(argv: list[str]) -> list[str]:
    """Prefix a command so it runs as the postgres system user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", SYSTEM_USER, "--", *argv]
    return argv


def _run(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, check=False)
    if proc.returncode != 0:
        raise StackError(
            f"command failed ({proc.returncode}): {' '.join(argv)}\n{proc.stdout}{proc.stderr}"
        )
    return proc.stdout


def _reachable(path: Path) -> bool:
    """Whether the postgres system user can reach and write the directory."""
    probe = subprocess.run(as_system_user(["test", "-w", str(path)]), check=False)
    return probe.returncode == 0


def give_to_system_user(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SYSTEM_USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)


# Cluster -----------------------------------------------------------------------


@dataclass
class Cluster:
    """A PostgreSQL cluster on 127.0.0.1, TCP only, owned by the system user."""

    base_dir: Path
    port: int
    password: str = DEV_PASSWORD
    throwaway: bool = False  # tests: no durability, more connections
    # Preload pg_cron (jobs run in the `postgres` database), as hosted Supabase does.
    cron: bool = False

    @property
    def data_dir(self) -> Path:
        # A symlink when the data had to live where the system user can reach it.
        return (self.base_dir / "pgdata").resolve()

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / "postgres.log"

    def url(
        self, database: str = "postgres", user: str = "postgres", password: str | None = None
    ) -> str:
        """A login URL; by default the project's `postgres` (not a superuser)."""
        pw = self.password if password is None else password
        return f"postgresql://{user}:{pw}@127.0.0.1:{self.port}/{database}"

    def superuser_url(self, database: str = "postgres") -> str:
        """supabase_admin's URL: the platform's own work, never the project's."""
        return self.url(database, user=SUPERUSER)

    @property
    def exists(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def _home(self) -> Path:
        """Where the cluster's files go: base_dir, unless the system user cannot reach it.

        As root, a checkout inside a private directory (mktemp -d, /root) is out of
        the postgres user's reach; the data then lives in that user's home and
        base_dir/pgdata links to it.
        """
        self.base_dir.mkdir(parents=True, exist_ok=True)
        give_to_system_user(self.base_dir)
        if os.geteuid() != 0 or _reachable(self.base_dir):
            return self.base_dir
        digest = hashlib.sha256(str(self.base_dir.resolve()).encode()).hexdigest()[:16]
        home = Path(pwd.getpwnam(SYSTEM_USER).pw_dir) / "africagnotte" / digest
        home.mkdir(parents=True, exist_ok=True)
        give_to_system_user(home.parent)
        give_to_system_user(home)
        link = self.base_dir / "pgdata"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(home / "pgdata")
        return home

    def init(self) -> None:
        """Create the cluster (initdb) with the superuser ``supabase_admin``."""
        ensure_privileged_extensions()
        home = self._home()
        data_dir = home / "pgdata"
        pwfile = home / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        give_to_system_user(pwfile)
        try:
            _run(
                as_system_user(
                    [
                        str(pg_bin_dir() / "initdb"),
                        "--pgdata",
                        str(data_dir),
                        "--username",
                        SUPERUSER,
                        "--pwfile",
                        str(pwfile),
                        "--auth",
                        "scram-sha-256",
                        "--encoding",
                        "UTF8",
                        "--locale",
                        "C.UTF-8",
                        "--no-instructions",
                    ]
                )
            )
        finally:
            pwfile.unlink(missing_ok=True)
        settings = [
            "listen_addresses = '127.0.0.1'",
            f"port = {self.port}",
            "unix_socket_directories = ''",
            "max_connections = 200",
            "shared_buffers = '256MB'",
            "timezone = 'UTC'",
            "log_timezone = 'UTC'",
        ]
        if self.throwaway:
            settings += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        # Hosted Supabase preloads pg_stat_statements (and pg_cron, where it is used).
        preload = ["pg_stat_statements", *(["pg_cron"] if self.cron else [])]
        settings.append(f"shared_preload_libraries = '{', '.join(preload)}'")
        if self.cron:
            settings += [
                "cron.database_name = 'postgres'",
                "cron.use_background_workers = on",
                "cron.timezone = 'UTC'",
            ]
        with (data_dir / "postgresql.auto.conf").open("a") as conf:
            conf.write("\n".join(settings) + "\n")

    def is_running(self) -> bool:
        if not self.exists:
            return False
        proc = subprocess.run(
            as_system_user([str(pg_bin_dir() / "pg_ctl"), "status", "-D", str(self.data_dir)]),
            capture_output=True,
            check=False,
        )
        return proc.returncode == 0

    def start(self) -> None:
        if self.is_running():
            return
        self.log_file.touch()
        give_to_system_user(self.log_file)
        argv = as_system_user(
            [
                str(pg_bin_dir() / "pg_ctl"),
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
            ]
        )
        # The port may be held for a minute by a closed connection in TIME_WAIT
        # (54322 lies in Linux's ephemeral range): wait for it rather than fail.
        deadline = time.monotonic() + 90
        while True:
            log_size = self.log_file.stat().st_size
            try:
                _run(argv)
                break
            except StackError:
                with self.log_file.open() as log:
                    log.seek(log_size)
                    busy = "Address already in use" in log.read()
                if not busy or time.monotonic() > deadline:
                    raise
                time.sleep(2)
        self.wait_ready()

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.superuser_url(), connect_timeout=2):
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise StackError(f"PostgreSQL did not accept connections: {exc}") from exc
                time.sleep(0.1)

    def stop(self, mode: str = "fast") -> None:
        if self.is_running():
            _run(
                as_system_user(
                    [
                        str(pg_bin_dir() / "pg_ctl"),
                        "stop",
                        "-w",
                        "-m",
                        mode,
                        "-D",
                        str(self.data_dir),
                    ]
                )
            )

    def destroy(self) -> None:
        self.stop("immediate")
        home = self.data_dir.parent
        shutil.rmtree(self.base_dir, ignore_errors=True)
        if home != self.base_dir.resolve():
            shutil.rmtree(home, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def scratch_cluster(prefix: str = "africagnotte-scratch-", **options: Any) -> Iterator[Cluster]:
    """A new cluster on a free port, destroyed afterwards (never the dev one). By
    default without durability (fsync off): pass throwaway=False to crash it."""
    options.setdefault("throwaway", True)
    cluster = Cluster(
        base_dir=Path(tempfile.mkdtemp(prefix=prefix)),
        port=free_port(),
        password=secrets.token_hex(16),
        **options,
    )
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


def has_pg_cron() -> bool:
    return (pg_bin_dir().parent / "lib" / "pg_cron.so").exists()


def extension_dir() -> Path:
    """Where this PostgreSQL reads extension control files (pg_config --sharedir)."""
    sharedir = _run([str(pg_bin_dir() / "pg_config"), "--sharedir"]).strip()
    return Path(sharedir) / "extension"


def ensure_privileged_extensions() -> None:
    """Let the non-superuser postgres create the extensions hosted Supabase lets it
    create (supautils' privileged extensions), as PostgreSQL's trusted extensions.

    A secondary control file per version (``name--version.control``, PostgreSQL's
    "Packaging Related Objects into an Extension") sets ``trusted = true`` without
    touching the package's own control file. Needs write access once (root: make deps).
    """
    directory = extension_dir()
    for name in PRIVILEGED_EXTENSIONS:
        versions = {
            part
            for script in directory.glob(f"{name}--*.sql")
            for part in script.stem.split("--")[1:]
        }
        for version in sorted(versions):
            control = directory / f"{name}--{version}.control"
            if control.exists() and "trusted = true" in control.read_text():
                continue
            try:
                control.write_text(
                    "# AfriCagnotte local platform: hosted Supabase lets postgres create\n"
                    f"# {name} (supautils' privileged extensions); trusted does it here.\n"
                    "trusted = true\n"
                )
            except OSError as exc:
                raise StackError(
                    f"cannot mark {name} trusted ({exc}): run `make deps` once as root."
                ) from exc


def dev_cluster() -> Cluster:
    # With pg_cron, `make run` runs the scheduled jobs like a hosted project
    # (AFRICAGNOTTE_PG_CRON=off: without it, as on a plain PostgreSQL).
    cron = has_pg_cron() and os.environ.get("AFRICAGNOTTE_PG_CRON", "on") != "off"
    return Cluster(base_dir=LOCAL_DIR, port=DEV_PORT, cron=cron)


# Database building -------------------------------------------------------------


def run_sql_file(url: str, path: Path) -> None:
    """Run a SQL file in one transaction (psycopg runs a parameterless script whole)."""
    with psycopg.connect(url) as conn:
        conn.execute(path.read_text())


def create_database(cluster: Cluster, name: str, template: str | None = None) -> None:
    with psycopg.connect(cluster.superuser_url(), autocommit=True) as conn:
        query = sql.SQL("create database {}").format(sql.Identifier(name))
        if template:
            query += sql.SQL(" template {}").format(sql.Identifier(template))
        conn.execute(query)


def drop_database(cluster: Cluster, name: str) -> None:
    with psycopg.connect(cluster.superuser_url(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )


def clone_database(cluster: Cluster, name: str, template: str) -> None:
    """A copy of a built database, with the platform's database-level settings
    (grants and settings of the database itself, which a copy does not inherit)."""
    create_database(cluster, name, template=template)
    run_sql_file(cluster.superuser_url(name), PLATFORM_SQL)


def apply_platform(cluster: Cluster, database: str, authenticator_password: str) -> None:
    """The local platform (idempotent, as supabase_admin), then the login passwords."""
    url = cluster.superuser_url(database)
    run_sql_file(url, PLATFORM_SQL)
    with psycopg.connect(url, autocommit=True) as conn:
        passwords = {
            "postgres": cluster.password,
            "supabase_auth_admin": cluster.password,
            "authenticator": authenticator_password,
        }
        for role, password in passwords.items():
            conn.execute(
                sql.SQL("alter role {} password {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )


def has_migration_history(url: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "select to_regclass('supabase_migrations.schema_migrations') is not null"
        ).fetchone()
        return bool(row and row[0])


def supabase_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the project's pinned Supabase CLI from the repository root."""
    if not SUPABASE_CLI.exists():
        raise StackError("the Supabase CLI is not installed: run `npm ci` (make does it).")
    env = {**os.environ, "PGSSLMODE": "disable", "DO_NOT_TRACK": "1"}
    argv = [str(SUPABASE_CLI), *args, "--workdir", str(ROOT)]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if check and proc.returncode != 0:
        raise StackError(f"supabase {' '.join(args[:2])} failed:\n{proc.stdout}{proc.stderr}")
    return proc


def migrate(url: str) -> None:
    """Apply pending migrations through the Supabase CLI, as on a hosted project."""
    supabase_cli("migration", "up", "--yes", f"--remote={url}")


def advisors(
    url: str, level: str = "warn", fail_on: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Supabase's security and performance advisors: the findings from ``level``
    up (JSON on stdout); non-zero exit on a finding >= fail_on (default: level)."""
    return supabase_cli(
        "db",
        "advisors",
        f"--remote={url}",
        "--type",
        "all",
        "--level",
        level,
        "--fail-on",
        fail_on or level,
        check=False,
    )


def build_database(
    cluster: Cluster,
    authenticator_password: str,
    database: str = "postgres",
    *,
    seed: bool | None = None,
) -> bool:
    """Platform (as supabase_admin), migrations (only new ones, through the Supabase
    CLI as postgres, like `supabase db push`), and the seed on a new database.

    Returns True when the database was new (and so was seeded, unless seed=False).
    """
    url = cluster.url(database)
    apply_platform(cluster, database, authenticator_password)
    is_new = not has_migration_history(url)
    migrate(url)
    if seed if seed is not None else is_new:
        run_sql_file(url, SEED_SQL)
    return is_new


# .env.local ---------------------------------------------------------------------


def ensure_env_local(path: Path = ENV_LOCAL) -> dict[str, str]:
    """Write development secrets once; later runs keep them (tokens stay valid)
    and only add settings that newer versions need."""
    jwt_secret = secrets.token_urlsafe(48)
    defaults = {
        "DATABASE_URL": dev_cluster().url(),
        "SUPABASE_JWT_SECRET": jwt_secret,
        "SUPABASE_ANON_KEY": keys.api_key(jwt_secret, "anon"),
        "SUPABASE_SERVICE_ROLE_KEY": keys.api_key(jwt_secret, "service_role"),
        "SITE_URL": "http://127.0.0.1:3000",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{SERVICE_PORT}",
        "STRIPE_SECRET_KEY": "sk_test_local_placeholder",
        "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(24),
        "CINETPAY_API_KEY": "local_placeholder",
        "CINETPAY_SITE_ID": "000000",
        "CINETPAY_SECRET_KEY": secrets.token_hex(24),
        "CLOUDINARY_URL": "cloudinary://000000000000000:local_placeholder_secret@africagnotte-local",
        "SMTP_URL": f"smtp://127.0.0.1:{MAIL_PORT}",
        "MAIL_FROM": "AfriCagnotte <no-reply@africagnotte.local>",
    }
    if not path.exists():
        header = "# Generated by `make run` for the local stack only. Never use elsewhere.\n"
        path.write_text(header)
        path.chmod(0o600)
    present = read_env(path)
    missing = {k: v for k, v in defaults.items() if k not in present}
    if PAYOUT_KEY not in present:  # made only when missing (gpg)
        missing[PAYOUT_KEY] = keys.dotenv_value(keys.payout_key_pair().private)
    if missing:
        with path.open("a") as f:
            f.write("".join(f"{k}={v}\n" for k, v in missing.items()))
    return read_env(path)


def setting(name: str) -> str | None:
    """A setting of the operators' tools: the environment, else .env.local
    (the local stack's), else None."""
    value = os.environ.get(name)
    if not value and ENV_LOCAL.exists():
        value = read_env(ENV_LOCAL).get(name)
    return value or None


def read_env(path: Path) -> dict[str, str]:
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


PAYOUT_KEY = "PAYOUT_ACCOUNTS_PRIVATE_KEY"


def install_payout_key(url: str, env: dict[str, str]) -> None:
    """The public half of .env.local's payout-accounts key into a database that has
    none yet (the database seals payout accounts with it)."""
    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("select 1 from private.payout_account_key").fetchone() is None:
            conn.execute(
                "select private.install_payout_account_key(%s)", [keys.public_half(env[PAYOUT_KEY])]
            )


# The development stack --------------------------------------------------------------


OLD_STACK = (
    "{dir} holds a database made by an older AfriCagnotte, whose superuser was postgres;"
    " the local platform is now shaped like hosted Supabase (superuser supabase_admin)."
    " Rebuild it with `make reset` (its data is lost: `cagnotte-admin backup` first to keep"
    " a copy)."
)


def is_old_stack(cluster: Cluster) -> bool:
    """A running cluster made before the hosted-shaped platform: its postgres is a
    superuser and supabase_admin cannot log in."""
    try:
        with psycopg.connect(cluster.superuser_url(), connect_timeout=5):
            return False
    except psycopg.OperationalError:
        pass
    try:
        with psycopg.connect(cluster.url(), connect_timeout=5) as conn:
            row = conn.execute(
                "select rolsuper from pg_roles where rolname = 'postgres'"
            ).fetchone()
            return bool(row and row[0])
    except psycopg.OperationalError:
        return False


def up() -> tuple[Cluster, bool]:
    """Create (first time) and start the dev cluster, then bring its schema up to date."""
    cluster = dev_cluster()
    if not cluster.exists:
        cluster.init()
    cluster.start()
    if is_old_stack(cluster):
        raise StackError(OLD_STACK.format(dir=LOCAL_DIR))
    is_new = build_database(cluster, DEV_PASSWORD)
    install_payout_key(cluster.url(), ensure_env_local())
    return cluster, is_new


def reset() -> Cluster:
    """Drop and rebuild the dev database from migrations and seed (a cluster of an
    older, not hosted-shaped stack is made anew)."""
    cluster = dev_cluster()
    if cluster.exists:
        cluster.start()
        if is_old_stack(cluster):
            cluster.destroy()
    if not cluster.exists:
        cluster.init()
    cluster.start()
    with psycopg.connect(cluster.superuser_url("template1"), autocommit=True) as conn:
        conn.execute("drop database if exists postgres with (force)")
        conn.execute("create database postgres")
    build_database(cluster, DEV_PASSWORD, seed=True)
    install_payout_key(cluster.url(), ensure_env_local())
    return cluster
