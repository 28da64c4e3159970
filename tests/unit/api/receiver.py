"""A real HTTP webhook receiver on 127.0.0.1 for the tests (core.outbound reaches loopback only
under test settings with ``OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS``)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Answers each POST with ``self.status`` and records (headers, body)."""

    def __init__(self):
        self.status = 200
        self.requests = []
        self.accepted = []  # webhook-ids answered with a 2xx, in order
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.requests.append((headers, body))
                if 200 <= receiver.status < 300:
                    receiver.accepted.append(headers.get("webhook-id"))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
