"""The application: routes, security headers, the cap on request bodies; ``serve`` runs it with uvicorn.

Every answer carries a Content-Security-Policy that allows no script at all (the pages have none: maths
is MathML made on the server), styles and images from the app itself only (figures are data: images),
forms posted to the app only, and no framing. A request body larger than ``Limits.body_bytes`` is refused
(413) before it is read past the cap. Bound to a loopback address, the app answers only requests whose
Host is that address (a page elsewhere cannot reach it through a name it controls).
"""
from __future__ import annotations

import ipaddress
import socket
import sys
from contextlib import asynccontextmanager

from .limits import Limits
from .service import Service

CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                           "base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds the security headers to every answer."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in SECURITY_HEADERS
                                                                         if h[0] not in names]
            await send(message)
        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuses a request body larger than ``limit`` bytes: at once when its Content-Length says so, else as soon
    as what has arrived passes it (the rest is never read)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return await self._refuse(send)
        seen = 0
        started = False

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        async def watched(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)
        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send):
        body = f"the request is larger than {self.limit:,} bytes: send less (a shorter text or sheet)\n".encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def create_app(limits: Limits | None = None, host: str = "127.0.0.1"):
    """The Starlette application (its workers start with it and stop with it)."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    from . import api, pages

    service = Service(limits)

    @asynccontextmanager
    async def lifespan(app):
        service.start()
        try:
            yield
        finally:
            service.close()

    middleware = [Middleware(SecurityHeaders), Middleware(BodyLimit, limit=service.limits.body_bytes)]
    if is_loopback(host):
        names = {"localhost", "127.0.0.1", "[::1]", host if ":" not in host else f"[{host}]"}
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=sorted(names)))
    app = Starlette(routes=api.routes() + pages.routes(), middleware=middleware, lifespan=lifespan)
    app.state.service = service
    return app


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` (port 0: a free one), ready for uvicorn."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)   # TCP named: asyncio then sets
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)              # TCP_NODELAY on each connection
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def serve(host: str = "127.0.0.1", port: int = 8000, limits: Limits | None = None, announce=print) -> None:
    """Run the app until interrupted; ``announce`` is told the address once it can be opened."""
    import uvicorn
    sock = listening_socket(host, port)
    app = create_app(limits, host)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", limit_concurrency=200,
                            timeout_keep_alive=5, server_header=False)
    server = uvicorn.Server(config)
    announce(f"derive serve: open {address(sock)} (Ctrl-C stops it)")
    sys.stdout.flush()
    server.run(sockets=[sock])
