"""The one outbound HTTP client: fulfilment notifications now, partner webhooks next.

Every request to a URL a partner typed goes through :func:`post`, which

* parses the URL once (:func:`parse`): https only, no userinfo, no backslashes, whitespace or
  control characters, a host that is a DNS name or a canonical IP literal (``2130706433``,
  ``0177.0.0.1`` and ``0x7f.1`` are read the way the C library would read them and refused);
* resolves the host name once (``socket.getaddrinfo``) and refuses the request when any address
  is not a public unicast address (:func:`address_allowed`: private, loopback, link-local,
  multicast, reserved, unspecified, CGNAT, site-local, IPv4-mapped/-compatible, 6to4, Teredo and
  NAT64 ranges, IPv4 and IPv6);
* connects to that checked address itself (a urllib3 pool pinned to the IP), sending SNI and
  ``Host`` for the host name and verifying the certificate against the host name;
* never follows redirects, reads at most ``max_bytes`` of the answer within a total deadline, and
  reports every network failure with one message (:data:`COULD_NOT_DELIVER`), so the delivery log
  cannot be used to map our network (closed, filtered, plain-HTTP and refused addresses all read
  the same).

A 3xx/4xx/5xx answer is returned, not raised: the caller decides what a status means.

Tests only: ``OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS = True`` lets requests reach loopback addresses
(and plain ``http://`` on a loopback literal) so a test can run a receiver on 127.0.0.1. It is
honoured only when ``settings.TESTING`` is true, which only ``config/settings/test.py`` sets;
neither is read from the environment, so production cannot inherit it.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import certifi
import urllib3
from django.conf import settings
from django.utils.translation import gettext_lazy

DEFAULT_MAX_BYTES = 64 * 1024
DEFAULT_TIMEOUT = 10.0
MAX_URL_LENGTH = 2048

# Messages (module constants so tests and callers compare against them).
INVALID_URL = gettext_lazy("Enter a valid https URL.")
HTTPS_ONLY = gettext_lazy("The URL must use https.")
NOT_PUBLIC = gettext_lazy("The URL must be a public address.")
COULD_NOT_DELIVER = gettext_lazy("Could not deliver to the endpoint.")

_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x20\x7f\\]")
_BLOCKED_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


class OutboundError(Exception):
    """A request that was refused or failed; ``message`` is safe to log and to show the partner."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    body: bytes
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """A parsed URL: exactly what will be connected to and sent."""

    scheme: str
    host: str  # lower-case ASCII (IDNA) name, or an IP literal without brackets
    port: int
    request_target: str  # path and query, percent-encoded
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None  # set when the host is an IP literal

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if isinstance(self.ip, ipaddress.IPv6Address) else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


# --- settings -------------------------------------------------------------------------------------
def loopback_allowed() -> bool:
    """The test-only switch; see the module docstring."""
    return bool(getattr(settings, "TESTING", False)) and bool(
        getattr(settings, "OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS", False)
    )


# --- addresses ------------------------------------------------------------------------------------
def _legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """What ``inet_aton`` makes of ``host`` (1 to 4 parts, each decimal, octal with a leading 0 or
    hex with 0x), or None when it is not such a number."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMERIC_LABEL.match(p) for p in parts):
        return None
    try:
        numbers = [
            int(p, 16) if p.startswith("0x") else int(p, 8) if len(p) > 1 and p.startswith("0") else int(p)
            for p in parts
        ]
    except ValueError:
        return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        return None
    value = 0
    for n in head:
        value = value * 256 + n
    value = value * 256 ** (4 - len(head)) + last
    return ipaddress.IPv4Address(value)


def address_allowed(address) -> bool:
    """True for a public unicast address we may connect to."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if loopback_allowed() and ip.is_loopback:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None or ip.sixtofour is not None or ip.teredo is not None:
            return False
        if ip.is_site_local or any(ip in net for net in _NAT64):
            return False
        if ip.scope_id:
            return False
    elif ip in _CGNAT:
        return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


