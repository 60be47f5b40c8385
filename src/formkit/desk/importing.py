"""导入: upload a roster (人员名单 .xlsx, ``formkit new 名单``); the plan of ``formkit import``
(``formkit.jobs.roster_import.plan_import``) row by row — new records (drafts where the roster
lacks the free-text parts), updates by 公民身份号码 with what changes, every bad cell named
(``名单!K6 …``) —, and nothing written until the clerk confirms (``apply_import``, which refuses
a record changed since the plan was made). The plan waits on the server under a random token.
"""

from __future__ import annotations

import secrets
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from formkit.desk.app import form_of, page
from formkit.desk.store import cases_dir
from formkit.desk.uploads import save_uploads
from formkit.errors import FormkitError
from formkit.privacy import scrub

ACTIONS = {"new": "新建", "update": "更新", "unchanged": "无变化", "error": "有误"}


def problem_text(p) -> str:
    """``名单!K6 公民身份号码：校验码不符…`` (a warning as 「提示：…」), masked."""
    where = f"{p.cell} " if p.cell else ""
    label = f"{p.label}：" if p.label else ""
    return scrub(f"{'' if p.is_error else '提示：'}{where}{label}{p.message}")


def plan_rows(plan) -> list[dict[str, Any]]:
    """The plan as rows to show (every text masked)."""
    out = []
    for row in plan.rows:
        out.append({"row": row.row, "action": row.action, "action_text": ACTIONS[row.action], "name": row.name,
                    "id": row.id_masked, "file": row.path.name if row.path is not None else "",
                    "draft": row.draft, "missing": "、".join(row.missing),
                    "changes": [scrub(c) for c in row.changes],
                    "problems": [problem_text(p) for p in row.problems]})
    return out


async def import_page(request: Request) -> Response:
    desk = request.app.state.desk
    if request.method != "POST":
        return page(request, "import.html")
    from formkit.jobs.roster_import import plan_import

    form = await form_of(request)
    uploads = [u for u in form.getlist("file") if isinstance(u, UploadFile) and u.filename][:1]
    saved, refused = await save_uploads(desk, uploads)
    if not saved:
        return page(request, "import.html", status=400, error="；".join(refused) or "请选择人员名单（.xlsx）")
    try:
        plan = plan_import(saved[0], desk.data_dir, shown_as=uploads[0].filename)
    except FormkitError as exc:
        return page(request, "import.html", status=400, error=scrub(str(exc)))
    token = secrets.token_urlsafe(16)
    desk.imports[token] = plan
    file_problems = [problem_text(p) for p in plan.problems]
    writes = plan.count("new") + plan.count("update")
    return page(request, "import.html", plan=plan, rows=plan_rows(plan), token=token, file_problems=file_problems,
                summary=plan.summary(), writes=writes, upload=uploads[0].filename)


async def import_apply(request: Request) -> Response:
    desk = request.app.state.desk
    from formkit.jobs.roster_import import apply_import

    plan = desk.imports.pop(request.path_params["token"], None)
    if plan is None:
        return page(request, "message.html", status=404, title="无法导入", text="此导入计划已执行或已过期；请重新上传名单",
                    back="/import")
    try:
        results = apply_import(plan)
    except FormkitError as exc:
        return page(request, "message.html", status=409, title="未导入", text=scrub(str(exc)), back="/import")
    names = {row.path: row.name for row in plan.rows if row.path is not None}
    written = [r for r in results if r.written]
    return page(request, "import.html", done=True,
                written=[(r.path.name, names.get(r.path, ""), r.draft) for r in written],
                folder=str(cases_dir(desk.data_dir)))


async def blank_roster(request: Request) -> Response:
    """The blank roster workbook (``formkit new 名单``)."""
    from urllib.parse import quote

    from formkit.render.xlsx import write_blank_roster_xlsx

    return Response(write_blank_roster_xlsx(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote('人员名单.xlsx')}"})


def routes() -> list[Any]:
    return [Route("/import", import_page, methods=["GET", "POST"]), Route("/import/blank.xlsx", blank_roster),
            Route("/import/{token}/apply", import_apply, methods=["POST"])]
