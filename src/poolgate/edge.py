"""Checks at the server's edge, before any plane sees a request.

- **Host names in local mode.** A local-mode server trusts whoever reaches it, which is safe only while that is
  the machine itself. A web page can reach it too, through DNS rebinding: ``evil.example`` is made to resolve to
  127.0.0.1 and the page's scripts then talk to poolgate as a same-origin site, with ``Host: evil.example``. So in
  local mode only loopback names are answered: ``localhost`` and ``*.localhost`` (RFC 6761 §6.3; the data plane's
  ``{api}.execute-api.localhost`` and the hosted UI's ``{domain}.auth.localhost``), 127.0.0.0/8, ``[::1]``, and the
  host of ``--public-url``. Anything else gets 421 Misdirected Request (RFC 9110 §15.5.20: a request "directed at a
  server that is unable or unwilling to produce an authoritative response for the target URI").
- **``POST /_poolgate/reset``** wipes everything. With ``--credentials`` it must be SigV4-signed (service
  ``poolgate``) by a configured key. In local mode it must be a request no web page can send to another site
  without a CORS preflight (which poolgate never grants): no ``Origin`` or ``Sec-Fetch-Site`` naming another site,
  and a JSON ``Content-Type`` or an ``Authorization`` header (HTML forms and ``fetch`` without preflight can send
  only ``text/plain``, ``application/x-www-form-urlencoded`` and ``multipart/form-data``, and no ``Authorization``:
  the Fetch standard's CORS-safelisted request headers).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from .http import Request
from .settings import Settings

RESET_SERVICE = "poolgate"
"""The service a signed ``POST /_poolgate/reset`` names in its credential scope."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the edge answers a request itself: HTTP status, error type (``x-amzn-ErrorType``) and message."""

    status: int
    code: str
    message: str


def host_name(host_header: str) -> str:
    """The name in a ``Host`` header: port dropped, lower case, one trailing dot removed (``[::1]`` keeps its
    brackets)."""
    host = host_header.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[:end + 1] if end > 0 else host
    name, _, _ = host.partition(":")
    return name[:-1] if name.endswith(".") else name


def _is_loopback(name: str) -> bool:
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


@lru_cache(maxsize=1024)
def _host_allowed(name: str, public_name: str | None) -> bool:
    return not name or name == public_name or _is_loopback(name)


@lru_cache(maxsize=1024)
def _header_allowed(host_header: str, public_url: str | None) -> bool:
    """``_host_allowed`` for a whole ``Host`` header, remembered: the same few headers arrive on every request."""
    return _host_allowed(host_name(host_header), urlsplit(public_url).hostname if public_url else None)


def local_host_refusal(settings: Settings, host_header: str | None) -> Refusal | None:
    """In local mode: a ``Host`` that is not a loopback name nor ``--public-url``'s host is refused (None when the
    request may go on; a request without ``Host``, which no browser sends, goes on)."""
    if not settings.local_mode or not host_header:
        return None
    if _header_allowed(host_header, settings.public_url):
        return None
    shown = host_header if host_header.isprintable() and len(host_header) <= 255 else repr(host_header[:255])
    return Refusal(421, "MisdirectedRequest",
                   f"poolgate runs in local mode (no --credentials) and answers only requests addressed to this "
                   f"machine: localhost, *.localhost, 127.0.0.0/8, [::1] or the --public-url host. This request was "
                   f"addressed to Host '{shown}' (a web page using DNS rebinding looks like this). Use one of those "
                   f"names, or pass --public-url with the name clients use.")


def _same_origin(origin: str, request: Request) -> bool:
    """Whether ``Origin`` names the origin the request was sent to (scheme, host and port)."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return False
    if parts.scheme != request.scheme or not parts.hostname:
        return False
    host = request.host.strip().lower()
    try:
        target = urlsplit(f"{request.scheme}://{host}")
        target_port = target.port or {"http": 80, "https": 443}.get(request.scheme)
    except ValueError:
        return False
    return parts.hostname == target.hostname and port == target_port


def cross_site_refusal(request: Request, action: str) -> Refusal | None:
    """A refusal when the browser says ``request`` comes from a page of another site: an ``Origin`` that is not the
    request's own origin, or a ``Sec-Fetch-Site`` other than ``same-origin``. None when neither says so (clients
    that are not browsers send neither)."""
    origin = request.header("origin")
    if origin is not None and not _same_origin(origin, request):
        return Refusal(403, "AccessDeniedException",
                       f"{action} refused: it comes from a web page of another site (Origin '{origin[:200]}').")
    site = request.header("sec-fetch-site")
    if site is not None and site.strip().lower() != "same-origin":
        return Refusal(403, "AccessDeniedException",
                       f"{action} refused: the browser marks it as sent from another site "
                       f"(Sec-Fetch-Site: {site[:40]}).")
    return None


def _json_content_type(request: Request) -> bool:
    media = (request.header("content-type") or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json") or media.startswith("application/x-amz-json-")


def reset_refusal(settings: Settings, request: Request, now: float) -> Refusal | None:
    """None when ``request`` may wipe the server (``POST /_poolgate/reset`` with ``--allow-reset``)."""
    from .awsproto import sigv4  # here, not at the top: the Host check runs before botocore is loaded (boot.py)

    if not settings.local_mode:
        return _signed_reset_refusal(settings, request, now)
    cross_site = cross_site_refusal(request, "POST /_poolgate/reset")
    if cross_site is not None:
        return cross_site
    if request.header("authorization") is not None:
        try:
            if sigv4.parse_authorization(request) is not None:
                return None
        except sigv4.SignatureError as err:
            return Refusal(403, err.code, err.message)
    if _json_content_type(request):
        return None
    return Refusal(403, "AccessDeniedException",
                   "POST /_poolgate/reset needs Content-Type: application/json (or a SigV4 Authorization header): a "
                   "web page cannot send either to another site without asking first, so a page you visit cannot "
                   "wipe this server. e.g. curl -X POST -H 'Content-Type: application/json' -d '{}' "
                   "http://127.0.0.1:8788/_poolgate/reset")


def _signed_reset_refusal(settings: Settings, request: Request, now: float) -> Refusal | None:
    from .awsproto import sigv4

    try:
        signed = sigv4.parse_authorization(request)
        if signed is None:
            return Refusal(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
        cred = settings.credential(signed.scope.access_key)
        sigv4.verify(request, signed, lambda key: cred.secret_key if cred else None, now, service=RESET_SERVICE)
    except sigv4.SignatureError as err:
        return Refusal(403, err.code, err.message)
    return None
