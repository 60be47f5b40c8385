"""人员: every person record — name, home unit, where they serve, term, 第二条 (with the reasons
on hover), documents issued / current / out of date (the ledger of OUT), subsidy payable;
filtered by 州(市), county and year, searched by name or the last digits of the ID number.

``summaries(desk, as_of) -> list[Summary]`` reads every record (``formkit.load.load_case``),
derives its facts once and asks the ledger whether each issued document is current
(``formkit.jobs.persons.document_key``, the key ``render`` would issue it under).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from formkit.desk.app import page
from formkit.desk.store import cases_dir, record_names
from formkit.load.records import DRAFT_MESSAGE, STOPPED_CROSS, is_draft


@dataclass
class Summary:
    """One row of the list (every text already as shown; the ID number masked)."""

    name: str
    file: str
    ok: bool = False
    draft: bool = False
    problems: int = 0
    id_masked: str = ""
    id_number: str = field(default="", repr=False)
    home_unit: str = ""
    prefecture: str = ""
    prefecture_name: str = ""
    county: str = ""
    county_name: str = ""
    township: str = ""
    start: date | None = None
    end: date | None = None
    eligible: bool | None = None
    reasons: str = ""
    issued: int = 0
    current: int = 0
    outdated: int = 0
    payable: str = ""


def summarize(path, ledger, as_of: date) -> Summary:
    """The row of the record at ``path``."""
    from formkit.context import document_context
    from formkit.context.filters import money_figures
    from formkit.facts import derive
    from formkit.forms import load_form
    from formkit.jobs.persons import document_key
    from formkit.load import load_case
    from formkit.plan import plan_documents
    from formkit.privacy import mask_id_number

    loaded = load_case(path)
    row = Summary(name=path.stem, file=path.name)
    row.draft = is_draft(path)
    case = loaded.record
    if case is None:
        # counted as the form counts them: not the draft notice, not 「其余跨字段检查…」
        row.problems = sum(e.message not in (DRAFT_MESSAGE, STOPPED_CROSS) for e in loaded.errors)
        data = loaded.data if isinstance(loaded.data, dict) else {}
        applicant = data.get("applicant") if isinstance(data.get("applicant"), dict) else {}
        if isinstance(applicant.get("name"), str):
            row.name = applicant["name"]
        number = applicant.get("id_number")
        if isinstance(number, str) and number.strip():  # a draft is found by its ID number too
            row.id_number = number.strip().upper()
            row.id_masked = mask_id_number(row.id_number)
        return row
    facts = derive(case, as_of)
    row.ok = True
    row.name = case.applicant.name
    row.id_number = case.applicant.id_number
    row.id_masked = mask_id_number(case.applicant.id_number)
    row.home_unit = case.home_unit.name
    row.prefecture, row.prefecture_name = facts.prefecture, facts.prefecture_name
    row.county, row.county_name = case.service.county, facts.county_name
    row.township = case.service.township
    row.start, row.end = case.agreement.start, case.agreement.end
    row.eligible = facts.eligibility.eligible
    row.reasons = "；".join(facts.eligibility.reason_texts)
    row.payable = money_figures(facts.subsidy.total_payable)
    person = ledger.person_by_id(case.applicant.id_number) if ledger is not None else None
    if person is not None:
        issued = {d.id: d for d in ledger.of_person(person.number) if not d.withdrawn}
        row.issued = len(issued)
        for form_id in sorted({d.form for d in issued.values()}):
            for doc in plan_documents(load_form(form_id), case, facts):
                doc_id = f"{person.number}/{doc.identity}"
                if doc_id not in issued:
                    continue
                key = document_key(case, doc, document_context(case, facts, doc), path.parent)
                if ledger.is_current(doc_id, key):
                    row.current += 1
        row.outdated = row.issued - row.current
    return row


def summaries(desk, as_of: date) -> list[Summary]:
    from formkit.output.ledger import Ledger

    ledger = Ledger.read(desk.out_dir) if (desk.out_dir / "ledger.jsonl").exists() else None
    root = cases_dir(desk.data_dir)
    return [summarize(root / name, ledger, as_of) for name in record_names(desk.data_dir)]


def matches(row: Summary, prefecture: str, county: str, year: str, query: str) -> bool:
    """Whether ``row`` passes the filters (empty ones pass everything). ``year``: the service
    term covers part of it; ``query``: part of the name, or the last digits of the ID number."""
    if prefecture and row.prefecture != prefecture:
        return False
    if county and row.county != county:
        return False
    if year:
        if row.start is None or not (row.start.year <= int(year) <= row.end.year):
            return False
    query = query.strip()
    if query:
        digits = query.upper()
        by_id = digits.isascii() and digits.isalnum() and len(digits) >= 3 and row.id_number.endswith(digits)
        if query not in row.name and query not in row.file and not by_id:
            return False
    return True


async def people_page(request: Request) -> Response:
    desk = request.app.state.desk
    rows = summaries(desk, date.today())
    q = request.query_params
    prefecture, county = q.get("prefecture", ""), q.get("county", "")
    year = q.get("year", "")
    year = year if year.isdigit() and len(year) == 4 else ""
    query = q.get("q", "")[:40]
    shown = [r for r in rows if matches(r, prefecture, county, year, query)]
    prefectures = sorted({(r.prefecture, r.prefecture_name) for r in rows if r.ok})
    counties = sorted({(r.county, r.county_name) for r in rows if r.ok and (not prefecture or r.prefecture == prefecture)})
    years = sorted({y for r in rows if r.ok for y in range(r.start.year, r.end.year + 1)}, reverse=True)
    return page(request, "people.html", rows=shown, total=len(rows), prefectures=prefectures, counties=counties,
                years=years, f={"prefecture": prefecture, "county": county, "year": year, "q": query},
                today=date.today())


def routes() -> list[Any]:
    return [Route("/people", people_page)]
