"""Shared fixtures: a throwaway Supabase-shaped cluster, a fresh database per
test, and clients that reach it the way the frontend does (PostgREST + GoTrue).
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from flask import Flask
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from typer.testing import CliRunner

import pgcluster
from admin_scripts import keys
from admin_scripts.cli import app as cli_app
from localdev import tokens
from tests import cinetpay_fake, paystack_fake, stripe_fake
from tests.gotrue import GoTrue, User, auth_admin_connection
from tests.postgrest import PostgrestClient
from tests.smtp_server import SmtpServer
from tests.support.pgbouncer import Pooler, transaction_pooler
from webhooks import create_app
from webhooks.config import load_settings

# fixtures kept with their helpers in tests/support/
pytest_plugins = ["tests.support.cast"]

TEMPLATE_DB = "africagnotte_template"

free_port = pgcluster.free_port

# The console speaks French unless asked otherwise (admin_scripts.i18n); the suite's
# assertions on its messages read English, and the tests of French ask for French
# (tests/test_console_language.py). Subprocesses (make run, honcho) inherit it.
os.environ["CAGNOTTE_LANG"] = "en"


def throwaway_cluster(**options: Any):
    """A test's own cluster (pgcluster.scratch_cluster)."""
    return pgcluster.scratch_cluster("africagnotte-test-", **options)


@pytest.fixture(scope="session")
def cluster() -> Iterator[pgcluster.Cluster]:
    """The test run's cluster: every test gets a database cloned in it."""
    with throwaway_cluster() as c:
        yield c


@pytest.fixture(scope="session")
def hosted_cluster() -> Iterator[pgcluster.Cluster]:
    """A new hosted-shaped cluster with pg_cron preloaded, its `postgres` database
    built as `supabase db push` builds a project's (any migration error fails here).
    Shared: a test that changes it puts back what it changed."""
    with throwaway_cluster(cron=True) as c:
        pgcluster.build_database(c, secrets.token_hex(8), seed=False)
        yield c


@pytest.fixture(scope="session")
def pooler(cluster: pgcluster.Cluster) -> Iterator[Pooler]:
    """PgBouncer in transaction mode in front of the test cluster (Supavisor's 6543)."""
    with transaction_pooler(cluster) as p:
        yield p


@pytest.fixture(scope="session")
def authenticator_password() -> str:
    return secrets.token_hex(16)


@pytest.fixture(scope="session")
def jwt_secret() -> str:
    return secrets.token_urlsafe(48)


@pytest.fixture(scope="session")
def payout_keys() -> keys.PayoutKeyPair:
    """The run's payout-accounts key pair (public half in every test database)."""
    return keys.payout_key_pair(2048)


@pytest.fixture(scope="session")
def schema_template(
    cluster: pgcluster.Cluster, authenticator_password: str, payout_keys: keys.PayoutKeyPair
) -> str:
    """The schema built once, through the same code path as `make run` (no seed),
    with the payout-accounts public key installed."""
    pgcluster.create_database(cluster, TEMPLATE_DB)
    pgcluster.build_database(cluster, authenticator_password, TEMPLATE_DB, seed=False)
    with psycopg.connect(cluster.url(TEMPLATE_DB), autocommit=True) as conn:
        conn.execute("select private.install_payout_account_key(%s)", [payout_keys.public])
    return TEMPLATE_DB


@dataclass
class Database:
    """A test's database. ``url`` logs in as the project's postgres (what the
    service, the console and migrations use, as on hosted); ``superuser_url`` as
    supabase_admin, the test's own all-seeing view."""

    name: str
    url: str
    superuser_url: str
    authenticator_url: str
    _conn: psycopg.Connection | None = None

    @property
    def conn(self) -> psycopg.Connection:
        """One superuser connection (autocommit) for the test's own reads and setup."""
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self.superuser_url, autocommit=True, row_factory=dict_row)
        return self._conn

    def sql(self, query: str, params: Any = None) -> list[dict[str, Any]]:
        """Run SQL as the superuser (the test's own view, bypassing RLS)."""
        cur = self.conn.execute(query, params)
        return cur.fetchall() if cur.description else []

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()

    def one(self, query: str, params: Any = None) -> dict[str, Any]:
        rows = self.sql(query, params)
        assert len(rows) == 1, rows
        return rows[0]


