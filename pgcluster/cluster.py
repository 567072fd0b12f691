"""PostgreSQL clusters on 127.0.0.1: the server binaries, initdb as the system user,
start and stop, scratch clusters on a free port."""

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

from pgcluster.messages import _

ROOT = Path(__file__).resolve().parent.parent
# A cluster's default password: it listens on 127.0.0.1 and nowhere else.
DEFAULT_PASSWORD = "postgres"
SYSTEM_USER = "postgres"
# As on hosted Supabase, the cluster's superuser is supabase_admin and the project's
# own `postgres` (migrations, the service, the console) is not a superuser.
SUPERUSER = "supabase_admin"
# Extensions a hosted project's postgres may create although PostgreSQL reserves them
# to superusers: supautils' `privileged_extensions` there, trusted extensions here.
PRIVILEGED_EXTENSIONS = ("pg_cron",)


class ClusterError(RuntimeError):
    """A cluster or database-building step failed; the message says what to do."""


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
        raise ClusterError(
            _(
                "PostgreSQL 15+ server binaries not found (looked in /usr/lib/postgresql/*/bin)."
                " Install them with: apt-get install -y postgresql-15 (or set PG_BIN)."
            )
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
        failed = _("command failed ({code}): {command}").format(
            code=proc.returncode, command=" ".join(argv)
        )
        raise ClusterError(f"{failed}\n{proc.stdout}{proc.stderr}")
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
    password: str = DEFAULT_PASSWORD
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
            except ClusterError:
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
                    message = _("PostgreSQL did not accept connections: {reason}")
                    raise ClusterError(message.format(reason=exc)) from exc
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
                message = _("cannot mark {name} trusted ({reason}): run `make deps` once as root.")
                raise ClusterError(message.format(name=name, reason=exc)) from exc
