"""Typed, frozen models of formkit's records: a person's case and a county's demand list.

Records arrive from the strict loader as plain text (every YAML scalar is a ``str``); the types
below are the only place text becomes a date, a number or a code. Nothing is coerced silently:
``2014-3-1`` is refused (dates are ``YYYY-MM-DD``), ``no`` is not ``False``, ``0871…`` stays
text. Every field carries its official Chinese label as its ``title`` (used by error messages,
forms and ``formkit schema``).

Shapes and units: dates are ``datetime.date``; year-months (出生年月, 参加工作时间) are
``datetime.date`` on day 1, shown as ``1985.03``; counts are ``int``; codes are ``str``.
Field values that break a rule of a standard raise ``formkit.errors.InvalidValue`` inside
pydantic, which the loader reports at the value's line (GB 11643 公民身份号码, GB 32100
统一社会信用代码, GB/T 2260 行政区划代码). Cross-field checks live in ``formkit.load.checks``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from formkit.errors import InvalidValue

# --------------------------------------------------------------------------- scalar types

_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_YM_RE = re.compile(r"^(\d{4})[-.](\d{2})$")


MAX_LINE = 200
"""Longest single-line value (characters): a cell of an official form, not a page of text."""

_BIDI_CONTROLS = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
"""Bidirectional marks, embeddings, overrides and isolates: invisible, they change the order in
which the following characters are *shown* (``U+202E`` makes ``abc`` read ``cba``)."""

_INVISIBLE_NAMES = {0x200B: "零宽空格", 0x200C: "零宽不连字", 0x200D: "零宽连字", 0x2060: "零宽不换行空格",
                    0xFEFF: "零宽不换行空格（BOM）", 0x00AD: "软连字符", 0x180E: "蒙古文元音分隔符"}


def _check_text(value: Any, *, multiline: bool) -> str:
    """Text as typed, minus surrounding blanks; refuses what would print differently from what
    it says: control characters, tabs and newlines in a single-line field, line/paragraph
    separators, and every invisible format character (Unicode category Cf: zero-width spaces
    and joiners, soft hyphens, BOMs, bidirectional overrides such as ``U+202E``). An invisible
    character in a name or an ID-bearing form makes two values that look alike differ, and a
    bidi override shows the text in another order than it is stored."""
    if not isinstance(value, str):
        raise InvalidValue(f"应为文本，实为 {type(value).__name__}")
    text = value.strip() if not multiline else value.strip("\n ").rstrip()
    for i, ch in enumerate(text):
        if ch in "\n\t" and multiline:
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Co", "Cn"):
            what = "换行" if ch == "\n" else "制表符" if ch == "\t" else f"控制字符 U+{ord(ch):04X}"
            hint = "；此栏为单行文本" if ch in "\n\t" else ""
            raise InvalidValue(f"第{i + 1}个字符是{what}，不允许出现在此处{hint}")
        if ch in ("\u2028", "\u2029"):
            raise InvalidValue(f"第{i + 1}个字符是行/段分隔符 U+{ord(ch):04X}，请改用普通换行")
        if cat == "Cf":
            if ord(ch) in _BIDI_CONTROLS:
                raise InvalidValue(f"第{i + 1}个字符是看不见的文字方向控制符 U+{ord(ch):04X}，会使显示的文字顺序"
                                   "与实际内容不一致，不允许出现；请删除（常见于从网页复制）")
            what = _INVISIBLE_NAMES.get(ord(ch), "看不见的格式字符")
            raise InvalidValue(f"第{i + 1}个字符是{what} U+{ord(ch):04X}，打印出来看不见，却使内容与看到的不一致，"
                               "不允许出现；请删除（常见于从网页或聊天软件复制）")
    if not text:
        raise InvalidValue("不能为空")
    if not multiline and len(text) > MAX_LINE:
        raise InvalidValue(f"单行文本最多 {MAX_LINE} 个字，此处有 {len(text)} 个字；是否把大段文字贴到了这一栏？")
    return text


def _line(value: Any) -> str:
    return _check_text(value, multiline=False)


def _para(value: Any) -> str:
    return _check_text(value, multiline=True)


DATE_MIN_YEAR, DATE_MAX_YEAR = 1900, 2100
"""Dates and year-months a record may hold: a birth month after 1900, nothing past 2100. The
rules add years and days to these dates (service periods, appraisal periods, subsidy years), and
``9999-12-31`` plus a day does not exist; a date outside is a typo, refused where it is read."""


def _in_range(day: date, written: str) -> date:
    if not DATE_MIN_YEAR <= day.year <= DATE_MAX_YEAR:
        raise InvalidValue(f"年份 {day.year} 不在 {DATE_MIN_YEAR}–{DATE_MAX_YEAR} 之间（{written}）；"
                           "这样的日期只可能是输错了年份，请更正")
    return day


def _date(value: Any) -> date:
    if isinstance(value, date):
        return _in_range(value, value.isoformat())
    if not isinstance(value, str) or not (m := _DATE_RE.match(value.strip())):
        raise InvalidValue(f"日期应写作 YYYY-MM-DD（如 2014-03-01），实为 {value!r}")
    try:
        day = date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise InvalidValue(f"不存在的日期 {value}") from None
    return _in_range(day, value.strip())


def _year_month(value: Any) -> date:
    if isinstance(value, date):
        return _in_range(value.replace(day=1), value.isoformat()[:7])
    if not isinstance(value, str) or not (m := _YM_RE.match(value.strip())):
        raise InvalidValue(f"年月应写作 YYYY-MM 或 YYYY.MM（如 1985-03），实为 {value!r}")
    year, month = int(m[1]), int(m[2])
    if not 1 <= month <= 12:
        raise InvalidValue(f"月份应为 01–12，实为 {m[2]}")
    if year < 1:
        raise InvalidValue(f"年份 {year} 不在 {DATE_MIN_YEAR}–{DATE_MAX_YEAR} 之间：只可能是输错了年份，请更正")
    return _in_range(date(year, month, 1), value.strip())


def _count(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"[1-9]\d{0,5}", value.strip()):
        number = int(value)
    else:
        raise InvalidValue(f"应为正整数（如 2），实为 {value!r}")
    if number < 1:
        raise InvalidValue(f"应为正整数，实为 {number}")
    return number


YEAR_MIN, YEAR_MAX = 1980, 2100
"""A 年度 (of a demand list, an appraisal, a declaration): the programme began in the 1980s."""


def _year(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    elif isinstance(value, str) and re.fullmatch(r"\d{4}", value.strip()):
        year = int(value)
    else:
        raise InvalidValue(f"年度应为四位数字（如 2015），实为 {value!r}")
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise InvalidValue(f"年度 {year} 不在 {YEAR_MIN}–{YEAR_MAX} 之间")
    return year


def _id_number(value: Any) -> str:
    from formkit.validators import parse_id_number

    return parse_id_number(_line(value)).number


def _credit_code(value: Any) -> str:
    from formkit.validators import validate_credit_code

    return validate_credit_code(_line(value))


def _mobile(value: Any) -> str:
    from formkit.validators import validate_mobile

    return validate_mobile(_line(value))


def _person_name(value: Any) -> str:
    """A person's name as on the ID card: look-alike dots and spaces made the 间隔号 ``·``
    (the loader warns of each change, see ``person_name_warnings``)."""
    from formkit.validators import normalize_person_name

    return normalize_person_name(_line(value))[0]


def person_name_warnings(model: type[BaseModel], loc: tuple[str | int, ...], value: Any) -> list[str]:
    """What ``_person_name`` changed in ``value`` when the field at ``loc`` is a person's name
    (``[]`` otherwise, and for a value the field refuses)."""
    import typing

    current: Any = model
    info = None
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = current.model_fields.get(part)
        if info is None:
            return []
        current = _inner_model(info.annotation, typing)
    if info is None or not any(getattr(m, "func", None) is _person_name for m in info.metadata):
        return []
    from formkit.validators import normalize_person_name

    try:
        return normalize_person_name(_line(value))[1]
    except InvalidValue:
        return []


def _phone(value: Any) -> str:
    from formkit.validators import validate_phone

    return validate_phone(_line(value))


def _division(value: Any) -> str:
    from formkit.reference.divisions import current

    text = _line(value)
    if not re.fullmatch(r"\d{6}", text):
        raise InvalidValue(f"行政区划代码应为6位数字（GB/T 2260，如 530102），实为 {text!r}")
    return current(text).code


def _county(value: Any) -> str:
    from formkit.reference.divisions import current

    code = _division(value)
    division = current(code)
    if division.level != "county":
        raise InvalidValue(f"{code}（{division.name}）不是县级行政区划；此处应填县（市、区）代码")
    return code


def _postcode(value: Any) -> str:
    text = _line(value)
    if not re.fullmatch(r"\d{6}", text):
        raise InvalidValue(f"邮政编码应为6位数字，实为 {text!r}")
    return text


def _str_schema(pattern: str | None = None, **extra: Any) -> WithJsonSchema:
    schema: dict[str, Any] = {"type": "string", **extra}
    if pattern:
        schema["pattern"] = pattern
    return WithJsonSchema(schema)


Line = Annotated[str, BeforeValidator(_line), _str_schema(description="单行文本", maxLength=MAX_LINE)]
PersonName = Annotated[str, BeforeValidator(_person_name),
                       _str_schema(description="姓名（与身份证一致，少数民族姓名用间隔号「·」）", maxLength=MAX_LINE)]
Para = Annotated[str, BeforeValidator(_para), _str_schema(description="可多行文本")]
Day = Annotated[date, BeforeValidator(_date), _str_schema(r"^\d{4}-\d{2}-\d{2}$", format="date")]
YearMonth = Annotated[date, BeforeValidator(_year_month), _str_schema(r"^\d{4}[-.]\d{2}$")]
Count = Annotated[int, BeforeValidator(_count), _str_schema(r"^[1-9]\d*$")]
Year = Annotated[int, BeforeValidator(_year), _str_schema(r"^\d{4}$")]
IdNumber = Annotated[str, BeforeValidator(_id_number), _str_schema(r"^\d{17}[\dXx]$")]
CreditCode = Annotated[str, BeforeValidator(_credit_code), _str_schema(r"^[0-9A-HJ-NPQRTUWXY]{18}$")]
Mobile = Annotated[str, BeforeValidator(_mobile), _str_schema(r"^1[3-9]\d{9}$")]
Phone = Annotated[str, BeforeValidator(_phone), _str_schema()]
DivisionCode = Annotated[str, BeforeValidator(_division), _str_schema(r"^53\d{4}$")]
CountyCode = Annotated[str, BeforeValidator(_county), _str_schema(r"^53\d{4}$")]
Postcode = Annotated[str, BeforeValidator(_postcode), _str_schema(r"^\d{6}$")]

ETHNIC_GROUPS = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 "
    "哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 "
    "达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 "
    "俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()


def _ethnicity(value: Any) -> str:
    text = _line(value)
    if text not in ETHNIC_GROUPS:
        hint = f"；是否应为「{text}族」？" if f"{text}族" in ETHNIC_GROUPS else ""
        raise InvalidValue(f"「{text}」不是56个民族的规范名称之一（如 汉族、彝族、哈尼族）{hint}")
    return text


Ethnicity = Annotated[str, BeforeValidator(_ethnicity), WithJsonSchema({"enum": ETHNIC_GROUPS})]


EDUCATION_LEVELS = ("博士研究生", "硕士研究生", "大学本科", "大学专科", "中等专科")
"""The usual 学历 (highest education) as written on 附件2: offered as choices (the roster's
drop-down, the desk), not enforced — 学历 stays free text (``Line``)."""


class UnitLevel(str, Enum):
    """单位级别 of the home unit (第二条: 县及县以上; 第四条 routes by it)."""

    PROVINCE = "省属"
    PREFECTURE = "州(市)属"
    COUNTY = "县(市、区)属"
    TOWNSHIP = "乡(镇)属"  # representable so that eligibility can say why it is refused

    @classmethod
    def _missing_(cls, value: object) -> UnitLevel | None:
        if isinstance(value, str):
            text = value.strip().replace("（", "(").replace("）", ")")
            aliases = {"县属": cls.COUNTY, "州属": cls.PREFECTURE, "市属": cls.PREFECTURE,
                       "州(市)直属": cls.PREFECTURE, "乡镇属": cls.TOWNSHIP, "省直": cls.PROVINCE}
            for member in cls:
                if member.value == text:
                    return member
            return aliases.get(text)
        return None


Sex = Literal["男", "女"]
Grade = Literal["优秀", "合格", "基本合格", "不合格", "称职", "基本称职", "不称职"]
TitleLevel = Literal["员级", "助理级", "中级", "副高级", "正高级"]


class Record(BaseModel):
    """Base of every record model: frozen, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=False)


