"""A local JSON HTTP server for the providers' fakes (Stripe, CinetPay): each
request is parsed (form or JSON body, query) and answered by a route function."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]
    query: dict[str, str]
    json: Any = None


Route = Callable[[Request], tuple[int, dict[str, Any]]]


def serve(route: Route) -> tuple[ThreadingHTTPServer, str]:
    """Serve ``route`` on a free local port, in a daemon thread; the server and its URL."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            is_json = "json" in (self.headers.get("Content-Type") or "")
            try:
                payload = json.loads(body) if is_json and body else None
            except ValueError:
                payload = None
            req = Request(
                method=method,
                path=parts.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                form={} if is_json else dict(parse_qsl(body, keep_blank_values=True)),
                query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                json=payload,
            )
            status, answer = route(req)
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_" + uuid.uuid4().hex[:12])
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
