"""What the real-browser tests share: the system Chromium, a server thread, and signing in.

Imported by name (``from browser_env import ...``) from the browser tests of every area.
Chromium is installed by ``make test`` (scripts/system-deps.sh); a missing one fails the test.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 in a thread; yields the base URL."""
    srv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{srv.config.port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serve_with_user(settings: Any, email: str, password: str, **user: Any) -> Iterator[str]:
    """Build the app for ``settings``, add one user (``role``, ``tenant``, ... as ``add_user``
    takes them) and serve it like :func:`serve`; yields the base URL."""
    from portalroi.api.app import create_app
    from portalroi.api.appstate.accounts import add_user

    app = create_app(settings)
    with app.state.appdb.session() as s:
        add_user(s, email, password, **user)
    with serve(app) as base:
        yield base


def record_outside(context: Any, server: str) -> list[str]:
    """The URLs ``context`` requests outside ``server`` (a test asserts the list stays empty:
    nothing may come from the internet)."""
    outside: list[str] = []
    context.on("request", lambda r: None if r.url.startswith(server) else outside.append(r.url))
    return outside


def launch(playwright: Any) -> Any:
    """The system Chromium, headless (a missing binary is a failure, not a skip)."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: run scripts/system-deps.sh"
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def sign_in(page: Any, base: str, email: str, password: str) -> None:
    """Fill the login form (on the current page, else ``/login``) and wait for the overview."""
    if not page.url.endswith("/login"):
        page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
