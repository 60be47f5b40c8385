"""The desk's application factory and what guards every request.

``create_app(data_dir, out_dir, password=None) -> Starlette``. Guards, outermost first:

- the access log: ``METHOD path status`` per request, without the query string, ID and phone
  numbers masked (``formkit.privacy.scrub``);
- a request body over ``MAX_BODY`` bytes is refused (413) before it is read;
- the session (a cookie signed with the key of OUT, ``session_key``, kept across restarts;
  ``SameSite=strict``);
- the login: with a password every page but ``/login`` and ``/static`` needs it;
- CSRF: every POST carries the session's token (form field ``csrf`` or header ``X-CSRF-Token``),
  else 403 「请求缺少有效的安全令牌」.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send

from formkit.privacy import scrub

MAX_BODY = 12_000_000
"""Largest request body (bytes): a form is a few KB; an uploaded workbook at most 10 MB."""

log = logging.getLogger("formkit.desk")

_PACKAGE = resources.files("formkit.desk")


def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(_PACKAGE / "templates"))
    t.env.filters["mask"] = scrub
    return t


TEMPLATES = templates()


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render ``name`` with the request, the CSRF token and the desk's settings."""
    return TEMPLATES.TemplateResponse(request, name, {"csrf": csrf_token(request), "desk": request.app.state.desk,
                                                      **context}, status_code=status)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


class AccessLog:
    """One masked line per request (no query string: a search may hold digits of an ID number)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = {"code": 0}

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            log.info(scrub(f'{scope.get("client", ("-",))[0]} {scope["method"]} {scope["path"]} {status["code"]}'))


class BodyLimit:
    """Refuse (413) a request whose declared or actual body exceeds ``MAX_BODY`` bytes."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        try:
            declared = int(headers.get(b"content-length", b"0"))
        except ValueError:
            declared = 0
        too_big = PlainTextResponse(f"上传的内容过大（上限 {self.limit // 1_000_000} MB）", status_code=413)
        if declared > self.limit:
            await too_big(scope, receive, send)
            return
        seen = {"n": 0}

        async def counting() -> dict[str, Any]:
            message = await receive()
            seen["n"] += len(message.get("body", b""))
            if seen["n"] > self.limit:
                raise ValueError("body too large")
            return message

        await self.app(scope, counting, send)


class Guard:
    """The login (when a password is set) and the CSRF check of every POST."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        desk = scope["app"].state.desk
        path = scope["path"]
        open_paths = path.startswith("/static/") or path == "/login"
        if desk.password and not open_paths and not desk.logged_in(request.session):
            if scope["method"] == "GET":
                response: Response = RedirectResponse("/login", status_code=303)
            else:
                response = PlainTextResponse("请先登录", status_code=401)
            await response(scope, receive, send)
            return
        if scope["method"] == "POST":
            expected = request.session.get("csrf", "")
            given = request.headers.get("x-csrf-token", "")
            if not given:
                content_type = request.headers.get("content-type", "")
                if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
                    form = await request.form()
                    given = str(form.get("csrf", ""))
                    scope["state"] = {**scope.get("state", {}), "form": form}
            if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
                response = HTMLResponse("<!doctype html><meta charset=utf-8><title>拒绝</title>"
                                        "<p>请求缺少有效的安全令牌（CSRF），已拒绝，未作任何更改。</p>"
                                        "<p>若是在工作台的页面上操作：请按浏览器的「后退」回到页面，先复制尚未保存的内容，"
                                        "再刷新页面后重试（刷新会清除未保存的内容）。</p>",
                                        status_code=403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def form_of(request: Request) -> Any:
    """The request's form (already read by the CSRF check, or read now)."""
    form = getattr(request.state, "form", None)
    return form if form is not None else await request.form()


