"""The frontend's TypeScript types of the API, generated from the database.

`supabase gen types typescript` (the pinned CLI, which runs Supabase's
postgres-meta typegen) describes the `public` schema as supabase-js sees it:
tables' Row/Insert/Update, views, functions' Args/Returns and composite types.
The file is committed (TYPES_FILE) for the frontend; `make types` rewrites it
from a throwaway database built by the migrations (--fresh) and the test suite
checks it against the same (tests/test_api_types.py). Without --fresh or --url,
it reads the local stack's database (AFRICAGNOTTE_DB_PORT).

    python -m localdev.typegen [--url URL | --fresh] [--output FILE]
"""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

import pgcluster
from localdev import stack

TYPES_FILE = pgcluster.SUPABASE_DIR / "types" / "database.ts"
# The schema the frontend calls (config.toml [api] also serves graphql_public, which
# holds only pg_graphql's endpoint, not used by this project).
SCHEMAS = ("public",)


def typescript(url: str) -> str:
    """The generated TypeScript for the database at ``url`` (stdout only: the CLI's
    notes, such as its advice to format the file, go to stderr)."""
    proc = pgcluster.supabase_cli(
        "gen", "types", "typescript", f"--remote={url}", "--schema", ",".join(SCHEMAS)
    )
    return proc.stdout.strip() + "\n"  # the CLI opens with a blank line


def local_url() -> str:
    """The local stack's database (`make run`), on AFRICAGNOTTE_DB_PORT."""
    return stack.dev_cluster().url()


def fresh_typescript() -> str:
    """The types of a throwaway database built by the migrations, as the tests build it."""
    with pgcluster.scratch_cluster("africagnotte-types-") as cluster:
        pgcluster.build_database(cluster, secrets.token_hex(16), seed=False)
        return typescript(cluster.url())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the API's TypeScript types.")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--url", help="database URL (default: the local stack's)")
    source.add_argument(
        "--fresh", action="store_true", help="a throwaway database built by the migrations"
    )
    parser.add_argument("--output", type=Path, default=TYPES_FILE)
    args = parser.parse_args(argv)
    try:
        text = fresh_typescript() if args.fresh else typescript(args.url or local_url())
    except pgcluster.ClusterError as exc:
        print(f"{exc}\nIs the local database running? `make run` starts it.", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
