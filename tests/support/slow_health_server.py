"""An HTTP server whose first answers to GET /healthz are slow: gunicorn as a
loaded machine shows it to the health wait (a worker booting, the cores busy).

    python -m tests.support.slow_health_server PORT DELAY_SECONDS SLOW_ANSWERS

The first SLOW_ANSWERS requests wait DELAY_SECONDS before answering 200; the
next ones answer at once. Each request on its own thread, so a slow answer
does not hold the next one back.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def handler(delay: float, slow_answers: int) -> type[BaseHTTPRequestHandler]:
    counter = itertools.count()
    lock = threading.Lock()

    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with lock:
                rank = next(counter)
            if rank < slow_answers:
                time.sleep(delay)
            body = b'{"status": "ok"}'
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                pass

        def log_message(self, *args: object) -> None:
            pass

    return Health


def main() -> None:
    port, delay, slow_answers = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    ThreadingHTTPServer(("127.0.0.1", port), handler(delay, slow_answers)).serve_forever()


if __name__ == "__main__":
    main()
