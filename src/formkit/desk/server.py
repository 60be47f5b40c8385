"""``formkit serve``: check the binding, print the address, run the desk under uvicorn.

Binding a loopback address (127.0.0.1, ::1, localhost) needs nothing; any other address needs a
password (``--password`` or ``FORMKIT_DESK_PASSWORD``), and then every page asks for it.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
from pathlib import Path

from formkit.errors import EnvironmentProblem, UsageError

PASSWORD_ENV = "FORMKIT_DESK_PASSWORD"
MIN_PASSWORD = 8


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (a name counts only as ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_binding(host: str, password: str | None) -> str | None:
    """The password to require, or ``None`` on loopback without one; ``UsageError`` when a
    non-loopback ``host`` has no password (or one shorter than ``MIN_PASSWORD``)."""
    password = password or os.environ.get(PASSWORD_ENV) or None
    if not is_loopback(host):
        if not password:
            raise UsageError(f"监听地址 {host} 不是本机地址，其他计算机也能访问：必须设定登录密码（也可用环境变量 "
                             f"{PASSWORD_ENV}）", param="password")
        if len(password) < MIN_PASSWORD:
            raise UsageError(f"密码至少 {MIN_PASSWORD} 个字符", param="password")
    return password


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def check_port(host: str, port: int) -> None:
    """``EnvironmentProblem`` (in Chinese, before any address is printed) when ``port`` of
    ``host`` cannot be listened on — most often a desk already running there — instead of
    uvicorn's English 「address already in use」 after the address was shown."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            s.bind((host.strip("[]"), port))
        except PermissionError:
            raise EnvironmentProblem(f"没有权限使用端口 {port}：请换一个 1024 以上的端口，如 8766",
                                     param="port") from None
        except OSError as exc:
            raise EnvironmentProblem(f"端口 {port} 已被占用（可能已有一个工作台在运行，可直接打开 "
                                     f"http://{host}:{port}/）；或换一个端口，如 {port + 1}"
                                     if exc.errno in (98, 48, 10048) else
                                     f"无法在 {host} 的端口 {port} 上监听：{exc.strerror or exc}", param="port") from None


def make_server(data_dir: Path, out_dir: Path, host: str, port: int, password: str | None):
    """A configured ``uvicorn.Server`` (not started); the access log is the desk's masked one."""
    import uvicorn

    from formkit.desk.app import create_app

    app = create_app(data_dir, out_dir, password)
    config = uvicorn.Config(app, host=host, port=port, access_log=False, log_level="warning",
                            server_header=False, lifespan="off")
    return uvicorn.Server(config)


def serve(data_dir: Path, out_dir: Path, host: str, port: int, password: str | None, open_browser: bool,
          echo=print) -> None:
    """Run the desk until Ctrl-C; prints its address first."""
    password = check_binding(host, password)
    if not Path(data_dir).is_dir():
        raise UsageError(f"记录目录 {data_dir} 不存在", param="data_dir")
    check_port(host, port)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    server = make_server(Path(data_dir), Path(out_dir), host, port, password)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    echo(f"formkit 工作台：{url}（记录 {data_dir}，文书输出到 {out_dir}；按 Ctrl-C 停止）")
    if password:
        echo("已启用登录：打开页面后输入密码。")
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    server.run()
