"""Cloudinary: signed direct uploads, and signed upload notifications turned into
the media rows the database allows."""

from __future__ import annotations

import hmac
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

import cloudinary.utils
from flask import Blueprint, current_app, jsonify, request
from pydantic import BaseModel, ConfigDict, Field

from webhooks.auth import optional_user_id
from webhooks.config import Settings
from webhooks.db import connection
from webhooks.errors import ApiError, ServiceUnavailable
from webhooks.validation import Int32, Int64, json_object, parse, parse_json

bp = Blueprint("cloudinary", __name__)

FORMATS = {
    "image": "jpg,jpeg,png,webp,heic",
    "video": "mp4,mov,webm",
    "document": "pdf,jpg,jpeg,png,heic",
}
NOTIFICATION_MAX_AGE = 2 * 3600  # seconds, as Cloudinary's own default
CLOCK_SKEW = 300


class UploadTarget(BaseModel):
    """What the signature is for (a campaign's media unless said)."""

    model_config = ConfigDict(extra="allow")
    target: Literal["campaign", "avatar", "document", "offline_slip", "justification"] = "campaign"


class CampaignUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: Literal["campaign"] = "campaign"
    campaign_id: uuid.UUID
    resource_type: Literal["image", "video"]


class AvatarUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: Literal["avatar"]


class DocumentUpload(BaseModel):
    """A proof for a payout (hospital letter…): private at Cloudinary."""

    model_config = ConfigDict(extra="forbid")
    target: Literal["document"]
    campaign_id: uuid.UUID
    document_type: str


class OfflineSlipUpload(BaseModel):
    """The photo of an offline gift's cash receipt or agent slip, by a treasurer
    (record_offline_gift then takes its public_id): private at Cloudinary."""

    model_config = ConfigDict(extra="forbid")
    target: Literal["offline_slip"]
    campaign_id: uuid.UUID


class JustificationUpload(BaseModel):
    """What a paid payout paid for: a receipt (private at Cloudinary), or its
    redacted image for the public (public: under the folder's public/)."""

    model_config = ConfigDict(extra="forbid")
    target: Literal["justification"]
    campaign_id: uuid.UUID
    visibility: Literal["receipt", "public"] = "receipt"


UPLOADS: dict[str, type[BaseModel]] = {
    "campaign": CampaignUpload,
    "avatar": AvatarUpload,
    "document": DocumentUpload,
    "offline_slip": OfflineSlipUpload,
    "justification": JustificationUpload,
}


# Cloudinary's notifications: the fields read, typed; the others are ignored.
class NotificationType(BaseModel):
    notification_type: str | None = None


class UploadContext(BaseModel):
    class Custom(BaseModel):
        campaign_id: str | None = None

    custom: Custom | None = None


class UploadNotification(BaseModel):
    public_id: str
    resource_type: str
    bytes: Int64 | None = None
    width: Int32 | None = None
    height: Int32 | None = None
    duration: float | None = Field(None, allow_inf_nan=False, ge=-1e15, le=1e15)
    context: UploadContext | None = None


class DeletedResource(BaseModel):
    public_id: str


class DeleteNotification(BaseModel):
    resources: list[DeletedResource] | None = None


class ModerationNotification(BaseModel):
    public_id: str
    moderation_status: str | None = None


NOTIFICATIONS: dict[str, type[BaseModel]] = {
    "upload": UploadNotification,
    "delete": DeleteNotification,
    "moderation": ModerationNotification,
}


class SignedUpload(BaseModel):
    """One direct upload to Cloudinary, signed (POST /media/signature)."""

    upload_url: str
    cloud_name: str
    api_key: str
    timestamp: int
    signature: str
    fields: dict[str, str | int] = Field(
        description="The multipart fields to send with the file, exactly."
    )
    limits: dict[str, Any] = Field(description="The database's limits (private.media_limits).")


def _credentials(settings: Settings) -> tuple[str, str, str]:
    if settings.cloudinary is None:
        raise ServiceUnavailable("media uploads are not configured (CLOUDINARY_URL)")
    return settings.cloudinary


