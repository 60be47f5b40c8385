"""年度申报: choose the 州(市) and the year; the declaration of ``formkit declare``
(``formkit.jobs.declaration.run_declaration``, 第十条): the roster, the exclusions with their
reasons, the totals in figures and upper case, the files to download (附件4 名册, 附件5 申报表,
the bundle PDF, the exclusions report). Runs as a task with a progress (the bundle).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from formkit.desk.app import form_of, page
from formkit.desk.batch import problem_line
from formkit.desk.store import cases_dir, record_names
from formkit.desk.tasks import Task, relative_to_out, start
from formkit.privacy import scrub


def declare_work(desk, prefecture: str, year: int):
    def work(task: Task) -> None:
        from formkit.context.filters import money_figures, rmb_upper
        from formkit.jobs.declaration import default_as_of, run_declaration
        from formkit.output.ledger import Ledger

        root = cases_dir(desk.data_dir)
        files = [root / name for name in record_names(desk.data_dir)]

        def progress(done: int, total: int) -> None:
            task.done, task.total = done, total

        with Ledger.open(desk.out_dir, wait=30) as ledger:
            result = run_declaration(ledger, files, prefecture, year, as_of=default_as_of(year), progress=progress)
        # records by their file names, fields by their Chinese labels (as 人员 and the form show them)
        task.lines += [f"{Path(p.file).name if p.file else ''} {problem_line(p)}".strip()
                       for p in result.problems if p.is_error]
        task.lines += [scrub(f).replace(f"{root}{os.sep}", "") for f in result.failures]
        task.lines += [f"草稿，未列入：{d}".replace(f"{root}{os.sep}", "") for d in getattr(result, "drafts", [])]
        if result.declaration is None:
            task.lines.append("案卷记录有误，未生成申报材料")
            task.failed = True
            return
        decl = result.declaration
        task.lines.insert(0, f"{decl.prefecture_name}{year}年度：名册 {decl.total_people} 人，核发 {decl.total_years} 年，"
                             f"补贴 {money_figures(decl.total_amount)} 元（{rmb_upper(decl.total_amount)}）")
        if result.unchanged:
            task.lines.insert(1, f"与已出具的第 {result.version} 版相同，未重新生成。")
        elif result.version > 1:
            task.lines.insert(1, f"已生成第 {result.version} 版（旧版移入 superseded/）：" + "；".join(result.changes))
        task.lines += [scrub(line).replace(f"{root}{os.sep}", "") for line in result.report.splitlines() if line.strip()]
        ledger = Ledger.read(desk.out_dir)
        doc = ledger.documents.get(f"declaration/{prefecture}/{year}")
        if doc is not None and not doc.withdrawn:
            task.files += [f"{doc.folder}/{n}" if doc.folder else n for n in doc.files]
        else:
            task.files += [relative_to_out(desk, p) for p in result.written]

    return work


def _prefectures(desk) -> list[tuple[str, str]]:
    from formkit.desk.people import summaries

    return sorted({(r.prefecture, r.prefecture_name) for r in summaries(desk, date.today()) if r.ok})


async def declare_page(request: Request) -> Response:
    desk = request.app.state.desk
    years = list(range(date.today().year, date.today().year - 12, -1))
    if request.method == "POST":
        form = await form_of(request)
        prefecture, year = str(form.get("prefecture", "")), str(form.get("year", ""))
        if not (prefecture.isdigit() and len(prefecture) == 6 and year.isdigit() and len(year) == 4):
            return page(request, "declare.html", status=400, prefectures=_prefectures(desk), years=years,
                        error="请选择州（市）和年度")
        task = start(desk, "年度申报", declare_work(desk, prefecture, int(year)))
        return RedirectResponse(f"/task/{task.id}", status_code=303)
    return page(request, "declare.html", prefectures=_prefectures(desk), years=years)


def routes() -> list[Any]:
    return [Route("/declare", declare_page, methods=["GET", "POST"])]