# --- parsing --------------------------------------------------------------------------------------
def parse(url: str) -> Target:
    """The one parser; raises :class:`OutboundError` with a form-ready message."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH or _FORBIDDEN_CHARS.search(url):
        raise OutboundError(INVALID_URL)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise OutboundError(INVALID_URL) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise OutboundError(INVALID_URL)
    netloc = parts.netloc
    if not netloc or "@" in netloc or parts.username is not None or parts.password is not None:
        raise OutboundError(INVALID_URL)
    host = parts.hostname or ""
    if not host:
        raise OutboundError(INVALID_URL)
    ip = None
    if netloc.startswith("["):
        if "%" in host:  # zone ids name local interfaces
            raise OutboundError(NOT_PUBLIC)
        try:
            ip = ipaddress.IPv6Address(host)
        except ValueError:
            raise OutboundError(INVALID_URL) from None
    else:
        host = host[:-1] if host.endswith(".") else host  # one trailing dot: the root
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise OutboundError(INVALID_URL) from None
        labels = host.split(".")
        if len(host) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
            raise OutboundError(INVALID_URL)
        if _NUMERIC_LABEL.match(labels[-1]):  # no top-level domain is a number: an IPv4 literal
            legacy = _legacy_ipv4(host)
            if legacy is None:
                raise OutboundError(INVALID_URL)
            if str(legacy) != host:  # 2130706433, 0177.0.0.1, 0x7f.1 …: refused in any case
                raise OutboundError(INVALID_URL if address_allowed(legacy) else NOT_PUBLIC)
            ip = legacy
    if port is None:
        port = 443 if scheme == "https" else 80
    if not 0 < port < 65536:
        raise OutboundError(INVALID_URL)
    if ip is None and (host == "localhost" or host.endswith(_BLOCKED_SUFFIXES)) and not loopback_allowed():
        raise OutboundError(NOT_PUBLIC)
    if ip is not None and not address_allowed(ip):
        raise OutboundError(NOT_PUBLIC)
    if scheme != "https" and not (loopback_allowed() and ip is not None and ip.is_loopback):
        raise OutboundError(HTTPS_ONLY)
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return Target(
        scheme=scheme,
        host=str(ip) if ip is not None else host,
        port=port,
        request_target=path + (f"?{query}" if query else ""),
        ip=ip,
    )


def url_problem(url: str) -> str | None:
    """Why ``url`` may not be used (for form validation), or None. The host name is not looked up
    here; :func:`post` resolves and checks it again on every request."""
    try:
        parse(url)
    except OutboundError as error:
        return error.message
    return None


def resolve(target: Target) -> str:
    """The one address to connect to; every address the name resolves to must be allowed."""
    if target.ip is not None:
        return str(target.ip)
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise OutboundError(COULD_NOT_DELIVER) from None
    addresses = []
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]
        if not address_allowed(address):
            raise OutboundError(COULD_NOT_DELIVER)
        addresses.append(address)
    if not addresses:
        raise OutboundError(COULD_NOT_DELIVER)
    return addresses[0]


# --- sending --------------------------------------------------------------------------------------
def _pool(target: Target, address: str, timeout: float):
    connect = min(timeout, 5.0)
    kwargs = {
        "host": address,
        "port": target.port,
        "timeout": urllib3.Timeout(connect=connect, read=timeout),
        "retries": False,
        "maxsize": 1,
        "block": False,
    }
    if target.scheme == "http":
        return urllib3.HTTPConnectionPool(**kwargs)
    return urllib3.HTTPSConnectionPool(
        **kwargs,
        cert_reqs="CERT_REQUIRED",
        ca_certs=certifi.where(),
        server_hostname=target.host if target.ip is None else None,
        assert_hostname=target.host,
    )


def post(
    url: str,
    *,
    body: bytes,
    headers: dict,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> OutboundResponse:
    """POST ``body`` to ``url``; see the module docstring. Raises :class:`OutboundError`."""
    target = parse(url)
    address = resolve(target)
    deadline = time.monotonic() + timeout
    sent_headers = {k: v for k, v in headers.items() if k.lower() not in ("host", "content-length")}
    sent_headers.update({"Host": target.host_header, "Accept-Encoding": "identity", "Connection": "close"})
    pool = _pool(target, address, timeout)
    try:
        response = pool.urlopen(
            "POST",
            target.request_target,
            body=body,
            headers=sent_headers,
            redirect=False,
            retries=False,
            assert_same_host=False,
            preload_content=False,
            decode_content=False,
        )
        try:
            chunks, size = [], 0
            while size <= max_bytes and time.monotonic() < deadline:
                chunk = response.read(min(8192, max_bytes + 1 - size), decode_content=False)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            return OutboundResponse(
                status=response.status,
                body=b"".join(chunks)[:max_bytes],
                headers={k.lower(): v for k, v in response.headers.items()},
            )
        finally:
            response.release_conn()
            response.close()
    except (urllib3.exceptions.HTTPError, OSError, ValueError):
        raise OutboundError(COULD_NOT_DELIVER) from None
    finally:
        pool.close()
