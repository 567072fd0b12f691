"""No 500 from shapes: every route of the service, found in its URL map (a new
route is covered without a change here), answers arbitrary JSON, query strings
and headers with a JSON error of its own, never an unhandled one.

Unsigned, a provider's webhook refuses before it reads the body (400 with a
signature error, nothing written); signed with the provider's real scheme, a
malformed body is a 4xx JSON too (or the 502/503 that asks the provider to
retry, when its API is asked about what the body names).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import cinetpay_fake
from tests import stripe_fake as sf
from tests.support.signing import cloudinary_headers

# examples per route: PROPERTY_PROFILE=thorough (make test-slow) tries many more
EXAMPLES = {"suite": 40, "thorough": 500}[os.environ.get("PROPERTY_PROFILE", "suite")]
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)  # fmt: skip
SIGNED_WEBHOOKS = {"/webhooks/stripe", "/webhooks/cloudinary", "/webhooks/cinetpay"}
RETRY_STATUSES = {502, 503}  # deliberate: the provider's API did not conclude, retry later

# The field names the routes read, so that arbitrary shapes reach past the first check.
KEYS = [
    "target", "campaign_id", "resource_type", "document_type", "amount", "currency", "provider",
    "donor_name", "message", "is_anonymous", "email", "notification_type", "public_id", "bytes",
    "width", "height", "duration", "context", "custom", "resources", "moderation_status", "id",
    "type", "data", "object", "created", "livemode", "metadata", "donation_id", "attempt_id",
    "payment_intent", "payment_status", "amount_total", "amount_refunded", "charge", "status",
]  # fmt: skip
STRIPE_TYPES = [
    "checkout.session.completed", "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed", "checkout.session.expired",
    "payment_intent.payment_failed", "charge.refunded", "charge.dispute.created",
    "charge.dispute.closed", "customer.created",
]  # fmt: skip
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"))


def scalars(known: list[str]) -> st.SearchStrategy:
    return st.one_of(
        st.none(), st.booleans(),
        st.integers(), st.sampled_from([0, -1, 2**31, 2**63, -(2**63) - 1, 10**40]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20), st.sampled_from(known),
    )  # fmt: skip


def json_values(known: list[str]) -> st.SearchStrategy:
    """Any JSON value: nulls, lists where objects are expected, huge numbers…"""
    keys = st.sampled_from(KEYS) | st.text(max_size=8)
    return st.recursive(
        scalars(known),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
        max_leaves=12,
    )


def json_objects(known: list[str]) -> st.SearchStrategy:
    return st.dictionaries(
        st.sampled_from(KEYS) | st.text(max_size=8), json_values(known), max_size=8
    )


def stripe_events(known: list[str]) -> st.SearchStrategy:
    """Stripe-like envelopes with anything inside (livemode false, mostly, to get past it)."""
    values = json_values(known)
    return st.fixed_dictionaries(
        {"type": st.sampled_from(STRIPE_TYPES) | values},
        optional={
            "id": values, "created": values, "livemode": st.just(False) | values,
            "data": st.fixed_dictionaries({}, optional={"object": json_objects(known)}) | values,
        },
    )  # fmt: skip


def routes(app) -> list[tuple[str, str]]:
    """Every (path, method) the service answers, from its URL map."""
    found = []
    for rule in app.url_map.iter_rules():
        path = rule.rule
        for argument in rule.arguments:  # none today: any segment will do
            path = path.replace(f"<{argument}>", "x").replace(f"<{argument}", "<")
        found += [(path, m) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def assert_clean(response, what: str, *, retry_allowed: bool = False) -> dict[str, Any]:
    """A JSON answer, and no unhandled error."""
    assert response.is_json, f"{what}: {response.status_code} {response.data[:200]!r}"
    body = response.get_json()
    allowed = response.status_code < 500 or (
        retry_allowed and response.status_code in RETRY_STATUSES
    )
    assert allowed, f"{what}: {response.status_code} {body}"
    if response.status_code >= 400:
        assert body["message"] not in ("internal_error", None), f"{what}: {body}"
    return body


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active")


@pytest.fixture
def known(campaign) -> list[str]:
    """Values the routes recognise, for the shapes to be mixed with."""
    return [str(campaign["id"]), "XOF", "EUR", "stripe", "cinetpay", "image", "video", "avatar",
            "document", "campaign", "upload", "delete", "moderation", "rejected",
            f"africagnotte/campaigns/{campaign['id']}/x", str(uuid.uuid4())]  # fmt: skip


def webhook_writes(db) -> int:
    return db.one(
        "select (select count(*) from private.webhook_events)"
        " + (select count(*) from private.media_notifications) as n"
    )["n"]


def test_the_url_map_is_what_this_suite_fuzzes(service):
    # a new route is fuzzed automatically; this list only says which routes are signed
    paths = {path for path, _ in routes(service.application)}
    assert paths >= SIGNED_WEBHOOKS
    assert {"/media/signature", "/donations/checkout", "/healthz"} <= paths


def fuzz_route(db, service, path: str, method: str, bodies, headers) -> None:
    """Arbitrary JSON, query strings and headers to one route."""

    @SETTINGS
    @given(body=bodies, query=st.dictionaries(st.sampled_from(KEYS), HEADER_TEXT), sent=headers)
    def request(body, query, sent):
        before = webhook_writes(db) if path in SIGNED_WEBHOOKS else None
        response = service.open(
            path, method=method, data=json.dumps(body), query_string=query,
            headers={"Content-Type": "application/json", **sent},
        )  # fmt: skip
        answer = assert_clean(response, f"{method} {path} {body!r}", retry_allowed=True)
        if before is not None and method == "POST":
            # unsigned: refused before the body is read, and nothing written
            assert response.status_code == 400, answer
            assert answer["message"] in ("missing_signature", "invalid_signature")
            assert webhook_writes(db) == before

    request()


def test_every_route_answers_arbitrary_json_with_a_json_error_never_a_500(
    db, service, owner, known
):
    headers = st.fixed_dictionaries(
        {}, optional={"Authorization": st.just(f"Bearer {owner.token}") | HEADER_TEXT,
                      "Content-Type": st.sampled_from(["application/json", "text/plain"])},
    )  # fmt: skip
    for path, method in routes(service.application):
        fuzz_route(db, service, path, method, json_values(known), headers)


def test_a_signed_stripe_event_of_any_shape_is_a_json_answer(service, known):
    @SETTINGS
    @given(event=stripe_events(known) | json_values(known))
    def post(event):
        payload = json.dumps(event).encode()
        response = service.post(
            "/webhooks/stripe", data=payload, content_type="application/json",
            headers={"Stripe-Signature": sf.sign(payload)},
        )  # fmt: skip
        assert_clean(response, f"stripe {event!r}", retry_allowed=True)

    post()


def test_a_signed_cloudinary_notification_of_any_shape_is_a_json_answer(db, service, known):
    notes = st.fixed_dictionaries(
        {"notification_type": st.sampled_from(["upload", "delete", "moderation"])},
        optional={k: json_values(known) for k in (
            "public_id", "resource_type", "bytes", "width", "height", "duration", "context",
            "resources", "moderation_status")},
    )  # fmt: skip

    @SETTINGS
    @given(note=notes | json_values(known))
    def post(note):
        body = json.dumps(note)
        response = service.post(
            "/webhooks/cloudinary", data=body, content_type="application/json",
            headers=cloudinary_headers(body),
        )  # fmt: skip
        assert_clean(response, f"cloudinary {note!r}")

    post()
    assert db.sql("select * from private.check_ledger()") == []


def test_a_signed_cinetpay_notification_of_any_form_is_a_json_answer(service, known):
    fields = st.dictionaries(
        st.sampled_from(["cpm_trans_id", "cpm_amount", "cpm_currency", "cpm_custom", "signature"])
        | st.text(max_size=8),
        st.sampled_from(known) | st.text(max_size=40),
    )

    @SETTINGS
    @given(form=fields)
    def post(form):
        form = {"cpm_site_id": cinetpay_fake.SITE_ID, **form}
        response = service.post(
            "/webhooks/cinetpay", data=form, headers={"x-token": cinetpay_fake.x_token(form)}
        )
        assert_clean(response, f"cinetpay {form!r}", retry_allowed=True)

    post()


# Known shapes, named --------------------------------------------------------------------------


def sign_media(service, token: str, body: Any) -> Any:
    return service.post(
        "/media/signature", data=json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target": ["document"]}, "target"),
        ({"target": {"kind": "avatar"}}, "target"),
        ({"target": None}, "target"),
        ({"target": "document", "campaign_id": [], "document_type": "x"}, "campaign_id"),
        ({"target": "document", "campaign_id": str(uuid.uuid4()), "document_type": 7},
         "document_type"),
        ({"campaign_id": {"id": 1}, "resource_type": "image"}, "campaign_id"),
        ({"target": "avatar", "extra": 1}, "extra"),
    ],
)  # fmt: skip
def test_a_media_signature_request_of_the_wrong_shape_is_a_422_naming_the_field(
    service, owner, body, field
):
    response = sign_media(service, owner.token, body)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()
    assert error["message"] == "invalid_request"
    assert field in [d["field"] for d in error["details"]]


@pytest.mark.parametrize("body", ["[]", '"document"', "null", "{", "nope"])
def test_a_media_signature_body_that_is_not_an_object_is_a_400(service, owner, body):
    response = service.post(
        "/media/signature", data=body, content_type="application/json",
        headers={"Authorization": f"Bearer {owner.token}"},
    )  # fmt: skip
    assert (response.status_code, response.get_json()["message"]) == (400, "invalid_json")


def test_a_campaign_target_may_be_named(service, owner, campaign):
    body = {"target": "campaign", "campaign_id": str(campaign["id"]), "resource_type": "image"}
    assert sign_media(service, owner.token, body).status_code == 200


@pytest.mark.parametrize(
    ("note", "field"),
    [
        ({"notification_type": ["upload"]}, "notification_type"),
        ({"notification_type": "upload", "public_id": ["x"], "resource_type": "image"}, "public_id"),
        ({"notification_type": "upload", "public_id": "x", "resource_type": "image",
          "bytes": 10**30}, "bytes"),
        ({"notification_type": "upload", "public_id": "x", "resource_type": "image",
          "context": "campaign_id=1"}, "context"),
        ({"notification_type": "delete", "resources": {"public_id": "x"}}, "resources"),
        ({"notification_type": "moderation", "public_id": None}, "public_id"),
    ],
)  # fmt: skip
def test_a_signed_cloudinary_notification_of_the_wrong_shape_is_a_422_and_writes_nothing(
    db, service, note, field
):
    body = json.dumps(note)
    response = service.post(
        "/webhooks/cloudinary", data=body, content_type="application/json",
        headers=cloudinary_headers(body),
    )  # fmt: skip
    assert response.status_code == 422, response.get_json()
    assert field in {d["field"].split(".")[0] for d in response.get_json()["details"]}
    assert webhook_writes(db) == 0
    assert db.sql("select 1 from public.campaign_media") == []


@pytest.mark.parametrize(
    "signature",
    ["é" * 40, "\xff" * 64, "t=1,v1=é", "x" * 5000],
)
def test_a_signature_header_of_any_characters_is_refused_cleanly(db, service, signature):
    body = json.dumps({"notification_type": "upload"})
    ts = str(int(time.time()))
    for headers in (
        {"X-Cld-Timestamp": ts, "X-Cld-Signature": signature},
        {"Stripe-Signature": signature},
        {"x-token": signature},
    ):
        for path in sorted(SIGNED_WEBHOOKS):
            response = service.post(
                path, data=body, content_type="application/json", headers=headers
            )
            assert response.status_code in (400, 401), (path, response.get_json())
            assert response.get_json()["message"]
    assert webhook_writes(db) == 0


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer é", "Basic abc", "Bearer a.b.c", "Bearer " + "x" * 5000, "bearer  \t "],
)
def test_a_malformed_authorization_header_is_a_401(service, campaign, authorization):
    body = {"campaign_id": str(campaign["id"]), "resource_type": "image"}
    response = service.post("/media/signature", json=body, headers={"Authorization": authorization})
    assert response.status_code == 401, response.get_json()
    assert response.get_json()["message"] == "invalid_token"


def checkout_shapes() -> list[tuple[dict[str, Any], str]]:
    good: dict[str, Any] = {"campaign_id": str(uuid.uuid4()), "amount": 5000, "currency": "XOF"}
    return [
        ({**good, "campaign_id": ["x"]}, "campaign_id"),
        ({**good, "amount": {"value": 5000}}, "amount"),
        ({**good, "currency": None}, "currency"),
        ({**good, "provider": ["stripe"]}, "provider"),
        ({**good, "is_anonymous": "yes"}, "is_anonymous"),
    ]


@pytest.mark.parametrize(("body", "field"), checkout_shapes())
def test_the_checkout_names_the_field_of_the_wrong_shape(db, service, body, field):
    response = service.post("/donations/checkout", json=body)
    assert response.status_code == 422
    assert field in [d["field"] for d in response.get_json()["details"]]
    assert db.sql("select 1 from public.donations") == []


@pytest.mark.parametrize("body", ["nope", "[1, 2]", "{", "", "null", '"event"', "[" * 5000])
def test_a_signed_body_that_is_not_a_json_object_is_a_400_and_writes_nothing(db, service, body):
    stripe = service.post(
        "/webhooks/stripe", data=body, content_type="application/json",
        headers={"Stripe-Signature": sf.sign(body.encode())},
    )  # fmt: skip
    cloudinary_ = service.post(
        "/webhooks/cloudinary", data=body, content_type="application/json",
        headers=cloudinary_headers(body),
    )  # fmt: skip
    for response in (stripe, cloudinary_):
        assert response.status_code == 400, response.get_json()
        assert response.get_json()["message"] in ("invalid_payload", "invalid_json")
    assert webhook_writes(db) == 0
