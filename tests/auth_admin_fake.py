"""Supabase Auth's admin API, served locally for tests: records each request
and answers as GoTrue does (the user object). A ``ban_duration`` that Go's
time.ParseDuration would not read ("7d": Go has no days) is refused as GoTrue
refuses it (400, validation_failed). Given a GoTrue emulation (tests/
gotrue.py), DELETE /admin/users/<id> deletes the user as GoTrue does (hard, or
soft with should_soft_delete), and answers {} (200) or 404."""

from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.gotrue import GoTrue


# Go's time.ParseDuration: an optional sign, then numbers with units (or "0").
GO_DURATION = re.compile(r"[-+]?(0|(([0-9]*\.)?[0-9]+(ns|us|µs|ms|s|m|h))+)")


def bad_ban_duration(body: dict[str, Any]) -> bool:
    duration = body.get("ban_duration")
    return bool(duration) and duration != "none" and not GO_DURATION.fullmatch(duration)


class FakeAuthAdmin:
    def __init__(self, gotrue: GoTrue | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.gotrue = gotrue
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, answer: dict[str, Any]) -> None:
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_DELETE(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(
                    {
                        "method": "DELETE",
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                user_id = uuid.UUID(self.path.rsplit("/", 1)[-1])
                soft = bool(body.get("should_soft_delete"))
                if (
                    fake.status == 200
                    and fake.gotrue
                    and fake.gotrue.delete_user(user_id, soft=soft)
                ):
                    self._answer(200, {})
                else:
                    status = 404 if fake.status == 200 else fake.status
                    self._answer(
                        status,
                        {"code": status, "error_code": "user_not_found", "msg": "User not found"},
                    )

            def do_PUT(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(
                    {
                        "method": "PUT",
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                user_id = self.path.rsplit("/", 1)[-1]
                if bad_ban_duration(body):
                    self._answer(
                        400,
                        {"code": 400, "error_code": "validation_failed",
                         "msg": "invalid format for ban duration"},
                    )  # fmt: skip
                    return
                now = datetime.now(UTC).isoformat()
                answer = (
                    {"id": user_id, "aud": "authenticated", "role": "authenticated",
                     "app_metadata": {}, "user_metadata": {}, "created_at": now, "updated_at": now}
                    if fake.status == 200
                    else {"code": fake.status, "error_code": "user_not_found", "msg": "User not found"}
                )  # fmt: skip
                data = json.dumps(answer).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeAuthAdmin:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