# --------------------------------------------------------------------------- case record


class Applicant(Record):
    """申请人 — the professional applying to serve (附件2 基本情况)."""

    name: PersonName = Field(title="姓名")
    sex: Sex = Field(title="性别")
    ethnicity: Ethnicity = Field(title="民族")
    birth_month: YearMonth = Field(title="出生年月")
    political_status: Line = Field(title="政治面貌", description="如 中共党员、共青团员、群众")
    id_number: IdNumber = Field(title="公民身份号码", description="GB 11643，18位")
    education: Line = Field(title="学历", description="如 大学本科、硕士研究生")
    degree: Line | None = Field(None, title="学位", description="如 学士、硕士")
    school: Line = Field(title="毕业院校")
    major: Line = Field(title="所学专业")
    work_start: YearMonth = Field(title="参加工作时间")
    specialty: Line = Field(title="现从事专业")
    position: Line | None = Field(None, title="现任职务")
    mobile: Mobile = Field(title="手机")
    address: Line = Field(title="通讯地址")
    postcode: Postcode | None = Field(None, title="邮政编码")
    photo: Line | None = Field(None, title="照片", description="照片文件路径，相对于本记录文件")


class HomeUnit(Record):
    """申请人所在单位（原工作单位）: keeps personnel and salary relations (第七条)."""

    name: Line = Field(title="单位名称")
    level: UnitLevel = Field(title="单位级别", description="省属、州(市)属 或 县(市、区)属")
    division: DivisionCode = Field(title="单位所在地行政区划代码", description="GB/T 2260，如 530102")
    supervisor: Line = Field(title="上级主管部门")


