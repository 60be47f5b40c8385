"""The yearly calendar (第三、十条): demand information (its collection 年初, then the
deadlines) and subsidy declarations.

The policy says "3月初" (early March) and so on; the parameter file takes early month as the
10th, and every :class:`Deadline` keeps the policy's own wording for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from formkit.rules.params import DeadlineRule, PolicyParams, load_params

__all__ = ["Deadline", "declaration_deadline", "demand_calendar", "demand_collection"]


@dataclass(frozen=True)
class Deadline:
    """``level`` ('county' | 'prefecture' | 'province') must do ``action`` (Chinese) by ``due``
    (inclusive); ``wording`` is the policy's phrase ("3月初"), ``article`` its source."""

    level: str
    action: str
    due: date
    wording: str
    article: str


def _deadline(rule: DeadlineRule, year: int) -> Deadline:
    return Deadline(rule.level, rule.action, rule.on(year), rule.wording, rule.article)


def demand_calendar(year: int, params: PolicyParams | None = None) -> list[Deadline]:
    """The demand-information deadlines of ``year`` (第三条), in order: county publishes and
    reports by early March (3月初 → 3-10), 州(市) reports to the province by early April,
    the province publishes by early May."""
    p = load_params() if params is None else params
    return sorted((_deadline(r, year) for r in p.demand_calendar), key=lambda d: d.due)


def declaration_deadline(year: int, params: PolicyParams | None = None) -> date:
    """The last day (inclusive) for the 州(市) to declare ``year``'s subsidies to the province,
    附件4 and 附件5 (第十条 于当年年底前): 31 December of ``year``."""
    p = load_params() if params is None else params
    return p.declaration_deadline.on(year)


def demand_collection(year: int, params: PolicyParams | None = None) -> Deadline | None:
    """When the counties start collecting the townships' demand information in ``year`` (第三条
    每年年初 → 1 January), or ``None`` when the parameters do not say."""
    p = load_params() if params is None else params
    return None if p.demand_collection is None else _deadline(p.demand_collection, year)
