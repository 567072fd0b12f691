"""A local Cloudinary Admin API (list and delete a folder's assets), for
`cagnotte-admin media purge-orphans` run in process or in a terminal."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeAdminApi:
    """GET and DELETE /v1_1/<cloud>/resources/<type>/upload, two assets per page."""

    def __init__(self, assets):
        self.assets = assets
        self.requests = []

    def serve(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, body):
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def handle_call(self, method):
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                query = parse_qs(url.query)
                if body.startswith("{"):  # the Admin API client sends JSON bodies
                    query |= {
                        k: v if isinstance(v, list) else [str(v)]
                        for k, v in json.loads(body).items()
                    }
                else:
                    query |= parse_qs(body)
                fake.requests.append((method, url.path, query, self.headers.get("Authorization")))
                resource_type = url.path.split("/")[4]
                if method == "GET":
                    mine = [a for a in fake.assets if a["resource_type"] == resource_type]
                    start = int(query.get("next_cursor", ["0"])[0])
                    page = {"resources": mine[start : start + 2]}
                    if start + 2 < len(mine):
                        page["next_cursor"] = str(start + 2)
                    return self.reply(page)
                ids = query.get("public_ids", query.get("public_ids[]", []))
                fake.assets = [a for a in fake.assets if a["public_id"] not in ids]
                return self.reply({"deleted": dict.fromkeys(ids, "deleted")})

            def do_GET(self):
                self.handle_call("GET")

            def do_DELETE(self):
                self.handle_call("DELETE")

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


def asset(public_id, resource_type="image", age_hours=48):
    created = (datetime.now(UTC) - timedelta(hours=age_hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "public_id": public_id,
        "resource_type": resource_type,
        "bytes": 1000,
        "created_at": created,
    }