class Qualification(Record):
    """专业技术职务（职称）and 执业资格 (第二条: 中级以上职称 or 执业医师资格)."""

    title: Line | None = Field(None, title="职称", description="专业技术职务（职称）名称，如 主治医师、工程师")
    title_level: TitleLevel | None = Field(
        None, title="职称等级", description="员级、助理级、中级、副高级、正高级；职称名称有歧义时必填")
    title_date: YearMonth | None = Field(None, title="职称取得时间")
    practice_qualification: Line | None = Field(
        None, title="执业资格", description="卫生技术人员填写，如 执业医师资格")
    practice_certificate: Line | None = Field(None, title="执业资格证书编号")
    practice_date: YearMonth | None = Field(
        None, title="执业资格取得时间", description="须不晚于协议签订（第二条）")


class Service(Record):
    """服务单位及岗位: the township post arranged under 第五、六条."""

    county: CountyCode = Field(title="服务地县（市、区）代码", description="GB/T 2260 县级代码")
    township: Line = Field(title="服务乡（镇）")
    unit: Line = Field(title="服务单位")
    credit_code: CreditCode = Field(title="服务单位统一社会信用代码", description="GB 32100")
    supervisor: Line = Field(title="服务单位主管部门")
    address: Line = Field(title="服务单位地址")
    legal_representative: PersonName = Field(title="服务单位法定代表人")
    post: Line = Field(title="服务岗位")
    phone: Phone | None = Field(None, title="服务单位联系电话")


