"""A person's documents on the desk: preview, issue, download, what changed.

- ``documents_of(desk, file, case)``: every document the record makes (``formkit.plan``), with
  what the ledger of OUT says of it (version, current or out of date, its files and superseded
  versions), and the lines of ``formkit diff`` (``formkit.jobs.diff.record_diff``).
- Preview (``GET /person/{file}/preview?doc=agreement``): the saved record's document rendered
  in memory as a PDF (``formkit.render.render_document``), its pages as PNG (``pdftoppm``);
  nothing is issued or written to OUT.
- Issue (``POST /person/{file}/issue``, ``form``): ``formkit.jobs.persons.run`` with that form,
  under ``Ledger.open(OUT)`` — the same job as ``formkit render --forms``: versions,
  ``superseded/``, and the refusal of 附件2/服务协议 for a person outside 第二条.
- Download (``GET /files/{path}``): only a file the ledger lists, inside OUT; ``/person/{file}/zip``
  every current file of the person.
"""

from __future__ import annotations

import io
import subprocess
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from formkit.desk.app import form_of, page
from formkit.desk.store import open_record, record_path, sha256
from formkit.errors import FormkitError, UsageError
from formkit.privacy import scrub
from formkit.safe_names import inside

PERSON_FORMS = ("application", "agreement", "appraisal")


@dataclass
class DocState:
    """One document of the record and its state in the ledger."""

    identity: str
    title: str
    form: str
    form_title: str
    version: int = 0
    current: bool = False
    files: list[str] = field(default_factory=list)
    """Current files, relative to OUT."""
    superseded: list[tuple[int, str]] = field(default_factory=list)
    """(version, file relative to OUT) of earlier versions."""


@dataclass
class PersonDocs:
    docs: list[DocState]
    diff: list[str]
    eligible: bool


def _ledger(desk):
    from formkit.output.ledger import Ledger

    return Ledger.read(desk.out_dir)


def documents_of(desk, file: str, case) -> PersonDocs:
    from formkit.context import document_context
    from formkit.facts import derive
    from formkit.forms import load_form
    from formkit.jobs.persons import document_key
    from formkit.plan import plan_documents

    path = record_path(desk.data_dir, file)
    facts = derive(case, date.today())
    ledger = _ledger(desk)
    person = ledger.person_by_id(case.applicant.id_number)
    docs = []
    for form_id in PERSON_FORMS:
        form = load_form(form_id)
        for doc in plan_documents(form, case, facts):
            state = DocState(doc.identity, doc.stem, form_id, form.short_title)
            issued = ledger.documents.get(f"{person.number}/{doc.identity}") if person else None
            if issued is not None and not issued.withdrawn:
                key = document_key(case, doc, document_context(case, facts, doc), path.parent)
                state.version = issued.version
                state.current = ledger.is_current(issued.id, key)
                state.files = [f"{issued.folder}/{n}" if issued.folder else n for n in issued.files]
                for old in issued.history:
                    state.superseded += [(old.version, f"{old.folder}/{n}") for n in old.files]
            docs.append(state)
    diff: list[str] = []
    if person is not None and path.is_file():
        from formkit.jobs.diff import record_diff

        try:
            lines, changed = record_diff(path, desk.out_dir, date.today(), chinese_only=True)
            diff = [scrub(line) for line in lines] if changed else []
        except FormkitError:
            diff = []
    return PersonDocs(docs, diff, facts.eligibility.eligible)


def _saved_case(desk, file: str):
    """The saved record ``file`` (loaded as ``formkit check`` does); ``UsageError`` when it has errors."""
    from formkit.load import load_case

    path = record_path(desk.data_dir, file)
    loaded = load_case(path)
    if loaded.record is None:
        raise UsageError("记录尚有错误（或尚未保存），请先改正并保存，再预览或生成文书")
    return path, loaded.record


def preview_pages(desk, file: str, identity: str) -> tuple[str, list[Path]]:
    """The PNG pages of the saved record's document ``identity`` (rendered in memory, cached by
    the record's bytes); its title."""
    from formkit.facts import derive
    from formkit.forms import load_form
    from formkit.plan import plan_documents
    from formkit.render import render_document

    path, case = _saved_case(desk, file)
    facts = derive(case, date.today())
    form_id = identity.split("/")[0]
    if form_id not in PERSON_FORMS:
        raise UsageError(f"没有这种文书：{identity[:40]}")
    doc = next((d for d in plan_documents(load_form(form_id), case, facts) if d.identity == identity), None)
    if doc is None:
        raise UsageError(f"此记录没有这份文书：{identity[:40]}")
    digest = sha256(path.read_bytes() + identity.encode())[:24]
    folder = desk.cache / digest
    if not folder.is_dir():
        pdf = render_document(case, facts, doc, ("pdf",), assets_dir=path.parent).files[doc.print_file()]
        tmp = desk.cache / f"{digest}.tmp"
        tmp.mkdir(exist_ok=True)
        (tmp / "doc.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(tmp / "doc.pdf"), str(tmp / "page")], check=True,
                       capture_output=True, timeout=120)
        tmp.rename(folder)
    return doc.stem, sorted(folder.glob("page*.png"))


