"""The clinic web app: server-rendered pages and a JSON API over one :class:`TrialCatalog`.

Privacy: patient data only travels in POST bodies (never in URLs, so never in access logs), is never
written to disk unless the user saves it (download, or ``--store``), and is never logged. Uploads are capped
below Starlette's in-memory spool size, so a multipart upload never spills to a temporary file.
"""

from __future__ import annotations

import logging
import traceback
from datetime import date
from pathlib import Path
from typing import Iterable, Optional

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartParser
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..evaluate import ENGINE_VERSION
from .catalog import TrialCatalog
from .forms import FLAGS, LISTS, MAX_ROWS, SCALARS, field_label

__all__ = ["create_app", "MAX_BODY_BYTES"]

log = logging.getLogger("matcher.web")

MAX_BODY_BYTES = 1024 * 1024  # uploads, forms and API bodies
MAX_FORM_FIELDS = 1500

SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                 b"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def create_app(catalog: TrialCatalog, *, allowed_hosts: Iterable[str] = ("127.0.0.1", "localhost"),
               store: Optional[str | Path] = None, max_body_bytes: int = MAX_BODY_BYTES,
               today: Optional[date] = None) -> FastAPI:
    """The app. ``store``: a results-store SQLite file that a "save" button appends to (off by default).
    ``today``: the default reference date offered on the form (default: the server's date)."""
    if max_body_bytes > MultiPartParser.spool_max_size:
        raise ValueError("uploads above the multipart spool size would be written to a temporary file")
    app = FastAPI(title="msmatch", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="Screen an MS patient against clinical trials; review and correct compiled rules.")
    env = Environment(loader=PackageLoader("matcher.web", "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    templates = Jinja2Templates(env=env)
    env.globals.update(version=__version__, engine_version=ENGINE_VERSION, scalars=SCALARS, flags=FLAGS,
                       lists=LISTS, max_rows=MAX_ROWS, field_label=field_label)
    app.state.catalog = catalog
    app.state.templates = templates
    app.state.store = Path(store) if store else None
    app.state.today = today
    app.state.max_body_bytes = max_body_bytes

    from . import api, pages  # routes read app.state; imported here to keep module import cheap

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(packages=[("matcher.web", "static")]), name="static")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        return error_response(request, error.status_code, str(error.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError):
        problems = [{"field": ".".join(str(x) for x in e["loc"]), "error": e["msg"]} for e in error.errors()[:20]]
        return JSONResponse({"error": "the request does not fit the schema", "problems": problems}, status_code=422)

    # Added innermost first: the size limit wraps the routes; the error guard, outermost, sees every exception.
    app.add_middleware(HeadAsGet)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_middleware(SameOriginPosts)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(SecurityHeaders)
    app.add_middleware(InternalErrorGuard)
    return app


def error_response(request: Request, status: int, message: str):
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                      status_code=status)


class SecurityHeaders:
    """CSP without inline scripts or styles, no framing, no referrer; no caching of pages with patient data."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() not in dict(SECURITY_HEADERS)]
                headers.extend(SECURITY_HEADERS)
                if scope["method"] != "GET" or scope["path"].startswith("/api/"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """HEAD answered as GET without the body (HTTP requires HEAD wherever GET is; FastAPI routes take GET only)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class BodySizeLimit:
    """413 for a request body over the limit, whether it announces its length or streams it."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await _too_large(scope, receive, send, self.max_bytes)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise StarletteHTTPException(413, _too_large_text(self.max_bytes))
            return message

        await self.app(scope, counting_receive, send)


def _too_large_text(limit: int) -> str:
    return f"The upload or form is too large: the limit is {limit // 1024} KB."


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    request = Request(scope, receive)
    response = error_response(request, 413, _too_large_text(limit))
    await response(scope, receive, send)


class SameOriginPosts:
    """Refuse a POST that a browser sends from another site (a page elsewhere must not edit rules or screen)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            headers = Headers(scope=scope)
            origin = headers.get("origin")
            host = headers.get("host", "")
            fetch_site = headers.get("sec-fetch-site")
            cross = (origin not in (None, "null") and origin.split("://", 1)[-1] != host) or \
                fetch_site in ("cross-site", "same-site")
            if cross:
                response = error_response(Request(scope, receive), 403, "Requests from other sites are refused.")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class InternalErrorGuard:
    """A plain 500 page for any unexpected error; the log gets the error type and code location only,
    because an exception's message may quote patient data."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:  # noqa: BLE001 - the last line of defence: never show a traceback
            frames = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                                 for f in reversed(traceback.extract_tb(error.__traceback__)[-4:]))
            log.error("internal error %s on %s %s at %s", type(error).__name__, scope["method"], scope["path"], frames)
            if started:
                return  # the response is already under way; the client sees it cut short
            response = error_response(Request(scope, receive), 500,
                                      "Something went wrong on our side. Nothing was saved. Please try again; "
                                      "if it happens again, tell the team running this app what you did.")
            await response(scope, receive, send)
