"""第二条 — who may serve with the subsidy: eligibility of a case, with every reason.

第二条: 县及县以上 units' professionals holding a 中级以上（含中级）职称, or health personnel
holding 执业医师资格, serving voluntarily in a professional post of a township (乡镇) enterprise
or public institution, continuously for 2 years or more (第十三条: counted in whole 周年).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from formkit.model import Case, UnitLevel
from formkit.rules.params import PolicyParams, load_params
from formkit.rules.periods import whole_years

QUALIFYING_PRACTICE = "执业医师资格"
_QUALIFYING_LEVELS = ("中级", "副高级", "正高级")

SERVICE_LENGTH_SHORT = "协议服务期仅满 {years} 周年，未满 {minimum} 周年不享受补贴（第二条、第十三条）"
"""The reason given when the agreement is shorter than ``minimum_years`` (第二、十三条)."""


class ReasonKind(str, Enum):
    """Which condition of 第二条 a reason says is not met."""

    UNIT_LEVEL = "unit_level"
    """The home unit is not 县及县以上."""
    QUALIFICATION = "qualification"
    """Neither a 中级以上 title nor 执业医师资格."""
    SERVICE_PLACE = "service_place"
    """The place of service is not a 乡镇."""
    SERVICE_LENGTH = "service_length"
    """Fewer than ``minimum_years`` whole years (第二、十三条)."""
    QUALIFIED_AFTER_SIGNING = "qualified_after_signing"
    """The qualifying title or 执业医师资格 was obtained only after the agreement was signed:
    第二条 admits those who hold it when they go to serve."""


@dataclass(frozen=True)
class Reason:
    """One reason a case is outside 第二条: its ``kind``, the Chinese ``text`` (citing the
    article) and the ``article``. Callers decide by ``kind``, never by the wording."""

    kind: ReasonKind
    text: str
    article: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Eligibility:
    """Outcome of 第二条: ``eligible`` and, either way, the grounds (text) and the reasons
    (:class:`Reason`), each citing its article."""

    eligible: bool
    grounds: tuple[str, ...]
    reasons: tuple[Reason, ...]

    @property
    def reason_texts(self) -> tuple[str, ...]:
        """The reasons' Chinese text, in order."""
        return tuple(r.text for r in self.reasons)


def title_level_of(case: Case) -> str | None:
    """The title's level (员级 … 正高级) or ``None`` when the case has no title.

    Raises ``InvalidValue`` for an ambiguous or unknown title without ``title_level`` (spec §4.6).
    """
    from formkit.reference.titles import resolve_title

    q = case.qualification
    return resolve_title(q.title, q.title_level) if q.title else None


def obtained_after(obtained: date | None, signed: date) -> bool:
    """Whether a title or qualification of month ``obtained`` (a 年月, day 1) came after the
    day ``signed``; the month of signing itself counts as in time (the day is not recorded)."""
    return obtained is not None and (obtained.year, obtained.month) > (signed.year, signed.month)


_UNSET: object = object()


def eligibility(
    case: Case,
    params: PolicyParams | None = None,
    *,
    years: int | None = None,
    title_level: str | None | object = _UNSET,
) -> Eligibility:
    """Check 第二条 (and 第十三条's whole years); returns every reason, not only the first.

    ``years`` (whole years of the agreement) and ``title_level`` (:func:`title_level_of`, may
    be ``None``) are computed from ``case`` unless the caller (``formkit.facts.derive``) has
    them already.
    """
    params = params or load_params()
    grounds: list[str] = []
    reasons: list[Reason] = []

    level = case.home_unit.level
    if level is UnitLevel.TOWNSHIP:
        reasons.append(Reason(ReasonKind.UNIT_LEVEL,
                              f"所在单位为{level.value}，第二条限县及县以上单位的专业技术人员（第二条）", "第二条"))
    else:
        grounds.append(f"所在单位为{level.value}单位，属县及县以上（第二条）")

    q = case.qualification
    if title_level is _UNSET:
        title_level = title_level_of(case)
    has_title = title_level in _QUALIFYING_LEVELS
    has_practice = (q.practice_qualification or "").strip() == QUALIFYING_PRACTICE
    signed = case.agreement.signed_on
    late: list[str] = []  # qualifying, but obtained after the agreement was signed
    if has_title and obtained_after(q.title_date, signed):
        late.append(f"职称「{q.title}」（{title_level}）{q.title_date.year}年{q.title_date.month}月才取得")
        has_title = False
    if has_practice and obtained_after(q.practice_date, signed):
        late.append(f"{QUALIFYING_PRACTICE}{q.practice_date.year}年{q.practice_date.month}月才取得")
        has_practice = False
    if has_title:
        grounds.append(f"职称「{q.title}」为{title_level}，中级以上（含中级）（第二条）")
    if has_practice:
        grounds.append(f"具有{QUALIFYING_PRACTICE}的卫生技术人员（第二条）")
    if late and not (has_title or has_practice):
        reasons.append(Reason(
            ReasonKind.QUALIFIED_AFTER_SIGNING,
            f"{'，'.join(late)}，晚于协议签订日期 {signed.year}年{signed.month}月{signed.day}日；签订协议时尚无"
            f"中级以上职称或{QUALIFYING_PRACTICE}（第二条）", "第二条"))
    elif not (has_title or has_practice):
        what = f"职称「{q.title}」为{title_level}" if q.title else "无职称"
        reasons.append(Reason(ReasonKind.QUALIFICATION,
                              f"{what}，且无{QUALIFYING_PRACTICE}；第二条要求中级以上职称或{QUALIFYING_PRACTICE}（第二条）",
                              "第二条"))

    township = case.service.township
    if township.endswith(("乡", "镇")):
        grounds.append(f"服务地为{township}（乡镇）（第二条）")
    else:
        reasons.append(Reason(ReasonKind.SERVICE_PLACE,
                              f"服务地「{township}」不是乡镇；第二条限乡镇企事业单位（第二条）", "第二条"))

    if years is None:
        years = whole_years(case.agreement.start, case.agreement.end)
    if years >= params.minimum_years:
        grounds.append(f"协议服务期满 {years} 周年，不少于 {params.minimum_years} 年（第二条、第十三条）")
    else:
        reasons.append(Reason(ReasonKind.SERVICE_LENGTH,
                              SERVICE_LENGTH_SHORT.format(years=years, minimum=params.minimum_years),
                              "第二条、第十三条"))
    return Eligibility(not reasons, tuple(grounds), tuple(reasons))