class DatabaseFactory:
    """Clones the schema template ahead of the tests, in a background thread, and
    drops used databases there too: a test never waits for CREATE DATABASE."""

    AHEAD = 2

    def __init__(self, cluster: pgcluster.Cluster, template: str):
        self.cluster, self.template = cluster, template
        self.ready: queue.Queue[str | BaseException] = queue.Queue(maxsize=self.AHEAD)
        self.used: queue.Queue[str | None] = queue.Queue()
        self.numbers = itertools.count()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:  # drop used databases first; wait for one only when enough are ready
                name = self.used.get(timeout=0.05 if self.ready.full() else 0)
            except queue.Empty:
                name = None
            if name:
                pgcluster.drop_database(self.cluster, name)
            elif not self.ready.full():
                name = f"test_{next(self.numbers)}"
                try:
                    pgcluster.clone_database(self.cluster, name, self.template)
                except BaseException as exc:  # surfaced to the test that takes it
                    self.ready.put(exc)
                    return
                self.ready.put(name)

    def take(self) -> str:
        item = self.ready.get(timeout=120)
        if isinstance(item, BaseException):
            raise item
        return item

    def give_back(self, name: str) -> None:
        self.used.put(name)

    def stop(self) -> None:
        self.stopping.set()
        self.used.put(None)
        self.thread.join(timeout=60)


@pytest.fixture(scope="session")
def databases(cluster: pgcluster.Cluster, schema_template: str) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(cluster, schema_template)
    yield factory
    factory.stop()


@pytest.fixture
def db(
    cluster: pgcluster.Cluster, databases: DatabaseFactory, authenticator_password: str
) -> Iterator[Database]:
    """A fresh database per test, cloned from the schema template."""
    name = databases.take()
    database = Database(
        name=name,
        url=cluster.url(name),
        superuser_url=cluster.superuser_url(name),
        authenticator_url=cluster.url(name, user="authenticator", password=authenticator_password),
    )
    yield database
    database.close()
    databases.give_back(name)


@pytest.fixture
def gotrue(cluster: pgcluster.Cluster, db: Database, jwt_secret: str) -> Iterator[GoTrue]:
    """GoTrue's writes to this test's database, as supabase_auth_admin."""
    with auth_admin_connection(cluster, db.name) as conn:
        yield GoTrue(conn, jwt_secret)


@pytest.fixture
def client_factory(db: Database, jwt_secret: str) -> Iterator[Callable[[str], PostgrestClient]]:
    clients: list[PostgrestClient] = []

    def make(token: str) -> PostgrestClient:
        client = PostgrestClient(db.authenticator_url, jwt_secret, token)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def anon(client_factory, jwt_secret: str) -> PostgrestClient:
    """Requests with the anon key (a visitor who is not signed in)."""
    return client_factory(tokens.api_key(jwt_secret, "anon"))


@pytest.fixture
def service_role(client_factory, jwt_secret: str) -> PostgrestClient:
    """Requests with the service_role key (trusted servers only)."""
    return client_factory(tokens.api_key(jwt_secret, "service_role"))


@pytest.fixture
def as_user(client_factory) -> Callable[[User], PostgrestClient]:
    """Requests with a signed-in user's access token."""

    def make(user: User) -> PostgrestClient:
        assert user.token, "user has no session (unconfirmed?)"
        return client_factory(user.token)

    return make


@pytest.fixture
def make_user(gotrue: GoTrue) -> Callable[..., User]:
    """Sign up a user as GoTrue does; confirmed users get an access token."""
    return gotrue.sign_up


