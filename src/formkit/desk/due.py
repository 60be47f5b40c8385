"""待办: what is due in a year (第三、九、十条) — ``formkit.jobs.calendar.due_items``, the same as
``formkit calendar`` —, and the same as an .ics calendar (``write_ics``) to download.
Drafts and records with errors are not counted (they are named).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from formkit.desk.app import page
from formkit.desk.store import cases_dir, record_names


def _items(desk, year: int):
    from formkit.jobs.calendar import due_items
    from formkit.load import load_case

    root = cases_dir(desk.data_dir)
    cases, skipped = [], []
    for name in record_names(desk.data_dir):
        loaded = load_case(root / name)
        if loaded.record is None:
            skipped.append(f"{name}（{'草稿' if loaded.draft else '有误'}）")
        else:
            cases.append((root / name, loaded.record))
    return due_items(cases, year, date.today()), skipped


def _year(request: Request) -> int:
    text = request.query_params.get("year", "")
    return int(text) if text.isdigit() and len(text) == 4 and 1980 <= int(text) <= 2100 else date.today().year


async def due_page(request: Request) -> Response:
    desk = request.app.state.desk
    year = _year(request)
    items, skipped = _items(desk, year)
    this = date.today().year
    return page(request, "due.html", items=items, skipped=skipped, year=year,
                years=list(range(this + 1, this - 8, -1)), overdue=sum(i.state == "overdue" for i in items))


async def due_ics(request: Request) -> Response:
    from urllib.parse import quote

    from formkit.jobs.calendar import write_ics

    desk = request.app.state.desk
    year = _year(request)
    items, _ = _items(desk, year)
    name = f"到基层服务待办_{year}.ics"
    return Response(write_ics(items, year, date.today()), media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


def routes() -> list[Any]:
    return [Route("/due", due_page), Route("/due.ics", due_ics)]
