"""core.outbound: the SSRF-proof client. Receivers are real servers on 127.0.0.1 (the test-only
loopback switch on); host names are resolved by a patched ``socket.getaddrinfo`` (the OS's
resolver, not our code)."""

import contextlib
import datetime
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import certifi
import pytest

from core import outbound

PUBLIC_REFUSED = "The URL must be a public address."
INVALID = "Enter a valid https URL."
GENERIC = "Could not deliver to the endpoint."


@pytest.fixture(autouse=True)
def _english(english):
    yield


@pytest.fixture
def loopback(settings):
    settings.OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS = True


class Server:
    """A receiver on 127.0.0.1; ``answer(handler)`` writes the response."""

    def __init__(self, answer=None, *, tls_cert=None):
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                (answer or Server.ok)(self)

            do_GET = do_POST  # noqa: N815 - a followed redirect would GET

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls_cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls_cert)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @staticmethod
    def ok(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        handler.wfile.write(b"ok")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _resolver(monkeypatch, mapping):
    """Patch the OS resolver: ``mapping`` host → list of addresses; returns the call log."""
    calls = []
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        calls.append(host)
        if host not in mapping:
            return real(host, port, *args, **kwargs)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in mapping[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return calls


@pytest.fixture
def tls_cert(tmp_path, monkeypatch):
    """A self-signed certificate for hooks.partner.test, trusted through certifi's bundle path."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hooks.partner.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("hooks.partner.test")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    monkeypatch.setattr(certifi, "where", lambda: str(cert_path))
    return str(cert_path), str(key_path)


# --- the parser ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https://172.16.0.1/x",
        "https://192.168.1.20/x",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/x",  # CGNAT
        "https://224.0.0.1/x",  # multicast
        "https://240.0.0.1/x",  # reserved
        "https://0.0.0.0/x",
        "https://2130706433/x",  # 127.0.0.1 in decimal
        "https://0177.0.0.1/x",  # octal
        "https://0x7f.1/x",  # hex, two parts
        "https://0x7f000001/x",
        "https://127.1/x",
        "https://017700000001/x",
        "https://[::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://[::ffff:8.8.8.8]/x",  # IPv4-mapped: refused whatever it maps
        "https://[::]/x",
        "https://[fe80::1]/x",
        "https://[fc00::1]/x",
        "https://[fec0::1]/x",
        "https://[ff02::1]/x",
        "https://[64:ff9b::7f00:1]/x",  # NAT64 of 127.0.0.1
        "https://[2002:7f00:1::1]/x",  # 6to4 of 127.0.0.1
        "https://localhost/x",
        "https://db.internal/x",
        "https://printer.local/x",
    ],
)
def test_non_public_addresses_are_refused(url):
    assert outbound.url_problem(url) == PUBLIC_REFUSED


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:8599\\@8.8.8.8/x",  # the case: urlsplit and requests disagreed
        "https://user:pw@hooks.example.com/x",
        "https://hooks.example.com@8.8.8.8/x",
        "https://hooks.example.com /x",
        "https://hooks.example.com/x y",
        "https://hooks.example.com\t/x",
        "https://hooks.example.com/\r\nX-Evil: 1",
        "ftp://hooks.example.com/x",
        "file:///etc/passwd",
        "gopher://hooks.example.com/x",
        "//hooks.example.com/x",
        "https:///x",
        "https://hooks.example.com:0/x",
        "https://hooks.example.com:99999/x",
        "https://[::1/x",
        "https://-bad-.example.com/x",
        "https://1.2.3.4.5/x",
        "https://08.8.8.8/x",
        "not a url",
        "",
    ],
)
def test_malformed_urls_are_refused(url):
    assert outbound.url_problem(url) == INVALID


def test_http_is_refused_and_public_https_accepted():
    assert outbound.url_problem("http://hooks.example.com/x") == "The URL must use https."
    for url in (
        "https://hooks.example.com/x?a=1",
        "https://8.8.8.8/x",
        "https://[2001:4860:4860::8888]/x",
        "https://HOOKS.Example.COM./x",
        "https://例子.中国/x",
    ):
        assert outbound.url_problem(url) is None, url


def test_the_loopback_switch_is_ignored_outside_test_settings(settings):
    settings.OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS = True
    assert outbound.url_problem("http://127.0.0.1:9/x") is None
    settings.TESTING = False
    assert outbound.url_problem("http://127.0.0.1:9/x") == PUBLIC_REFUSED
    assert outbound.url_problem("https://127.0.0.1:9/x") == PUBLIC_REFUSED
    # Even with the switch, plain http is only for a loopback literal.
    settings.TESTING = True
    assert outbound.url_problem("http://hooks.example.com/x") == "The URL must use https."
    assert outbound.url_problem("https://10.0.0.1/x") == PUBLIC_REFUSED


# --- resolving once and connecting to what was checked ---------------------------------------------
def test_a_host_name_resolving_to_a_private_address_is_refused_without_connecting(monkeypatch):
    calls = _resolver(monkeypatch, {"hooks.partner.test": ["10.0.0.5"]})
    assert outbound.url_problem("https://hooks.partner.test/x") is None  # no lookup at form time
    started = time.monotonic()
    with pytest.raises(outbound.OutboundError) as error:
        outbound.post("https://hooks.partner.test/x", body=b"{}", headers={}, timeout=5)
    assert error.value.message == GENERIC
    assert time.monotonic() - started < 1  # refused before any connection attempt
    assert calls == ["hooks.partner.test"]


def test_one_private_answer_among_public_ones_is_enough_to_refuse(monkeypatch):
    _resolver(monkeypatch, {"hooks.partner.test": ["8.8.8.8", "::ffff:127.0.0.1"]})
    with pytest.raises(outbound.OutboundError, match=GENERIC):
        outbound.post("https://hooks.partner.test/x", body=b"{}", headers={})


def test_the_checked_address_is_connected_with_the_host_name_verified(monkeypatch, loopback, tls_cert):
    """One lookup; the TLS connection goes to that address with SNI, Host and the certificate for
    the host name."""
    calls = _resolver(monkeypatch, {"hooks.partner.test": ["127.0.0.1"], "evil.partner.test": ["127.0.0.1"]})
    with Server(tls_cert=tls_cert) as server:
        response = outbound.post(
            f"https://hooks.partner.test:{server.port}/hook?x=1",
            body=b'{"a":1}',
            headers={"X-Symbio-Event": "entitlement.created", "Host": "evil.example.com"},
            timeout=5,
        )
        assert (response.status, response.body) == (200, b"ok")
        (request,) = server.requests
        assert request["path"] == "/hook?x=1" and request["body"] == b'{"a":1}'
        assert request["headers"]["Host"] == f"hooks.partner.test:{server.port}"
        assert request["headers"]["X-Symbio-Event"] == "entitlement.created"
        # The name is looked up once; the socket is opened on the checked address (a numeric lookup).
        assert calls[0] == "hooks.partner.test" and set(calls[1:]) == {"127.0.0.1"}

        # The same server under a name its certificate does not cover: refused, generic text.
        with pytest.raises(outbound.OutboundError) as error:
            outbound.post(f"https://evil.partner.test:{server.port}/hook", body=b"{}", headers={}, timeout=5)
        assert error.value.message == GENERIC
        assert len(server.requests) == 1


def test_redirects_are_not_followed(loopback):
    def redirect(handler):
        handler.send_response(302)
        handler.send_header("Location", "/elsewhere")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    with Server(redirect) as server:
        response = outbound.post(f"http://127.0.0.1:{server.port}/hook", body=b"{}", headers={}, timeout=5)
    assert response.status == 302 and response.headers["location"] == "/elsewhere"
    assert [r["path"] for r in server.requests] == ["/hook"]


def test_the_response_body_is_bounded(loopback):
    def huge(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(1024 * 1024))
        handler.end_headers()
        with contextlib.suppress(OSError):  # we hang up after 64 KiB
            handler.wfile.write(b"x" * 1024 * 1024)

    with Server(huge) as server:
        response = outbound.post(f"http://127.0.0.1:{server.port}/", body=b"{}", headers={}, timeout=5)
        assert len(response.body) == outbound.DEFAULT_MAX_BYTES == 64 * 1024
        small = outbound.post(f"http://127.0.0.1:{server.port}/", body=b"{}", headers={}, max_bytes=10)
        assert small.body == b"x" * 10


def test_a_silent_server_times_out_with_the_generic_message(loopback):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts (kernel backlog) and never answers
    try:
        started = time.monotonic()
        with pytest.raises(outbound.OutboundError, match=GENERIC):
            outbound.post(
                f"http://127.0.0.1:{listener.getsockname()[1]}/", body=b"{}", headers={}, timeout=0.5
            )
        assert time.monotonic() - started < 3
    finally:
        listener.close()


def test_error_text_does_not_tell_closed_ports_plain_http_and_refused_addresses_apart(
    monkeypatch, settings, loopback
):
    _resolver(monkeypatch, {"internal.partner.test": ["10.0.0.5"], "loop.partner.test": ["127.0.0.1"]})
    messages = {}
    with Server() as plain_http:
        attempts = {
            "closed port": f"http://127.0.0.1:{_closed_port()}/x",
            "closed port over https": f"https://127.0.0.1:{_closed_port()}/x",
            "plain-HTTP port over https": f"https://127.0.0.1:{plain_http.port}/x",
            "name resolving to a private address": "https://internal.partner.test/x",
            "name without certificate": f"https://loop.partner.test:{plain_http.port}/x",
        }
        for label, url in attempts.items():
            with pytest.raises(outbound.OutboundError) as error:
                outbound.post(url, body=b"{}", headers={}, timeout=2)
            messages[label] = error.value.message
        settings.OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS = False
        with pytest.raises(outbound.OutboundError) as error:
            outbound.post(f"https://loop.partner.test:{plain_http.port}/x", body=b"{}", headers={}, timeout=2)
        messages["name resolving to loopback"] = error.value.message
    assert set(messages.values()) == {GENERIC}, messages
