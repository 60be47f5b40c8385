"""一个人: one record as a form (``formkit.desk.fields``), checked as the clerk leaves each
field, with what ``formkit explain`` says beside it, saved to its YAML file.

Routes: ``GET /person/new`` (blank form), ``GET /person/{file}`` (a record), ``POST
/person/check`` (htmx: every field's problems and the side panel, swapped in place),
``POST /person/save`` (save; or add a row to a list and show the form again). The form carries
the record's file name and the SHA-256 of its bytes when it was opened: a save over a file
changed since is refused (``store.save_record``) and the form comes back with everything typed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from formkit.desk import fields as F
from formkit.desk.app import form_of, page
from formkit.desk.store import (check_record, new_record_name, open_record, record_path, save_record)
from formkit.errors import FormkitError, InvalidValue, Problem
from formkit.privacy import scrub


def explain_panel(record: Any) -> dict[str, Any] | None:
    """What ``formkit explain`` says of a valid record today (its lines), and the eligibility."""
    from formkit.explain import explain_lines
    from formkit.facts import derive

    if record is None:
        return None
    try:
        facts = derive(record, date.today())
    except InvalidValue as exc:
        return {"eligible": False, "lines": [str(exc)]}
    return {"eligible": facts.eligibility.eligible, "lines": explain_lines(record, facts),
            "reasons": list(facts.eligibility.reason_texts), "filing": facts.filing_department.name}


def typed(data: dict[str, Any]) -> bool:
    """Whether the clerk typed anything: a blank form's mapping holds only empty lists (简历, 考核)."""
    return any(data.values())


def problems_by_field(problems: tuple[Problem, ...] | list[Problem], secs: list[F.Section]) -> dict[str, list[str]]:
    """Each problem's message under the field (or section) it belongs to; ``""``: the record."""
    names = {f.name for f in F.all_fields(secs)}
    out: dict[str, list[str]] = {}
    for p in problems:
        if p.message.startswith("其余跨字段检查需先改正以上错误"):
            continue
        where = F.field_for_problem(p.path, names)
        prefix = "" if p.is_error else "提示："
        label = f"{p.label}：" if p.label and where != p.path else ""
        out.setdefault(where, []).append(scrub(f"{prefix}{label}{p.message}"))
    return out


def problem_links(problems: dict[str, list[str]], secs: list[F.Section]) -> list[tuple[str, str, str]]:
    """Every problem as (anchor, label, message) in the form's order, for the panel's list: a
    keyboard user jumps to the field from there."""
    fields = {f.name: f for f in F.all_fields(secs)}
    order = [n for s in secs for n in (s.name, *(f.name for f in F.all_fields([s])))]  # the form's order
    out = []
    for name in sorted(problems, key=lambda n: order.index(n) if n in order else -1):
        f = fields.get(name)
        anchor = f.dom_id if f else (f"sec-{name}" if name else "record")
        label = f.label if f else next((s.label for s in secs if s.name == name), "记录")
        out += [(anchor, label, m) for m in problems[name]]
    return out


def _view(request: Request, values: dict[str, str], *, file: str, digest: str, extra: dict[str, int] | None = None,
          message: str = "", error: str = "", status: int = 200, draft: bool = False) -> Response:
    desk = request.app.state.desk
    secs = F.sections(values, extra)
    # after 增加一项 the page opens on the new row's first field (not at the top of the form)
    focus = next((s.rows[-1][0].dom_id for s in secs if extra and s.name in extra and s.rows), "")
    data = F.form_to_data(values, secs)
    loaded = check_record(data, file or "新记录.yaml", desk.data_dir) if typed(data) else None
    problems = problems_by_field(loaded.problems, secs) if loaded is not None else {}
    panel = explain_panel(loaded.record if loaded is not None else None)
    issued = None
    if file and loaded is not None and loaded.record is not None:
        from formkit.desk.documents import documents_of

        issued = documents_of(desk, file, loaded.record)
    return page(request, "person.html", status=status, sections=secs, values=values, problems=problems,
                links=problem_links(problems, secs),
                panel=panel, file=file, digest=digest, message=message, error=error, draft=draft, focus=focus,
                ok=loaded is not None and loaded.ok, count=sum(len(v) for v in problems.values()), issued=issued)


async def new_person(request: Request) -> Response:
    return _view(request, {}, file="", digest="")


async def show_person(request: Request) -> Response:
    desk = request.app.state.desk
    file = request.path_params["file"]
    try:
        path = record_path(desk.data_dir, file)
    except FormkitError as exc:
        return page(request, "message.html", status=404, title="找不到记录", text=str(exc))
    if not path.is_file():
        return page(request, "message.html", status=404, title="找不到记录", text=f"没有记录文件 {file}")
    opened = open_record(path)
    message = {"saved": "已保存。", "draft": "已保存为草稿（尚有错误，改正前不能生成文书）。"}.get(
        request.query_params.get("done", ""), "")
    return _view(request, F.data_to_values(opened.data), file=file, digest=opened.digest, message=message,
                 draft=opened.draft)


def _posted(form: Any) -> dict[str, str]:
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


async def check_person(request: Request) -> Response:
    """htmx: the problems of every field and the side panel, as out-of-band swaps."""
    desk = request.app.state.desk
    values = _posted(await form_of(request))
    file = values.get("_file", "")
    secs = F.sections(values)
    data = F.form_to_data(values, secs)
    loaded = check_record(data, file or "新记录.yaml", desk.data_dir)
    problems = problems_by_field(loaded.problems, secs)
    return page(request, "_checked.html", sections=secs, problems=problems, links=problem_links(problems, secs),
                panel=explain_panel(loaded.record), ok=loaded.ok, count=sum(len(v) for v in problems.values()))


async def save_person(request: Request) -> Response:
    desk = request.app.state.desk
    values = _posted(await form_of(request))
    file, digest = values.get("_file", ""), values.get("_digest", "")
    add = values.get("add_row", "")
    if add in F.SECTION_ORDER:
        extra = {add: 1}
        return _view(request, values, file=file, digest=digest, extra=extra)
    secs = F.sections(values)
    data = F.form_to_data(values, secs)
    if not typed(data):
        return _view(request, values, file=file, digest=digest, error="表单是空的，没有保存。", status=400)
    if not file:
        name = data.get("applicant", {}).get("name", "") if isinstance(data.get("applicant"), dict) else ""
        file = new_record_name(desk.data_dir, name)
        expected = None
    else:
        expected = digest or None
    try:
        path = record_path(desk.data_dir, file)
        loaded = check_record(data, file, desk.data_dir)
        save_record(path, data, expected_sha256=expected, draft=not loaded.ok)
    except FormkitError as exc:
        keep = values.get("_file", "")
        return _view(request, values, file=keep, digest=digest, error=str(exc), status=409)
    done = "saved" if loaded.ok else "draft"
    from urllib.parse import quote

    return RedirectResponse(f"/person/{quote(file)}?done={done}", status_code=303)


def routes() -> list[Any]:
    return [
        Route("/person/new", new_person),
        Route("/person/check", check_person, methods=["POST"]),
        Route("/person/save", save_person, methods=["POST"]),
        Route("/person/{file}", show_person),
    ]
