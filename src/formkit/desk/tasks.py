"""Long jobs of the desk (批量打印, 年度申报) run in a thread of the server, one at a time per
output folder (the ledger's lock is held by the job itself), with a progress the page polls.

``start(desk, title, work) -> Task``: ``work(task)`` runs in a thread; it sets ``task.total``,
advances ``task.done``, appends ``task.lines`` (what to show, already masked) and ``task.files``
(paths relative to OUT, downloadable through ``/files/``). An exception that is a
``FormkitError`` ends the task with its message; any other is shown as an internal error.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from formkit.errors import FormkitError
from formkit.privacy import scrub


@dataclass
class Task:
    id: str
    title: str
    total: int = 0
    done: int = 0
    lines: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    finished: bool = False
    failed: bool = False

    @property
    def percent(self) -> int:
        return 100 if self.finished else (100 * self.done // self.total if self.total else 0)


def start(desk, title: str, work: Callable[[Task], None]) -> Task:
    task = Task(secrets.token_urlsafe(8), title)
    desk.tasks[task.id] = task

    def body() -> None:
        try:
            work(task)
        except FormkitError as exc:
            task.lines.append(scrub(str(exc)))
            task.failed = True
        except Exception as exc:  # noqa: BLE001 — shown, not swallowed: the server goes on
            task.lines.append(scrub(f"formkit 内部错误：{type(exc).__name__}：{exc}"))
            task.failed = True
        finally:
            task.finished = True

    threading.Thread(target=body, daemon=True, name=f"desk-{task.id}").start()
    return task


def relative_to_out(desk, path) -> str:
    """``path`` (inside OUT) as the relative path ``/files/`` takes."""
    from pathlib import Path

    return Path(path).resolve().relative_to(desk.out_dir.resolve()).as_posix()