async def preview(request: Request) -> Response:
    desk = request.app.state.desk
    file = request.path_params["file"]
    identity = request.query_params.get("doc", "agreement")
    try:
        title, pages = preview_pages(desk, file, identity)
    except FormkitError as exc:
        return page(request, "message.html", status=400, title="无法预览", text=str(exc), back=f"/person/{quote(file)}")
    return page(request, "preview.html", file=file, title=title, identity=identity, count=len(pages))


async def preview_png(request: Request) -> Response:
    desk = request.app.state.desk
    file, number = request.path_params["file"], request.path_params["n"]
    identity = request.query_params.get("doc", "agreement")
    try:
        _, pages = preview_pages(desk, file, identity)
        if not 1 <= int(number) <= len(pages):
            raise IndexError(number)
        return FileResponse(pages[int(number) - 1], media_type="image/png")
    except (FormkitError, IndexError, ValueError):
        return Response("没有这一页", status_code=404)


async def issue(request: Request) -> Response:
    """Issue one form of the saved record through the CLI's job and ledger."""
    from formkit.jobs.persons import Selection, run
    from formkit.output.ledger import Ledger

    desk = request.app.state.desk
    file = request.path_params["file"]
    form = await form_of(request)
    form_id = str(form.get("form", ""))
    back = f"/person/{quote(file)}"
    if form_id not in PERSON_FORMS:
        return page(request, "message.html", status=400, title="无法生成", text="没有选择文书", back=back)
    try:
        path, _ = _saved_case(desk, file)
        with Ledger.open(desk.out_dir, wait=10) as ledger:
            outcomes = run(ledger, [path], Selection((form_id,), ("docx", "pdf")), date.today())
    except FormkitError as exc:
        return page(request, "message.html", status=400, title="无法生成", text=str(exc), back=back)
    outcome = outcomes[0]
    from formkit.jobs.persons import ALLOW_HINT

    lines = [scrub(p.message.replace(ALLOW_HINT, "")) for p in outcome.problems]  # no command-line option here
    if outcome.refused or outcome.failed:
        return page(request, "message.html", status=409, title="未生成文书",
                    text="；".join(lines) or "未生成", back=back)
    r = outcome.result
    request.session["flash"] = (f"已生成：新出具 {r.new}，更正 {r.corrected}（旧版移入 superseded/），未变 {r.unchanged}；"
                                f"写入 {r.files} 个文件")
    return RedirectResponse(back + "#documents", status_code=303)


def _issued_file(desk, relative: str) -> Path:
    """A file of OUT the ledger lists (current or superseded); ``UsageError`` otherwise."""
    target = inside(desk.out_dir, relative)
    if relative not in _ledger(desk).listed_paths() or not target.is_file():
        raise UsageError("没有这个文件")
    return target


async def download(request: Request) -> Response:
    desk = request.app.state.desk
    relative = request.path_params["path"]
    try:
        target = _issued_file(desk, relative)
    except FormkitError:
        return Response("没有这个文件", status_code=404, media_type="text/plain; charset=utf-8")
    return FileResponse(target, filename=target.name)


async def download_zip(request: Request) -> Response:
    desk = request.app.state.desk
    file = request.path_params["file"]
    try:
        path, case = _saved_case(desk, file)
    except FormkitError as exc:
        return page(request, "message.html", status=400, title="无法下载", text=str(exc))
    docs = documents_of(desk, file, case)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for doc in docs.docs:
            for relative in doc.files:
                archive.write(_issued_file(desk, relative), Path(relative).name)
    name = f"{case.applicant.name}_文书.zip"
    return Response(buffer.getvalue(), media_type="application/zip",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


def routes() -> list[Any]:
    return [
        Route("/person/{file}/preview", preview),
        Route("/person/{file}/preview/{n}.png", preview_png),
        Route("/person/{file}/issue", issue, methods=["POST"]),
        Route("/person/{file}/zip", download_zip),
        Route("/files/{path:path}", download),
    ]
