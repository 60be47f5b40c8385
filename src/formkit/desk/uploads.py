"""Uploaded workbooks (需求汇总, 导入): at most ``MAX_FILES`` files of at most ``MAX_UPLOAD``
bytes each (the whole request is limited by ``app.MAX_BODY`` before it is read), ``.xlsx`` only
— by name and by content (a ZIP container) —, saved under the desk's temporary folder with a
safe name; the workbook readers apply their own limits (``formkit.load.xlsx_guard``)."""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.datastructures import UploadFile

from formkit.safe_names import safe_name

MAX_UPLOAD = 10_000_000
MAX_FILES = 50


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
            n = 1
            while target.exists():  # two uploads of one name: both kept
                n += 1
                target = folder / f"{safe_name(Path(name).stem)}（{n}）.xlsx"
            target.write_bytes(data)
            saved.append(target)
    if len(uploads) > MAX_FILES:
        refused.append(f"一次最多上传 {MAX_FILES} 个文件，其余未读")
    return saved, refused