class Desk:
    """The desk's settings: ``data_dir`` (records), ``out_dir`` (issued documents, the
    ledger), ``password`` (``None``: no login, loopback only)."""

    def __init__(self, data_dir: Path, out_dir: Path, password: str | None = None):
        self.data_dir = Path(data_dir)
        self.out_dir = Path(out_dir)
        self.password = password
        import tempfile

        self.cache = Path(tempfile.mkdtemp(prefix="formkit-desk-"))
        self.imports: dict[str, Any] = {}  # import plans waiting for the clerk's confirmation
        self.tasks: dict[str, Any] = {}  # 批量打印, 年度申报 in progress or done (formkit.desk.tasks)

    def login_mark(self) -> str:
        """What a login puts in the session: a digest of the password, so that a desk restarted
        with another password (the session key outlives restarts) asks everyone again."""
        import hashlib

        return hashlib.sha256(b"formkit-desk-login\0" + (self.password or "").encode()).hexdigest()

    def logged_in(self, session: dict[str, Any]) -> bool:
        return hmac.compare_digest(str(session.get("auth", "")), self.login_mark())


async def login(request: Request) -> Response:
    desk = request.app.state.desk
    if request.method == "POST":
        form = await form_of(request)
        given = str(form.get("password", ""))
        if desk.password and hmac.compare_digest(given.encode(), desk.password.encode()):
            request.session["auth"] = desk.login_mark()
            return RedirectResponse("/", status_code=303)
        return page(request, "login.html", status=401, error="密码不对，请重新输入")
    return page(request, "login.html")


async def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login" if request.app.state.desk.password else "/", status_code=303)


async def home(request: Request) -> Response:
    return RedirectResponse("/people", status_code=303)


_STATUS_TEXT = {404: ("找不到页面", "没有这个页面或文件。请从上方菜单重新进入。"),
                405: ("无法打开", "这个地址不能这样打开。请从上方菜单重新进入。")}


async def http_error(request: Request, exc: Exception) -> Response:
    """A 404/405 as a Chinese page (never Starlette's English 「Not Found」)."""
    code = getattr(exc, "status_code", 404)
    title, text = _STATUS_TEXT.get(code, ("无法完成", f"请求未能完成（{code}）。"))
    return page(request, "message.html", status=code, title=title, text=text, back="/people")


async def internal_error(request: Request, exc: Exception) -> Response:
    """An unexpected fault: a Chinese page without the traceback (which goes to the log)."""
    log.error("内部错误：%s", scrub(f"{type(exc).__name__}: {exc}"))
    return HTMLResponse("<!doctype html><meta charset=utf-8><title>内部错误</title>"
                        "<p>formkit 工作台内部错误，未能完成这一步；已输入并保存的内容不受影响。"
                        "请返回上一页重试；若再次出现，请把启动工作台的窗口中显示的信息告知技术人员。</p>"
                        '<p><a href="/people">返回人员列表</a></p>', status_code=500)


SESSION_KEY_FILE = ".formkit-desk-key"
"""In OUT: the key that signs the desk's session cookie, kept across restarts (readable by its
owner only), so a restarted desk still accepts the forms already open in the browser — their
security token — and a clerk who presses 保存 after a restart loses nothing."""


def session_key(out_dir: Path) -> str:
    """The session key of ``out_dir`` (``SESSION_KEY_FILE``), made on first use."""
    from formkit.atomic import write_atomic

    path = Path(out_dir) / SESSION_KEY_FILE
    try:
        key = path.read_text("ascii").strip()
        if len(key) >= 32:
            return key
    except (OSError, UnicodeDecodeError):
        pass
    key = secrets.token_urlsafe(32)
    write_atomic(path, key.encode("ascii"), mode=0o600)
    return key


def create_app(data_dir: str | Path, out_dir: str | Path, password: str | None = None) -> Starlette:
    """The desk over ``data_dir`` (person records in ``data_dir/cases``) issuing into ``out_dir``."""
    from formkit.desk import batch, declare, demand, documents, due, importing, people, person

    routes = [
        Route("/", home),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        *people.routes(),
        *person.routes(),
        *documents.routes(),
        *batch.routes(),
        *declare.routes(),
        *demand.routes(),
        *due.routes(),
        *importing.routes(),
        Mount("/static", StaticFiles(directory=str(_PACKAGE / "static")), name="static"),
    ]
    middleware = [
        Middleware(AccessLog),
        Middleware(BodyLimit),
        Middleware(SessionMiddleware, secret_key=session_key(Path(out_dir)), session_cookie="formkit_desk",
                   same_site="strict", https_only=False),
        Middleware(Guard),
    ]
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={404: http_error, 405: http_error, 500: internal_error})
    app.state.desk = Desk(Path(data_dir), Path(out_dir), password)
    return app
