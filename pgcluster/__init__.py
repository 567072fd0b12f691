"""Supabase-shaped PostgreSQL clusters on any machine, as a library.

One code path builds every database of the project outside a hosted Supabase:
the developers' cluster (``localdev``: `make run`), the scratch clusters of the
operators' console (backup verification, the privileges manifest, the API's
types) and the throwaway clusters of the test suite. It creates a cluster (as
the ``postgres`` system user when run as root, since initdb refuses root),
applies the local platform, then the migrations through the Supabase CLI, then
the seed.

It knows nothing of the console or of the local stack: they import it.
"""

from __future__ import annotations

from pgcluster.build import (
    PLATFORM_SQL,
    SEED_SQL,
    SUPABASE_CLI,
    SUPABASE_DIR,
    advisors,
    apply_platform,
    build_database,
    clone_database,
    create_database,
    drop_database,
    has_migration_history,
    migrate,
    run_sql_file,
    supabase_cli,
)
from pgcluster.cluster import (
    DEFAULT_PASSWORD,
    PRIVILEGED_EXTENSIONS,
    ROOT,
    SUPERUSER,
    SYSTEM_USER,
    Cluster,
    ClusterError,
    as_system_user,
    ensure_privileged_extensions,
    extension_dir,
    free_port,
    give_to_system_user,
    has_pg_cron,
    pg_bin_dir,
    scratch_cluster,
)

__all__ = [
    "DEFAULT_PASSWORD",
    "PLATFORM_SQL",
    "PRIVILEGED_EXTENSIONS",
    "ROOT",
    "SEED_SQL",
    "SUPABASE_CLI",
    "SUPABASE_DIR",
    "SUPERUSER",
    "SYSTEM_USER",
    "Cluster",
    "ClusterError",
    "advisors",
    "apply_platform",
    "as_system_user",
    "build_database",
    "clone_database",
    "create_database",
    "drop_database",
    "ensure_privileged_extensions",
    "extension_dir",
    "free_port",
    "give_to_system_user",
    "has_migration_history",
    "has_pg_cron",
    "migrate",
    "pg_bin_dir",
    "run_sql_file",
    "scratch_cluster",
    "supabase_cli",
]
