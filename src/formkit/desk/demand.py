"""需求汇总: upload counties' 附件1 .xlsx files (and/or use the lists in ``DATA_DIR/demand``),
roll them up to 州(市) or province (``formkit.jobs.demand.run_demand``, 第三条), download.

Uploads: ``formkit.desk.uploads.save_uploads`` (size, number, .xlsx by name and content), read
with the workbook reader's own limits (``formkit.load.xlsx_guard``). A bad cell is
reported as ``file.xlsx: 附件1!K6 标签：message`` (``problem_text``: never the field's path).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from formkit.desk.app import form_of, page
from formkit.desk.uploads import save_uploads
from formkit.errors import FormkitError
from formkit.privacy import scrub

LEVELS = (("prefecture", "州（市）"), ("province", "省"))


def problem_text(p) -> str:
    """``元阳县.xlsx: 附件1!K5 需求人数：…`` — the file by its name, the cell as in Excel (or the
    line of a YAML list), the field by its Chinese label (never its path); a warning as 「提示：」."""
    where = Path(p.file).name if p.file else ""
    if p.cell:
        where += f": {p.cell}"
    elif p.line is not None:
        where += f" 第{p.line}行"
    label = f"{p.label}：" if p.label else ""
    return scrub(f"{where} {'' if p.is_error else '提示：'}{label}{p.message}".strip())


async def demand_page(request: Request) -> Response:
    desk = request.app.state.desk
    lists = desk.data_dir / "demand"
    context: dict[str, Any] = {"levels": LEVELS, "has_lists": lists.is_dir(), "year": date.today().year,
                               "level": "province", "division": "", "use_lists": False}
    if request.method != "POST":
        return page(request, "demand.html", **context)
    from formkit.jobs.demand import run_demand
    from formkit.output.ledger import Ledger

    form = await form_of(request)
    uploads = [u for u in form.getlist("files") if isinstance(u, UploadFile) and u.filename]
    saved, refused = await save_uploads(desk, uploads)
    sources = [*saved, *([lists] if form.get("use_lists") and lists.is_dir() else [])]
    level = str(form.get("level", "province"))
    year = str(form.get("year", "")).strip()
    division = str(form.get("division", "")).strip() or None
    # the form comes back as the clerk set it: after correcting a workbook, only the upload again
    context.update(level=level, year=year[:4], division=(division or "")[:6], use_lists=bool(form.get("use_lists")))
    lines = list(refused)
    files: list[str] = []
    if level not in dict(LEVELS) or not (year.isdigit() and len(year) == 4):
        lines.append("请选择汇总级别并填写四位年度")
    elif not sources:
        lines.append("没有可汇总的需求信息表：请上传 .xlsx，或勾选使用记录目录中的需求信息表")
    else:
        try:
            with Ledger.open(desk.out_dir, wait=30) as ledger:
                result = run_demand(ledger, [str(s) for s in sources], level, int(year), division=division)
        except FormkitError as exc:
            lines.append(scrub(str(exc)))
        else:
            lines += [problem_text(p) for p in result.problems]
            lines += [f"注意：{n}" for n in result.notes]
            if result.table is None:
                lines.append("需求信息表有误，未生成汇总表")
            else:
                t = result.table
                lines.insert(0, f"{t.division_name}{year}年度需求信息表：{len(t.counties)} 个县（市、区），"
                                f"{len(t.posts)} 个岗位，需求 {t.total} 人")
                doc = Ledger.read(desk.out_dir).documents.get(f"demand/{level}/{t.division}/{year}")
                if doc is not None:
                    files = [f"{doc.folder}/{n}" if doc.folder else n for n in doc.files]
    return page(request, "demand.html", lines=lines, files=files, **context)


def routes() -> list[Any]:
    return [Route("/demand", demand_page, methods=["GET", "POST"])]
