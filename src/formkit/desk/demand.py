"""需求汇总: upload counties' 附件1 .xlsx files (and/or use the lists in ``DATA_DIR/demand``),
roll them up to 州(市) or province (``formkit.jobs.demand.run_demand``, 第三条), download.

Uploads: at most ``MAX_FILES`` files of at most ``MAX_UPLOAD`` bytes each, ``.xlsx`` only (by
name and by content: a ZIP container); saved under the desk's temporary folder with a safe name
and read there with the workbook reader's own limits (``formkit.load.xlsx_guard``). A bad cell is
reported as ``file.xlsx: 附件1!K6 field（标签）: message``.
"""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from formkit.desk.app import form_of, page
from formkit.errors import FormkitError
from formkit.privacy import scrub
from formkit.safe_names import safe_name

MAX_UPLOAD = 10_000_000
MAX_FILES = 50
LEVELS = (("prefecture", "州（市）"), ("province", "省"))


async def save_uploads(desk, uploads: list[UploadFile]) -> tuple[list[Path], list[str]]:
    """The uploaded workbooks saved to a fresh folder; (paths, refusals in Chinese)."""
    folder = desk.cache / "uploads" / secrets.token_hex(8)
    folder.mkdir(parents=True)
    saved, refused = [], []
    for upload in uploads[:MAX_FILES]:
        name = Path(upload.filename or "").name
        if not name:
            continue
        data = await upload.read(MAX_UPLOAD + 1)
        if not name.lower().endswith(".xlsx"):
            refused.append(f"{name}：只接受 .xlsx（Excel 工作簿）；.xls/.et/.csv 请先在 Excel 或 WPS 中另存为 .xlsx")
        elif len(data) > MAX_UPLOAD:
            refused.append(f"{name}：文件过大（上限 {MAX_UPLOAD // 1_000_000} MB）")
        elif not data.startswith(b"PK\x03\x04"):
            refused.append(f"{name}：不是 .xlsx 工作簿（文件内容不符）")
        else:
            target = folder / (safe_name(Path(name).stem) + ".xlsx")
            target.write_bytes(data)
            saved.append(target)
    if len(uploads) > MAX_FILES:
        refused.append(f"一次最多上传 {MAX_FILES} 个文件，其余未读")
    return saved, refused


async def demand_page(request: Request) -> Response:
    desk = request.app.state.desk
    lists = desk.data_dir / "demand"
    context: dict[str, Any] = {"levels": LEVELS, "has_lists": lists.is_dir(), "year": date.today().year}
    if request.method != "POST":
        return page(request, "demand.html", **context)
    from formkit.jobs.demand import run_demand
    from formkit.output.ledger import Ledger

    form = await form_of(request)
    uploads = [u for u in form.getlist("files") if isinstance(u, UploadFile) and u.filename]
    saved, refused = await save_uploads(desk, uploads)
    sources = [*saved, *([lists] if form.get("use_lists") and lists.is_dir() else [])]
    level = str(form.get("level", "province"))
    year = str(form.get("year", ""))
    division = str(form.get("division", "")).strip() or None
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
            where = f"{saved[0].parent}/" if saved else "\0"
            lines += [scrub(str(p).replace(where, "")) for p in result.problems]
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
