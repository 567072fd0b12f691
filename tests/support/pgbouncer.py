"""PgBouncer in transaction mode in front of a test cluster: what Supavisor's port
6543 is to a hosted project (a server connection serves one transaction, then
another client's; nothing of a session survives), so that the service's suites
prove it works there (Supabase docs, "Connecting to your database": transaction
mode; "Disabling prepared statements").

Debian's ``pgbouncer`` refuses to run as root: like the cluster, it runs as the
``postgres`` system user.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pgcluster

PGBOUNCER = "/usr/sbin/pgbouncer"


@dataclass
class Pooler:
    port: int
    cluster: pgcluster.Cluster

    def url(self, database: str) -> str:
        """The project's postgres through the pooler, as the service's DATABASE_URL."""
        return self.cluster.url(database).replace(f":{self.cluster.port}/", f":{self.port}/")


def _config(directory: Path, cluster: pgcluster.Cluster, port: int) -> Path:
    (directory / "userlist.txt").write_text(f'"postgres" "{cluster.password}"\n')
    ini = directory / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"* = host=127.0.0.1 port={cluster.port}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        "auth_type = scram-sha-256\n"
        f"auth_file = {directory / 'userlist.txt'}\n"
        "pool_mode = transaction\n"
        "default_pool_size = 10\n"
        "max_client_conn = 500\n"
        "max_db_connections = 20\n"
        # server connections of dropped test databases are not kept waiting
        "server_idle_timeout = 5\n"
        f"logfile = {directory / 'pgbouncer.log'}\n"
    )
    return ini


def _wait_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {log.read_text() if log.exists() else ''}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("pgbouncer did not listen in 20 s")


@contextmanager
def transaction_pooler(cluster: pgcluster.Cluster) -> Iterator[Pooler]:
    """PgBouncer (transaction mode) for every database of ``cluster``."""
    directory = Path(tempfile.mkdtemp(prefix="africagnotte-pgbouncer-"))
    pgcluster.give_to_system_user(directory)
    port = pgcluster.free_port()
    ini = _config(directory, cluster, port)
    for path in directory.iterdir():
        pgcluster.give_to_system_user(path)
    process = subprocess.Popen(
        pgcluster.as_system_user([PGBOUNCER, str(ini)]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_listening(port, process, directory / "pgbouncer.log")
        yield Pooler(port=port, cluster=cluster)
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(directory, ignore_errors=True)