@dataclass(frozen=True)
class UploadPlan:
    """Where one upload goes and what it may be: the file types (FORMATS), the
    folder, tags and context, extra signed parameters, the database's limits."""

    kind: str
    resource_type: str
    folder: str
    tags: str
    context: str
    extra: dict[str, Any]
    limits: dict[str, Any]


# Proofs (a campaign's document, an offline gift's slip, a justification's
# receipt): the database function that says who may upload one (it raises
# otherwise), the folder under which it lives, and its tag. All are private at
# Cloudinary (type authenticated: signed URLs only), and the team then records
# the uploaded public_id through the API (no media row is made).
PROOFS: dict[type[BaseModel], tuple[str, str, str]] = {
    DocumentUpload: ("private.authorize_document_upload(%s, %s, %s)", "documents", "document"),
    OfflineSlipUpload: ("private.assert_offline_gift_recorder(%s, %s)", "offline", "offline"),
    JustificationUpload: (
        "private.authorize_justification_upload(%s, %s)",
        "justifications",
        "justification",
    ),
}


def _proof_plan(user_id: uuid.UUID, upload: Any) -> UploadPlan:
    authorize, folder, tag = PROOFS[type(upload)]
    args = [user_id, upload.campaign_id]
    context = f"campaign_id={upload.campaign_id}"
    if isinstance(upload, DocumentUpload):
        args.append(upload.document_type)
        context += f"|document_type={upload.document_type}"
    with connection() as conn:
        limits = conn.execute(
            f"select {authorize}, private.media_limits('document') as limits", args
        ).fetchone()["limits"]
    folder = f"africagnotte/{folder}/{upload.campaign_id}"
    extra: dict[str, Any] = {"type": "authenticated"}
    if isinstance(upload, JustificationUpload) and upload.visibility == "public":
        folder, extra = folder + "/public", {}  # the redacted image the public sees
    tags = f"africagnotte,{tag}_{upload.campaign_id}"
    # PDFs and photos: Cloudinary's image type
    return UploadPlan("document", "image", folder, tags, context, extra, limits)


def _media_plan(user_id: uuid.UUID, upload: Any, settings: Settings) -> UploadPlan:
    """A campaign's photo or video, or an avatar: public, registered when
    Cloudinary notifies the upload (/webhooks/cloudinary)."""
    if isinstance(upload, AvatarUpload):
        resource_type, campaign_id = "image", None
        folder = f"africagnotte/avatars/{user_id}"
        tags, context = "africagnotte,avatar", f"user_id={user_id}"
    else:
        resource_type, campaign_id = upload.resource_type, upload.campaign_id
        folder = f"africagnotte/campaigns/{campaign_id}"
        tags, context = f"africagnotte,campaign_{campaign_id}", f"campaign_id={campaign_id}"
    with connection() as conn:
        limits = conn.execute(
            "select private.authorize_media_upload(%s, %s, %s) as limits",
            [user_id, campaign_id, resource_type],
        ).fetchone()["limits"]
    notify = f"{str(settings.public_base_url).rstrip('/')}/webhooks/cloudinary"
    return UploadPlan(
        resource_type, resource_type, folder, tags, context, {"notification_url": notify}, limits
    )


@bp.post("/media/signature")
def media_signature():
    """The parameters of one direct upload, signed: the browser can upload this
    file type to this folder, with these tags, and nowhere else."""
    settings: Settings = current_app.config["SETTINGS"]
    cloud, api_key, api_secret = _credentials(settings)
    user_id = optional_user_id()
    if user_id is None:
        raise ApiError("sign_in_required", "sign in to upload")
    upload = parse_json(UPLOADS[parse_json(UploadTarget).target])
    plan = (
        _proof_plan(user_id, upload)
        if type(upload) in PROOFS
        else _media_plan(user_id, upload, settings)
    )
    params = {
        "timestamp": int(time.time()),
        "folder": plan.folder,
        "tags": plan.tags,
        "context": plan.context,
        "allowed_formats": FORMATS[plan.kind],
        **plan.extra,
    }
    signature = cloudinary.utils.api_sign_request(params, api_secret)
    return jsonify(
        upload_url=f"https://api.cloudinary.com/v1_1/{cloud}/{plan.resource_type}/upload",
        cloud_name=cloud,
        api_key=api_key,
        timestamp=params["timestamp"],
        signature=signature,
        # the multipart fields to send with the file, exactly
        fields={**params, "api_key": api_key, "signature": signature},
        # the database's limits (private.media_limits), which private.register_media
        # applies when Cloudinary notifies the upload: the browser checks first
        limits=plan.limits,
    )