@pytest.fixture
def grant_role(db: Database, gotrue: GoTrue) -> Callable[[User, str], User]:
    """Give a platform role (as an operator would) and refresh the user's token."""

    def grant(user: User, role: str) -> User:
        db.sql("insert into public.user_roles (user_id, role) values (%s, %s)", [user.id, role])
        return gotrue.sign_in(user)

    return grant


@pytest.fixture
def user(make_user) -> User:
    return make_user(user_metadata={"full_name": "Fatou Ndiaye"})


@pytest.fixture
def other_user(make_user) -> User:
    return make_user(user_metadata={"full_name": "Ibrahim Koné"})


@pytest.fixture
def admin(make_user, grant_role) -> User:
    return grant_role(make_user(user_metadata={"full_name": "Admin Awa"}), "admin")


@pytest.fixture
def make_app() -> Iterator[Callable[..., Flask]]:
    """The webhooks service (Flask app factory) with settings given as keywords."""
    apps: list[Flask] = []

    def make(**settings: Any) -> Flask:
        app = create_app(load_settings(**settings))
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["db_pool"].close()


@pytest.fixture
def app(make_app, db: Database) -> Flask:
    return make_app(database_url=db.url)


@pytest.fixture
def banned_user(make_user, gotrue: GoTrue) -> User:
    """Signed in before the ban: the token is still valid, the account is banned."""
    u = make_user(user_metadata={"full_name": "Banni Bakary"})
    gotrue.ban(u)
    return u


# Campaigns ------------------------------------------------------------------------

CAMPAIGN = {
    "title": "Soins pour Aminata à Bamako",
    "summary": "Aminata, 7 ans, doit être opérée du cœur à l'hôpital du Mali.",
    "story": (
        "Aminata est née avec une malformation cardiaque. Les médecins de l'hôpital du Mali "
        "peuvent l'opérer, mais la famille ne peut pas payer l'opération et les médicaments."
    ),
    "goal_amount": 2_500_000,
    "currency": "XOF",
    "category": "sante",
    "country": "ML",
    "city": "Bamako",
    "tags": ["santé", "enfant"],
}


@pytest.fixture
def moderator(make_user, grant_role) -> User:
    return grant_role(make_user(user_metadata={"full_name": "Modératrice Mariam"}), "moderator")


@pytest.fixture
def make_campaign(db: Database, as_user, moderator) -> Callable[..., dict[str, Any]]:
    """A campaign of ``owner`` brought to ``status`` the way it happens for real:
    created and submitted by its owner, reviewed by a moderator; funded and
    expired by the system (totals from the payment core, the expiry job)."""

    def make(owner: User, status: str = "draft", **fields: Any) -> dict[str, Any]:
        client = as_user(owner)
        (row,) = client.insert("campaigns", {**CAMPAIGN, **fields})
        cid = row["id"]
        if status != "draft":
            client.rpc("submit_campaign", {"campaign_id": cid})
        if status == "rejected":
            as_user(moderator).rpc(
                "reject_campaign", {"campaign_id": cid, "reason": "Photos floues"}
            )
        elif status == "cancelled":
            client.rpc("cancel_campaign", {"campaign_id": cid})
        elif status in ("active", "funded", "expired"):
            as_user(moderator).rpc("approve_campaign", {"campaign_id": cid})
        if status == "funded":
            db.sql(
                "update public.campaigns set collected_amount = goal_amount, donor_count = 3"
                " where id = %s",
                [cid],
            )
        if status == "expired":
            db.sql(
                "update public.campaigns set starts_at = now() - interval '10 days',"
                " ends_at = now() - interval '1 minute' where id = %s",
                [cid],
            )
            db.sql("select private.expire_campaigns()")
        campaign = db.one("select * from public.campaigns where id = %s", [cid])
        assert campaign["status"] == status
        return campaign

    return make


@pytest.fixture
def owner(make_user) -> User:
    return make_user(user_metadata={"full_name": "Aminata Traoré"})


# The webhooks service, Stripe and CinetPay ----------------------------------------------------------


