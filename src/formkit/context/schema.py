"""What each form's template context holds: the declared schema (``TypedDict``s), one per form.

``SCHEMAS[form_id]`` is the context a form's Word and PDF templates receive; the context
builders (``context.person.document_context``, ``context.rollup.*``) are annotated with them,
``check(form_id, context)`` validates a built context against its schema (pydantic: unknown
keys and wrong types are refused, ``ContextSchemaError``), and ``formkit lint`` checks the
templates against ``shape_of(form_id)`` — no sample records and no clock are needed to know which
fields a template may use. Every value is a plain display value (``str``/``int``); dates and
amounts are already formatted (``2014年3月1日``, ``10,000.00``, ``人民币壹万元整``).
"""

from __future__ import annotations

import typing
from functools import cache
from typing import Any

from typing_extensions import TypedDict, is_typeddict

from pydantic import ConfigDict, TypeAdapter, ValidationError

from formkit.errors import TemplateError

__all__ = ["SCHEMAS", "check", "shape_of"]

_FORBID = ConfigDict(extra="forbid")


class FormInfo(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    id: str
    title: str
    attachment: str
    footnote: str


class PersonFormInfo(FormInfo):
    copies: int
    holders: list[str]


class Applicant(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    name: str
    sex: str
    ethnicity: str
    birth_month: str
    political_status: str
    id_number: str
    education: str
    degree: str
    education_degree: str
    school: str
    major: str
    school_major: str
    work_start: str
    specialty: str
    position: str
    mobile: str
    address: str
    postcode: str
    photo: str | None


class HomeUnit(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    name: str
    level: str
    supervisor: str
    hr_department: str


class Qualification(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    title: str
    title_level: str
    title_date: str
    practice_qualification: str
    practice_certificate: str


class Service(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    prefecture: str
    county: str
    township: str
    place: str
    unit: str
    credit_code: str
    supervisor: str
    address: str
    legal_representative: str
    post: str
    phone: str
    county_hr: str


class Agreement(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    start: str
    end: str
    signed_on: str
    range: str
    period: str
    years: int
    service_unit_duties: list[str]
    applicant_duties: list[str]


class ResumeItem(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    start: str
    end: str
    unit: str
    position: str


class SubsidyRate(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    rate: str
    rate_upper: str
    minimum_years: int


class Routing(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    filing: str
    service_county: str


class GradeMarks(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    excellent: str
    passed: str
    basic: str
    failed: str


class Appraisal(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    number: int
    label: str
    years_covered: int | None
    period: str
    start: str
    end: str
    self_summary: str
    unit_opinion: str
    grade: str
    grade_canonical: str
    grade_marks: GradeMarks
    county_opinion: str
    appraised_on: str
    remarks: str


class PersonContext(TypedDict):
    """附件2 申请登记表, 服务协议 and 附件3 考核鉴定表 (``appraisal`` is ``None`` except on 附件3)."""

    __pydantic_config__ = _FORBID  # type: ignore[misc]
    applicant: Applicant
    home_unit: HomeUnit
    qualification: Qualification
    service: Service
    agreement: Agreement
    resume: list[ResumeItem]
    achievements: str
    service_plan: str
    subsidy: SubsidyRate
    routing: Routing
    form: PersonFormInfo
    copy_label: str
    appraisal: Appraisal | None


class Title(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    name: str


class DemandRow(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    kind: str
    number: int | str
    label: str
    prefecture: str
    county: str
    count: int
    township: str
    unit: str
    unit_kind: str
    post: str
    major: str
    title: str
    education: str
    term: int | str
    conditions: str
    contact: str
    phone: str
    remarks: str


class DemandContext(TypedDict):
    """附件1 需求信息表 of a county, a 州(市) or the province (第三条)."""

    __pydantic_config__ = _FORBID  # type: ignore[misc]
    form: FormInfo
    applicant: Title
    level: str
    level_name: str
    scope: str
    year: int
    reporting_unit: str
    reported_on: str
    filled_by: str
    reviewed_by: str
    phone: str
    rows: list[DemandRow]
    total: int
    posts: int


class Totals(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    people: int
    years: int
    amount: str
    amount_upper: str


class RosterRow(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    number: int
    name: str
    sex: str
    id_number: str
    home_unit: str
    title: str
    county: str
    township: str
    unit: str
    start: str
    end: str
    years: int
    amount: str
    grades: str
    periods: str
    remarks: str


class CountyRow(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    number: int
    county: str
    people: int
    years: int
    amount: str


class _DeclarationCommon(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    form: FormInfo
    applicant: Title
    prefecture: str
    year: int
    reporting_unit: str
    finance_department: str
    reported_on: str
    total: Totals
    rate: str


class RosterContext(_DeclarationCommon):
    """附件4 期满人员名册 (第十条)."""

    rows: list[RosterRow]


class SubsidyContext(_DeclarationCommon):
    """附件5 岗位补贴申报表 (第十条)."""

    counties: list[CountyRow]


SCHEMAS: dict[str, type] = {
    "application": PersonContext, "agreement": PersonContext, "appraisal": PersonContext,
    "demand": DemandContext, "roster": RosterContext, "subsidy": SubsidyContext,
}


@cache
def _adapter(form_id: str) -> TypeAdapter:
    try:
        schema = SCHEMAS[form_id]
    except KeyError:
        raise TemplateError(f"表单 {form_id} 没有声明模板数据结构（formkit.context.schema.SCHEMAS）") from None
    return TypeAdapter(schema, config=None)


def check(form_id: str, context: dict[str, Any]) -> dict[str, Any]:
    """``context`` if it is what ``form_id``'s schema declares; raises ``TemplateError`` naming
    the first wrong field otherwise (a fault of formkit, not of the record)."""
    try:
        _adapter(form_id).validate_python(context, strict=True)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise TemplateError(f"表单 {form_id} 的模板数据与声明的结构不符：{where}：{err['msg']}") from None
    return context


def _shape(tp: Any, shape: Any) -> Any:
    """Fill lint's ``Shape`` from a type: TypedDict → keys, list → item, union → each."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        for arg in typing.get_args(tp):
            _shape(arg, shape)
        return shape
    if origin is list:
        if shape.item is None:
            shape.item = type(shape)()
        _shape(typing.get_args(tp)[0], shape.item)
        return shape
    if isinstance(tp, type) and is_typeddict(tp):
        if shape.keys is None:
            shape.keys = {}
        for key, sub in typing.get_type_hints(tp).items():
            _shape(sub, shape.keys.setdefault(key, type(shape)()))
        return shape
    shape.types.add(type(None) if tp is None else tp)
    return shape


def shape_of(form_id: str, shape_class: type) -> Any:
    """The declared context of ``form_id`` as lint's ``Shape`` (``shape_class``): which keys,
    lists and scalar types a template may use."""
    return _shape(SCHEMAS[form_id], shape_class())