def verify_notification(
    body: str, timestamp: str | None, signature: str | None, secret: str
) -> None:
    """X-Cld-Signature is the hash of body + timestamp + API secret (Cloudinary's
    scheme, computed by its library); compared in constant time, bounded in age."""
    if not timestamp or not signature:
        raise ApiError("missing_signature", "X-Cld-Signature and X-Cld-Timestamp required")
    try:
        sent = int(timestamp)
    except ValueError:
        raise ApiError("invalid_signature", "invalid X-Cld-Timestamp") from None
    now = time.time()
    if sent < now - NOTIFICATION_MAX_AGE or sent > now + CLOCK_SKEW:
        raise ApiError("invalid_signature", "notification too old (or from the future)")
    algorithm = "sha256" if len(signature) == 64 else "sha1"
    expected = cloudinary.utils.compute_hex_hash(f"{body}{timestamp}{secret}", algorithm)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise ApiError("invalid_signature", "invalid signature")


def read_notification(body: str) -> BaseModel | None:
    """A verified notification's body as its model; None for a type we ignore
    (400 when not a JSON object, 422 when a field read has the wrong shape)."""
    note = json_object(body)
    model = NOTIFICATIONS.get(parse(NotificationType, note).notification_type or "")
    return parse(model, note) if model else None


def apply_notification(note: BaseModel | None, signature: str) -> str:
    with connection() as conn, conn.transaction():
        first = conn.execute(
            "select private.first_media_notification(%s) as r", [signature]
        ).fetchone()["r"]
        return _apply(conn, note) if first else "duplicate"


def _apply(conn, note: BaseModel | None) -> str:
    if isinstance(note, UploadNotification):
        custom = note.context.custom if note.context else None
        hint = custom.campaign_id if custom else None
        try:
            hint = str(uuid.UUID(hint)) if hint else None
        except ValueError:
            return "refused: invalid campaign_id in context"
        if note.resource_type not in ("image", "video"):
            return "refused: neither image nor video"
        return conn.execute(
            "select private.register_media(%s, %s, %s, %s, %s, %s::numeric, %s) as r",
            [note.public_id, note.resource_type, note.bytes, note.width, note.height,
             note.duration, hint],
        ).fetchone()["r"]  # fmt: skip
    if isinstance(note, DeleteNotification):
        outcomes = [
            conn.execute("select private.remove_media(%s) as r", [r.public_id]).fetchone()["r"]
            for r in note.resources or []
        ]
        return "removed" if "removed" in outcomes else "unknown"
    if isinstance(note, ModerationNotification):
        status = note.moderation_status
        if status not in ("rejected", "approved"):
            return "ignored"
        return conn.execute(
            "select private.hide_media(%s, %s) as r", [note.public_id, status == "rejected"]
        ).fetchone()["r"]
    return "ignored"


@bp.post("/webhooks/cloudinary")
def cloudinary_webhook():
    settings: Settings = current_app.config["SETTINGS"]
    _cloud, _key, secret = _credentials(settings)
    body = request.get_data(cache=False, as_text=True)
    verify_notification(
        body, request.headers.get("X-Cld-Timestamp"), request.headers.get("X-Cld-Signature"), secret
    )
    note = read_notification(body)  # only once verified
    outcome = apply_notification(note, request.headers["X-Cld-Signature"])
    return jsonify(received=True, outcome=outcome)
