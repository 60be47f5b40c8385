"""第四、五、六、九条 — which HR department files, arranges, and appraises, by real name.

第四条: the application is filed by the HR department of the home unit's level — 省属 →
云南省人力资源和社会保障厅, 州(市)属 → that 州(市)'s 人力资源和社会保障局, 县属 → that
县(市、区)'s 人力资源和社会保障局 — which also arranges the post (第五条) and holds the third copy of
附件2. 第六、九条: the service county's HR department hosts the signing and appraises.
Names are those in force in the given year (GB/T 2260 history, e.g. 晋宁县 → 晋宁区 in 2016).
"""

from __future__ import annotations

from dataclasses import dataclass

from formkit.model import Case, UnitLevel

PROVINCE_CODE = "530000"


@dataclass(frozen=True)
class Department:
    """An HR department: its official ``name``, the ``division`` code it serves, the ``article``."""

    name: str
    division: str
    article: str


def filing_department(case: Case, year: int | None = None) -> Department:
    """第四、五条: the HR department that files the application and arranges the post.

    ``year`` picks the division name in force (default: the agreement's signing year).
    A 乡(镇)属 unit is outside 第二条 (eligibility says so); its nearest HR department is the
    county's, which is returned with the article marked accordingly.
    """
    from formkit.reference.divisions import current, hr_department, prefecture_of

    year = year or case.agreement.signed_on.year
    level = case.home_unit.level
    code = case.home_unit.division
    if level is UnitLevel.PROVINCE:
        target = PROVINCE_CODE
    elif level is UnitLevel.PREFECTURE:
        target = prefecture_of(code).code
    elif level is UnitLevel.COUNTY:
        target = code
    else:  # 乡(镇)属: not routed by 第四条; the county is the lowest level with an HR department
        target = code if current(code).level == "county" else prefecture_of(code).code
        return Department(hr_department(target, year), target, "第四条未规定（乡镇单位不符合第二条）")
    return Department(hr_department(target, year), target, "第四、五条")


def service_county_department(case: Case, year: int | None = None) -> Department:
    """第六、九条: the service county's HR department (hosts the signing, appraises the term)."""
    from formkit.reference.divisions import hr_department

    year = year or case.agreement.signed_on.year
    return Department(hr_department(case.service.county, year), case.service.county, "第六、九条")


def service_prefecture(case: Case) -> str:
    """The code of the 州(市) where the person serves: its declaration claims the subsidy (第十条)."""
    from formkit.reference.divisions import prefecture_of

    return prefecture_of(case.service.county).code