class Agreement(Record):
    """服务协议 (第六条): inclusive service dates, each party's duties, signing date."""

    start: Day = Field(title="服务起始日期", description="到乡镇服务之日（含）")
    end: Day = Field(title="服务截止日期", description="服务最后一日（含）")
    signed_on: Day = Field(title="协议签订日期")
    service_unit_duties: tuple[Para, ...] = Field((), title="甲方（服务单位）权利义务")
    applicant_duties: tuple[Para, ...] = Field((), title="乙方（申请人）权利义务")
    breach: Para | None = Field(None, title="未按协议履职情况", description="第十三条；填写则不享受补贴")


class ResumeEntry(Record):
    """学习及工作简历 one row."""

    start: YearMonth = Field(title="起始年月")
    end: YearMonth | None = Field(None, title="终止年月", description="空表示至今")
    unit: Line = Field(title="学习或工作单位")
    position: Line = Field(title="职务（学习）")


class AnnualAppraisal(Record):
    """年度考核 at the service unit (第八条)."""

    year: Year = Field(title="考核年度")
    grade: Grade = Field(title="考核等次")


class TermAppraisal(Record):
    """考核鉴定 by the service county's HR department (第九条, 附件3)."""

    start: Day = Field(title="考核期间起")
    end: Day = Field(title="考核期间止")
    self_summary: Para = Field(title="个人总结")
    unit_opinion: Para = Field(title="服务单位考核意见")
    grade: Grade = Field(title="考核等次")
    county_opinion: Para | None = Field(None, title="服务地县级人力资源和社会保障部门鉴定意见")
    appraised_on: Day | None = Field(None, title="鉴定日期")
    remarks: Para | None = Field(None, title="备注")