def served(fake: Any, serve: Callable[[Any], Any]) -> Iterator[Any]:
    server = serve(fake)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def stripe_api() -> Iterator[stripe_fake.FakeStripe]:
    """Stripe's API, served locally (STRIPE_API_BASE); records the requests made."""
    yield from served(stripe_fake.FakeStripe(), stripe_fake.serve)


@pytest.fixture
def cinetpay_api() -> Iterator[cinetpay_fake.FakeCinetPay]:
    """CinetPay's API, served locally (CINETPAY_API_BASE); records the requests made."""
    yield from served(cinetpay_fake.FakeCinetPay(), cinetpay_fake.serve)


@pytest.fixture
def paystack_api() -> Iterator[paystack_fake.FakePaystack]:
    """Paystack's API, served locally (PAYSTACK_API_BASE); records the requests made."""
    yield from served(paystack_fake.FakePaystack(), paystack_fake.serve)


SITE_URL = "https://africagnotte.test"
CLOUDINARY_CLOUD, CLOUDINARY_KEY, CLOUDINARY_SECRET = (
    "africagnotte-test",
    "123456789012345",
    "test0cloudinary0secret",
)


@pytest.fixture
def service_settings(
    db: Database,
    pooler: Pooler,
    stripe_api,
    cinetpay_api,
    paystack_api,
    jwt_secret: str,
    payout_keys,
) -> dict[str, Any]:
    """The service as deployed on hosted Supabase: through the transaction pooler."""
    return {
        "database_url": pooler.url(db.name),
        "supabase_jwt_secret": jwt_secret,
        "stripe_secret_key": stripe_fake.SECRET_KEY,
        "stripe_webhook_secret": stripe_fake.WEBHOOK_SECRET,
        "stripe_api_base": stripe_api.url,
        "stripe_timeout": 2,
        "cinetpay_api_key": cinetpay_fake.API_KEY,
        "cinetpay_site_id": cinetpay_fake.SITE_ID,
        "cinetpay_secret_key": cinetpay_fake.SECRET_KEY,
        "cinetpay_api_base": cinetpay_api.url,
        "cinetpay_timeout": 1,
        "paystack_secret_key": paystack_fake.SECRET_KEY,
        "paystack_api_base": paystack_api.url,
        "paystack_timeout": 1,
        "site_url": SITE_URL,
        "cloudinary_url": f"cloudinary://{CLOUDINARY_KEY}:{CLOUDINARY_SECRET}@{CLOUDINARY_CLOUD}",
        "public_base_url": "https://api.africagnotte.test",
        "payout_accounts_private_key": payout_keys.private,
    }


@pytest.fixture
def service(make_app, service_settings):
    """A test client of the webhooks service, wired to this test's database and Stripe."""
    return make_app(**service_settings).test_client()


