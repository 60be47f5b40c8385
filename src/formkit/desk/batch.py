"""批量打印: choose the year and the forms; every record's documents are issued as ``formkit
batch`` does (``formkit.jobs.persons.run`` then ``print_job``: one duplex-ready print PDF in
``OUT/print/``), with a progress bar; the print PDF to download.

Routes: ``GET /batch`` (the choice), ``POST /batch`` (start), ``GET /task/{id}`` (the progress
page), ``GET /task/{id}/status`` (htmx: the progress, polled every second until done).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from formkit.desk.app import form_of, page
from formkit.desk.store import cases_dir, record_names
from formkit.desk.tasks import Task, relative_to_out, start
from formkit.privacy import scrub

FORMS = (("appraisal", "附件3 考核鉴定表"), ("application", "附件2 申请登记表"), ("agreement", "服务协议书"))


def problem_line(p) -> str:
    """A record's problem as the form shows it: its field's Chinese label first (「手机：…」), masked."""
    from formkit.jobs.persons import ALLOW_HINT

    message = p.message.replace(ALLOW_HINT, "")  # the desk has no command-line option
    return scrub(f"{p.label}：{message}" if p.label else message)


def batch_work(desk, forms: tuple[str, ...], year: int | None):
    """The work of one batch (run in a task's thread)."""

    def work(task: Task) -> None:
        from formkit.forms import load_form
        from formkit.jobs.persons import Selection, print_job, run
        from formkit.output.ledger import Ledger

        root = cases_dir(desk.data_dir)
        files = [root / name for name in record_names(desk.data_dir)]
        task.total = len(files)
        selection = Selection(forms, ("docx", "pdf"), year)

        def done(outcome) -> None:
            task.done += 1
            if outcome.unsuccessful:
                task.lines.append(f"未生成：{outcome.path.name}")
                errors = [problem_line(p) for p in outcome.problems if p.is_error]
                task.lines += [f"  {line}" for line in errors[:8]]
                if len(errors) > 8:
                    task.lines.append(f"  ……共 {len(errors)} 处，在「人员」中打开此记录逐项改正")

        with Ledger.open(desk.out_dir, wait=30) as ledger:
            outcomes = run(ledger, files, selection, date.today(), on_done=done)
            names = "、".join(load_form(f).short_title for f in forms)
            job = print_job(ledger, f"{names}_{year or '全部'}_打印", outcomes)
        ok = sum(not o.unsuccessful for o in outcomes)
        task.lines.insert(0, f"{len(outcomes)} 份记录：{ok} 份已生成，{len(outcomes) - ok} 份未生成")
        if job.path is not None:
            state = "已生成" if job.written else "未变（各文书均未更改）"
            task.lines.insert(1, f"打印文件：{job.documents} 份文书，共 {job.pages} 页（含空白页 {job.blanks} 页）；{state}")
            task.files.append(relative_to_out(desk, job.path))
        else:
            task.lines.insert(1, "没有可打印的文书（所选年度没有这些文书）")

    return work


async def batch_page(request: Request) -> Response:
    desk = request.app.state.desk
    if request.method == "POST":
        form = await form_of(request)
        forms = tuple(f for f, _ in FORMS if f in form.getlist("forms"))
        year_text = str(form.get("year", ""))
        year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
        if not forms:
            return page(request, "batch.html", status=400, forms=FORMS, error="请至少选择一种文书", years=_years())
        task = start(desk, "批量打印", batch_work(desk, forms, year))
        return RedirectResponse(f"/task/{task.id}", status_code=303)
    return page(request, "batch.html", forms=FORMS, years=_years())


def _years() -> list[int]:
    this = date.today().year
    return list(range(this, this - 12, -1))


async def task_page(request: Request) -> Response:
    task = request.app.state.desk.tasks.get(request.path_params["id"])
    if task is None:
        return page(request, "message.html", status=404, title="没有这项任务", text="任务不存在（服务重启后任务记录不保留）")
    return page(request, "task.html", task=task)


async def task_status(request: Request) -> Response:
    task = request.app.state.desk.tasks.get(request.path_params["id"])
    if task is None:
        return Response("", status_code=404)
    return page(request, "_task.html", task=task)


def routes() -> list[Any]:
    return [Route("/batch", batch_page, methods=["GET", "POST"]), Route("/task/{id}", task_page),
            Route("/task/{id}/status", task_status)]