class Case(Record):
    """One person's case record (``data/cases/*.yaml``)."""

    applicant: Applicant = Field(title="申请人基本情况")
    home_unit: HomeUnit = Field(title="现工作单位")
    qualification: Qualification = Field(title="职称及执业资格")
    service: Service = Field(title="服务单位及岗位")
    agreement: Agreement = Field(title="服务协议")
    resume: tuple[ResumeEntry, ...] = Field(title="学习及工作简历", min_length=1)
    achievements: Para = Field(title="主要专业技术工作业绩")
    service_plan: Para = Field(title="到基层服务工作计划")
    annual_appraisals: tuple[AnnualAppraisal, ...] = Field((), title="年度考核")
    term_appraisals: tuple[TermAppraisal, ...] = Field((), title="考核鉴定")


# --------------------------------------------------------------------------- demand list


class DemandPost(Record):
    """附件1 one row: a township unit's demand for one post (第三条)."""

    township: Line = Field(title="乡（镇）")
    unit: Line = Field(title="需求单位名称")
    unit_kind: Literal["事业单位", "企业"] = Field(title="单位性质")
    post: Line = Field(title="需求岗位")
    major: Line = Field(title="专业要求")
    title_requirement: Literal["中级", "副高级", "正高级"] = Field(
        "中级", title="职称要求", description="中级以上（第二条）")
    education: Line = Field(title="学历要求")
    count: Count = Field(title="需求人数")
    term_years: Count = Field(title="服务期限（年）", description="不少于2年")
    conditions: Para = Field(title="工作生活条件")
    contact: PersonName = Field(title="联系人")
    phone: Phone = Field(title="联系电话")
    remarks: Para | None = Field(None, title="备注")


class DemandList(Record):
    """A county's 需求信息表 for one year (``data/demand/*.yaml``, 附件1, 第三条)."""

    county: CountyCode = Field(title="县（市、区）代码")
    year: Year = Field(title="年度")
    reporting_unit: Line = Field(title="填报单位")
    reported_on: Day = Field(title="填报时间")
    filled_by: PersonName = Field(title="填表人")
    reviewed_by: PersonName = Field(title="审核人")
    phone: Phone = Field(title="联系电话")
    posts: tuple[DemandPost, ...] = Field(title="需求岗位", min_length=1)


# --------------------------------------------------------------------------- labels


def label_for(model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    """The Chinese label of the field at ``loc`` (``("applicant", "id_number")`` → 公民身份号码).

    List indexes are skipped; an unknown path gives the label of the deepest known field, or "".
    """
    import typing

    label = ""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            break
        info = current.model_fields.get(part)
        if info is None:
            break
        label = info.title or part
        current = _inner_model(info.annotation, typing)
    return label


def _inner_model(annotation: Any, typing: Any) -> Any:
    """The record model inside ``X | None`` or ``tuple[X, ...]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg, typing)
        if found is not None:
            return found
    return None


def flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """A record dumped to Python (``model_dump(mode="json")``) as ``{"applicant.name": "张三"}``:
    every leaf as text, under its field path (``resume[2].unit``); ``None`` leaves are left out."""
    out: dict[str, str] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}[{i}]"))
    elif value is not None:
        out[prefix] = str(value)
    return out
