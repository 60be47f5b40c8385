"""待办: what is due in a year (第三、九、十条), for ``formkit calendar`` and the desk's 待办 page,
and the same as an iCalendar file.

``due_items(cases, year, as_of)`` lists, by date:

- the demand-information dates of the year (第三条: 年初 the counties collect the townships'
  demand, 3月初 they publish and report it, 4月初 the 州(市) report to the province, 5月初 the
  province publishes) — ``formkit.rules.calendar.demand_collection`` and ``demand_calendar``;
- every 考核鉴定 (附件3, 第九条) whose period ends by the end of the year and has no result in
  the record — ``formkit.rules.appraisal.appraisals_due`` — including earlier years' still
  missing (those are overdue); the service county's HR department appraises (第九条);
- the 州(市)'s declaration of the year's subsidies (附件4、附件5) by the year's end (第十条) —
  ``declaration_deadline`` — one per 州(市) of the records, with the people its declaration lists
  as of ``as_of`` (``formkit.rollup.declaration.build_declaration``, the declaration's own rule).

``write_ics(items, year)`` gives the same as an iCalendar (RFC 5545) file of all-day events, made
with the ``icalendar`` library; the output depends only on its inputs (UIDs from the items,
DTSTAMP the day ``as_of``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

LEVELS = {"county": "县（市、区）", "prefecture": "州（市）", "province": "省"}


@dataclass(frozen=True)
class DueItem:
    """One thing due: on ``due`` (inclusive), ``kind`` (``demand``, ``appraisal``,
    ``declaration``), ``title`` (short, Chinese), ``detail`` (who does what), ``article`` (第N条),
    ``wording`` (how the policy puts the date: 「3月初」, 「期满后」, 「当年年底前」), ``who`` (the
    department), ``record`` (the case file of an appraisal), ``state``: ``done`` (the date has
    passed: a demand date), ``overdue`` (past and not done: an appraisal without a result),
    ``open`` (still ahead, or due today); ``command`` (the formkit command that does it, for the
    command line only: the desk and the .ics calendar leave it out)."""

    due: date
    kind: str
    title: str
    detail: str
    article: str
    wording: str
    who: str = ""
    record: str = ""
    state: str = "open"
    command: str = ""

    @property
    def state_text(self) -> str:
        return {"done": "日期已过", "overdue": "已到期，尚无结果", "open": "待办"}[self.state]

    @property
    def uid(self) -> str:
        key = f"{self.kind}|{self.due.isoformat()}|{self.title}|{self.record}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24] + "@formkit"


def due_items(cases: Iterable[tuple[str | Path, Any]], year: int, as_of: date) -> list[DueItem]:
    """What is due in ``year`` for the validated case records ``cases`` (``(file, Case)`` pairs),
    as of the day ``as_of`` (see the module docstring), sorted by date (on one day: demand dates,
    appraisals in the order of ``cases``, declarations by 州(市) code). A 州(市) is listed when its
    declaration lists someone or one of its people awaits an appraisal this year; with none, one
    item states the deadline. Pure: reads no clock and no file."""
    from formkit.facts import derive
    from formkit.reference.divisions import name_on
    from formkit.rollup.declaration import build_declaration
    from formkit.rules.appraisal import appraisals_due
    from formkit.rules.calendar import declaration_deadline, demand_calendar, demand_collection
    from formkit.rules.params import load_params

    items: list[DueItem] = []
    start = demand_collection(year)
    for d in ([start] if start is not None else []) + demand_calendar(year):
        items.append(DueItem(d.due, "demand", f"需求信息（{d.wording}）", d.action, d.article, d.wording,
                             LEVELS.get(d.level, d.level), state="done" if d.due < as_of else "open"))
    year_end = date(year, 12, 31)
    entries = []
    awaited: set[str] = set()  # 州(市) with someone whose appraisal is still to be made
    for file, case in cases:
        facts = derive(case, as_of)
        entries.append((case, facts, str(file)))
        ag = case.agreement
        recorded = {(t.start, t.end) for t in case.term_appraisals}
        for due in appraisals_due(ag.start, ag.end, year_end):
            if (due.period_start, due.period_end) in recorded:
                continue
            awaited.add(facts.prefecture)
            items.append(DueItem(
                due.period_end, "appraisal", f"{case.applicant.name}：{due.label}",
                f"{case.applicant.name}（{case.service.unit}）{due.label}，考核期间 {due.period_start}—{due.period_end}；"
                f"由{facts.service_department.name}填写考核鉴定表（附件3），期满后进行",
                "第九条", "期满后", facts.service_department.name, str(file),
                "overdue" if due.period_end < as_of else "open"))
    rule = load_params().declaration_deadline
    deadline = declaration_deadline(year)
    listed_any = False
    for code in sorted({facts.prefecture for _, facts, _ in entries}):
        decl = build_declaration([e for e in entries if e[1].prefecture == code], code, year)
        if not decl.total_people and code not in awaited:
            continue  # nobody to declare this year, nobody awaiting the appraisal that would list them
        listed_any = True
        listed = (f"目前可列入 {decl.total_people} 人，核发 {decl.total_years} 年" if decl.total_people
                  else "目前尚无可列入的人员，有考核鉴定待完成")
        items.append(DueItem(deadline, "declaration", f"{name_on(code, year)}{year}年度补贴申报（附件4、附件5）",
                             f"{rule.action}（{listed}）", rule.article, rule.wording, decl.hr_department,
                             state="open" if deadline >= as_of else "done",
                             command=f"formkit declare --prefecture {code} --year {year}"))
    if not listed_any:
        items.append(DueItem(deadline, "declaration", f"{year}年度补贴申报（附件4、附件5）", rule.action, rule.article,
                             rule.wording, LEVELS.get(rule.level, rule.level),
                             state="open" if deadline >= as_of else "done"))
    rank = {"demand": 0, "appraisal": 1, "declaration": 2}
    return sorted(items, key=lambda i: (i.due, rank[i.kind]))  # stable: records and 州(市) in their order


def item_line(item: DueItem) -> str:
    """One item as a line: ``2026-03-10  3月初  需求信息（3月初）：…（第三条）  待办``."""
    command = f"；{item.command}" if item.command else ""
    return f"{item.due}  {item.wording}  {item.title}：{item.detail}（{item.article}）{command}  [{item.state_text}]"


def write_ics(items: Iterable[DueItem], year: int, as_of: date) -> bytes:
    """The items as an iCalendar file: one all-day ``VEVENT`` each (``DTSTART`` the due day,
    ``SUMMARY`` the title, ``DESCRIPTION`` the detail with its article and state, ``CATEGORIES``
    the kind), ``X-WR-CALNAME`` 「到基层服务待办 <year>」. Deterministic."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//formkit//到基层服务待办//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"到基层服务待办 {year}")
    stamp = datetime(as_of.year, as_of.month, as_of.day, tzinfo=timezone.utc)
    kinds = {"demand": "需求信息", "appraisal": "考核鉴定", "declaration": "补贴申报"}
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.due)
        event.add("dtend", item.due + timedelta(days=1))
        event.add("summary", f"{item.title}（{item.article}）")
        event.add("description", f"{item.detail}\n依据：{item.article}（{item.wording}）\n状态：{item.state_text}"
                  + (f"\n记录：{item.record}" if item.record else ""))
        event.add("categories", [kinds.get(item.kind, item.kind)])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()


__all__ = ["DueItem", "due_items", "item_line", "write_ics"]
