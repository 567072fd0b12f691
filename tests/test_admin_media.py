"""`cagnotte-admin media purge-orphans` against a local Cloudinary Admin API."""

from __future__ import annotations

import base64
import json

import pytest
from typer.testing import CliRunner

from admin_scripts.cli import app
from tests.conftest import CLOUDINARY_CLOUD, CLOUDINARY_KEY, CLOUDINARY_SECRET
from tests.support.cloudinary_admin import FakeAdminApi, asset


@pytest.fixture
def cloud(db, owner, make_campaign, monkeypatch, admin):
    c = make_campaign(owner, "active")
    kept = f"africagnotte/campaigns/{c['id']}/kept"
    db.sql("select private.register_media(%s, 'image', 1000)", [kept])
    fake = FakeAdminApi([
        asset(kept),
        asset(f"africagnotte/campaigns/{c['id']}/orphan1"),
        asset(f"africagnotte/campaigns/{c['id']}/orphan2"),
        asset(f"africagnotte/campaigns/{c['id']}/video-orphan", "video"),
        asset(f"africagnotte/campaigns/{c['id']}/just-uploaded", age_hours=1),
    ])  # fmt: skip
    server = fake.serve()
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.delenv("CAGNOTTE_OPERATOR", raising=False)  # given as --operator
    fake.operator = admin.email
    monkeypatch.setenv(
        "CLOUDINARY_URL", f"cloudinary://{CLOUDINARY_KEY}:{CLOUDINARY_SECRET}@{CLOUDINARY_CLOUD}"
    )
    monkeypatch.setenv("CLOUDINARY_API_BASE", f"http://127.0.0.1:{server.server_address[1]}")
    yield fake
    server.shutdown()


def names(ids):
    return sorted(i.rsplit("/", 1)[1] for i in ids)


def purge(cloud, *args, input=None):
    """`cagnotte-admin --operator <admin> media purge-orphans <args>`."""
    argv = ["--operator", cloud.operator, "media", "purge-orphans", *args]
    return CliRunner().invoke(app, argv, input=input)


def deletions(cloud):
    return [r for r in cloud.requests if r[0] == "DELETE"]


def test_purge_orphans_lists_unreferenced_assets_past_the_grace_period(cloud):
    result = purge(cloud, "--json")
    assert result.exit_code == 0, result.output
    assert names(a["public_id"] for a in json.loads(result.stdout)) == [
        "orphan1",
        "orphan2",
        "video-orphan",
    ]
    assert all(m == "GET" for m, *_ in cloud.requests)
    gets = [(path, q) for m, path, q, _ in cloud.requests]
    assert (f"/v1_1/{CLOUDINARY_CLOUD}/resources/image/upload",) == (gets[0][0],)
    assert gets[0][1]["prefix"] == ["africagnotte/"]
    assert any(q.get("next_cursor") for _, q in gets)  # paginated
    expected = (
        "Basic " + base64.b64encode(f"{CLOUDINARY_KEY}:{CLOUDINARY_SECRET}".encode()).decode()
    )
    assert {auth for *_, auth in cloud.requests} == {expected}


def test_purge_orphans_apply_deletes_them_after_confirmation(db, cloud):
    refused = purge(cloud, "--apply", input="n\n")
    assert refused.exit_code == 1
    assert "Delete 3 assets at Cloudinary for good? [y/N]" in refused.output
    assert not deletions(cloud)
    result = purge(cloud, "--apply", "--yes")
    assert result.exit_code == 0, result.output
    assert names(a["public_id"] for a in cloud.assets) == ["just-uploaded", "kept"]
    audit = db.one("select action, operator from private.audit_log")
    assert (audit["action"], audit["operator"]) == ("media purge-orphans", cloud.operator)


def test_purge_orphans_asks_in_french_and_accepts_oui(cloud):
    refused = purge(cloud, "--apply", input="\n")  # no answer: no
    assert refused.exit_code == 1
    assert not deletions(cloud)
    result = CliRunner().invoke(
        app,
        ["--lang", "fr", "--operator", cloud.operator, "media", "purge-orphans", "--apply"],
        input="oui\n",
    )
    assert result.exit_code == 0, result.output
    assert "Supprimer définitivement 3 fichiers chez Cloudinary ? [o/N]" in result.output
    assert "3 orphelins supprimés" in result.stderr
    assert names(a["public_id"] for a in cloud.assets) == ["just-uploaded", "kept"]


def test_purge_orphans_is_for_admins(cloud, user):
    result = CliRunner().invoke(
        app, ["--operator", user.email, "media", "purge-orphans", "--apply", "--yes"]
    )
    assert result.exit_code == 4
    assert not deletions(cloud)


def test_purge_orphans_with_cloudinary_out_of_reach_is_a_clear_error(cloud, monkeypatch):
    from admin_scripts.localstack import free_port

    monkeypatch.setenv("CLOUDINARY_API_BASE", f"http://127.0.0.1:{free_port()}")
    result = purge(cloud)
    assert result.exit_code == 6
    assert "Cloudinary" in result.stderr
    assert "Traceback" not in result.output