def open_checkout(service, campaign: dict[str, Any], amount: int, provider: str, **body: Any):
    """POST /donations/checkout for a campaign; 201 expected; the donation's id."""
    token = body.pop("token", None)
    response = service.post(
        "/donations/checkout",
        json={
            "campaign_id": str(campaign["id"]),
            "amount": amount,
            "currency": campaign["currency"],
            "provider": provider,
            **body,
        },
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["donation_id"]


@pytest.fixture
def donate(service, stripe_api):
    """Open a checkout through the service; the pledge's identifiers, as Stripe knows them."""

    def checkout(campaign: dict[str, Any], amount: int, token: str | None = None, **body: Any):
        body = {"provider": "stripe", **body}
        donation_id = open_checkout(service, campaign, amount, token=token, **body)
        session = next(
            s for s in stripe_api.sessions.values() if s["metadata"]["donation_id"] == donation_id
        )
        intent = stripe_fake.new_id("pi")
        stripe_api.register_intent(intent, amount, campaign["currency"], session["metadata"])
        return {
            "donation_id": donation_id,
            "attempt_id": session["metadata"]["attempt_id"],
            "session_id": session["id"],
            "payment_intent": intent,
            "charge_id": "ch_for_" + intent,
            "amount": amount,
            "currency": campaign["currency"],
            "campaign_id": campaign["id"],
        }

    return checkout


@pytest.fixture
def post_event(service):
    """POST a Stripe event to /webhooks/stripe, signed as Stripe signs it."""

    def post(
        evt: dict[str, Any],
        *,
        secret: str = stripe_fake.WEBHOOK_SECRET,
        timestamp: int | None = None,
        signature: str | None = None,
    ):
        payload = json.dumps(evt).encode()
        header = (
            signature
            if signature is not None
            else stripe_fake.sign(payload, secret=secret, timestamp=timestamp)
        )
        headers = {"Stripe-Signature": header} if header else {}
        return service.post(
            "/webhooks/stripe", data=payload, headers=headers, content_type="application/json"
        )

    return post


@pytest.fixture
def pay_by_mobile_money(service, cinetpay_api):
    """Open a CinetPay payment through the service; the pledge, as CinetPay knows it."""

    def checkout(campaign: dict[str, Any], amount: int, **body: Any) -> dict[str, Any]:
        donation_id = open_checkout(service, campaign, amount, "cinetpay", **body)
        (transaction_id,) = (
            t for t, p in cinetpay_api.payments.items() if p["metadata"] == donation_id
        )
        return {
            "donation_id": donation_id,
            "transaction_id": transaction_id,
            "amount": amount,
            "currency": campaign["currency"],
            "campaign_id": campaign["id"],
        }

    return checkout


@pytest.fixture
def notify(service, cinetpay_api):
    """POST CinetPay's notification about a transaction to /webhooks/cinetpay, with
    its x-token (``token`` replaces it; None leaves it out)."""

    def post(transaction_id: str, *, token: str | bool | None = True, **fields: str):
        form = cinetpay_api.notification(transaction_id, **fields)
        header = cinetpay_fake.x_token(form) if token is True else token
        headers = {"x-token": header} if header else {}
        return service.post("/webhooks/cinetpay", data=form, headers=headers)

    return post


@pytest.fixture
def give(db):
    """A donation credited through the payment core (as a succeeded payment event)."""
    count = iter(range(1_000_000))

    # fee: what Stripe reports it kept (it always does; None: its rate in provider_fees);
    # tip: the tip to the platform, charged with the gift
    def give(campaign, amount, donor=None, anonymous=False, fee=0, tip=0):
        p = db.one(
            "select private.create_donation(campaign_id => %s, amount => %s, currency => 'XOF',"
            " provider => 'stripe', donor_id => %s, is_anonymous => %s, tip_amount => %s) as p",
            [campaign["id"], amount, donor.id if donor else None, anonymous, tip],
        )["p"]
        outcome = {"kind": "payment", "status": "succeeded", "amount": amount + tip,
                   "currency": "XOF", "donation_id": p["donation_id"]}  # fmt: skip
        if fee is not None:
            outcome["fee"] = fee
        db.one(
            "select private.record_payment_event('stripe', %s, 'x', now(), false, '{}', %s) as r",
            [f"evt_n{next(count)}_{p['donation_id']}", Jsonb(outcome)],
        )
        return p

    return give


# The operators' console -----------------------------------------------------------------------


@pytest.fixture
def operator_cli(
    db: Database, pooler: Pooler, monkeypatch, admin: User, payout_keys
) -> Callable[..., Any]:
    """`cagnotte-admin <args>` run by an operator (the admin) on this test's database,
    through the transaction pooler as on hosted."""
    monkeypatch.setenv("DATABASE_URL", pooler.url(db.name))
    monkeypatch.setenv("CAGNOTTE_OPERATOR", admin.email)
    monkeypatch.setenv("PAYOUT_ACCOUNTS_PRIVATE_KEY", payout_keys.private)

    def run(*args: str, input: str | None = None) -> Any:
        return CliRunner().invoke(cli_app, list(args), input=input)

    return run


# Email --------------------------------------------------------------------------------------


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server, in process, that records the messages it accepts."""
    with SmtpServer(free_port()) as server:
        yield server
