"""The stand-in's HTTP server: ``POST /v1/transfers`` and ``GET /v1/transfers/<id>``."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from billing.stripe_standin import recordings


class StandIn:
    """A loopback server answering with the recordings.

    ``state`` is what tests look at and steer: ``state["requests"]`` keeps every request as
    (path, form fields, Idempotency-Key); ``state["refuse"] = True`` refuses every transfer with
    Stripe's recorded ``balance_insufficient`` error. ``transfer_id`` gives every transfer that id
    (the tests' recorded one); by default each Idempotency-Key gets its own, derived from the key,
    so distinct payouts get distinct transfers (our ledger posts one entry per Stripe object)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, transfer_id: str = "", refuse=False):
        self.state = {"requests": [], "refuse": refuse}
        self.transfer_id = transfer_id
        self._answers: dict[str, tuple[int, dict]] = {}  # Idempotency-Key -> first answer
        self._transfers: dict[str, dict] = {}
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self._thread: threading.Thread | None = None
        self.verbose = False  # log each request (the command-line server does)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StandIn:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def close(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
        self.server.server_close()

    # --- answers ------------------------------------------------------------------------------
    def _new_id(self, key: str | None) -> str:
        if self.transfer_id:
            return self.transfer_id
        seed = key or f"no-key-{len(self._transfers)}"
        return "tr_1" + hashlib.sha256(seed.encode()).hexdigest()[:23]

    def answer_post(self, path: str, fields: dict, key: str | None) -> tuple[int, dict]:
        with self._lock:
            self.state["requests"].append((path, fields, key))
            if key and key in self._answers:  # Stripe replays the first answer to a key
                return self._answers[key]
            if path != "/v1/transfers":
                return 404, recordings.unrecognized_url("POST", path)
            for name in ("amount", "currency", "destination"):
                if not fields.get(name):
                    return 400, recordings.missing_parameter(name)
            if self.state["refuse"]:
                answer = (400, recordings.INSUFFICIENT)
            else:
                body = recordings.transfer_body(fields, self._new_id(key))
                self._transfers[body["id"]] = body
                answer = (200, body)
            if key:
                self._answers[key] = answer
            return answer

    def answer_get(self, path: str) -> tuple[int, dict]:
        prefix = "/v1/transfers/"
        if not path.startswith(prefix):
            return 404, recordings.unrecognized_url("GET", path)
        transfer_id = path[len(prefix) :]
        with self._lock:
            if transfer_id in self._transfers:
                return 200, self._transfers[transfer_id]
        return 404, recordings.no_such_transfer(transfer_id)

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's API
                length = int(self.headers.get("Content-Length") or 0)
                fields = parse_qs(self.rfile.read(length).decode())
                path = self.path.split("?")[0]
                self._send(*standin.answer_post(path, fields, self.headers.get("Idempotency-Key")))

            def do_GET(self):  # noqa: N802
                self._send(*standin.answer_get(self.path.split("?")[0]))

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Request-Id", "req_standin")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):  # noqa: A002 - http.server's API
                if standin.verbose:
                    super().log_message(format, *args)

        return Handler
