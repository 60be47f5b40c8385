"""Generated, valid case records and county demand lists with known outcomes (for tests and
``bench/bench_declare.py``).

``generate_cases(plan, year)`` writes nothing: it returns ``Generated`` records (YAML text and
what the declaration of ``year`` must do with each) for a ``plan`` of (州(市) code, scenario,
count) triples. Every record loads without errors: 公民身份号码 with correct GB 11643 check
characters (``stdnum.cn.ric.calc_check_digit`` takes all 18 characters and ignores the last, so
it is called with the first 17 + "0"; one in five numbers ends in ``X`` on purpose), sex and
birth month matching the number, 统一社会信用代码 with correct GB 32100 check characters,
consistent dates and term appraisals on exactly the 第九条 periods.

Scenarios (for the declaration year Y, computed on 31 December Y):

===================  ==========================================================  =========
scenario             record                                                      expected
===================  ==========================================================  =========
term2                2-year term ending in Y, appraised passing in Y             2 years
term2-late           2-year term ending in Dec Y-1, appraised in Jan Y           2 years
year3                3-year term: years 1–2 declared in Y-1, year 3 ends in Y    1 year
both                 3-year term: years 1–2 appraised late (in Y), year 3 in Y   3 years
fail-then-pass       4-year term: year 3 不合格 in Y-1, year 4 passing in Y        1 year
short                only 1 whole year of service                                short
failed               2-year term ending in Y, appraised 不合格 in Y               failed
awaiting             2-year term ended in Y, no appraisal recorded               pending
not-yet-due          2-year term ending in Y+1                                   pending
other-year           2-year term ended and appraised in Y-1                      other-year
breach               2-year term appraised passing, agreement not performed      not-performed
===================  ==========================================================  =========

The expected years are the generator's own arithmetic, not the rules': tests compare them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from stdnum.cn import ric, uscc

SCENARIOS: dict[str, tuple[int, str | None]] = {
    # scenario → (years declared in Y, exclusion category when in the declaring 州(市))
    "term2": (2, None),
    "term2-late": (2, None),
    "year3": (1, None),
    "both": (3, None),
    "fail-then-pass": (1, None),
    "short": (0, "short"),
    "failed": (0, "failed"),
    "awaiting": (0, "pending"),
    "not-yet-due": (0, "pending"),
    "other-year": (0, "other-year"),
    "breach": (0, "not-performed"),
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵钱严武戴孔汤普者李"
GIVEN = "明华建国文军平志伟东海强晓玲芳燕红霞丽娟英秀兰桂琼春梅云凤萍洁敏静婷雪慧德福荣昌永兴学忠成清光新宏"
TOWNS = "龙泉 青山 石门 白沙 河口 新村 太平 长坡 梅子 松林 大坪 小河 中和 安乐 清水 金鸡 马街 罗平 阿者 者黑".split()
TITLES = [("主治医师", "卫生院", "临床医生（内科）", "临床医学"), ("工程师", "水务管理服务站", "水利工程技术", "水利水电工程"),
          ("一级教师", "中学", "中学数学教师", "数学与应用数学"), ("农艺师", "农业农村服务中心", "农技推广", "农学"),
          ("兽医师", "畜牧兽医站", "动物防疫", "动物医学"), ("主管护师", "卫生院", "护理", "护理学"),
          ("高级工程师", "自然资源所", "国土规划", "土地资源管理"), ("副主任医师", "中心卫生院", "全科医生", "全科医学")]
ETHNICITIES = ["汉族", "彝族", "哈尼族", "白族", "傣族", "壮族", "苗族", "回族"]


@dataclass(frozen=True)
class Generated:
    """One generated record and what the declaration of its year must do with it."""

    stem: str
    yaml: str
    name: str
    id_number: str
    prefecture: str
    county: str
    scenario: str
    years: int                 # years listed in the declaration of the year (0: excluded)
    category: str | None       # exclusion category in its own 州(市)'s declaration
    start: date                # the agreement's first day (the roster's order within a county)
    appraisals: int            # term appraisals on record

    @property
    def amount(self) -> int:
        return 10000 * self.years


def id_number(address: str, birth: date, male: bool, rng: random.Random, want_x: bool = False) -> str:
    """A valid 18-character 公民身份号码; ``want_x`` searches a sequence number whose check is X."""
    for _ in range(2000):
        seq = rng.randrange(1, 500) * 2 + (1 if male else 0)
        if seq > 999:
            continue
        first17 = f"{address}{birth:%Y%m%d}{seq:03d}"
        check = ric.calc_check_digit(first17 + "0")  # takes 18 characters, ignores the last
        if not want_x or check == "X":
            return first17 + check
    raise AssertionError("no sequence number gives an X check character")


def credit_code(county: str, rng: random.Random) -> str:
    """A valid 统一社会信用代码 of a township public institution (``12`` + county + 9 + check)."""
    first17 = "12" + county + "".join(rng.choice("0123456789") for _ in range(9))
    return first17 + uscc.calc_check_digit(first17 + "0")


def _minus(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)


def _year_end(start: date, k: int) -> date:
    """Last day of service year k (the day before the k-th anniversary; 第十三条)."""
    try:
        anniversary = start.replace(year=start.year + k)
    except ValueError:
        anniversary = date(start.year + k, 3, 1)
    return anniversary - timedelta(days=1)


def _plan(scenario: str, y: int, rng: random.Random):
    """(start, end, appraisals [(start, end, grade, appraised_on)], breach) of a scenario."""
    passing = rng.choice(["优秀", "合格", "称职", "基本合格"])
    if scenario in ("term2", "failed", "breach"):
        start = date(y - 2, rng.randint(1, 9), rng.randint(1, 28))
        end = _year_end(start, 2)
        grade = rng.choice(["不合格", "不称职"]) if scenario == "failed" else passing
        return start, end, [(start, end, grade, end + timedelta(days=rng.randint(5, 40)))], \
            "服务期间擅自离岗累计超过三个月，未完成协议约定的服务任务。" if scenario == "breach" else None
    if scenario == "term2-late":
        start = date(y - 3, 12, rng.randint(2, 20))
        end = _year_end(start, 2)
        return start, end, [(start, end, passing, date(y, 1, rng.randint(5, 25)))], None
    if scenario == "year3":
        start = date(y - 3, rng.randint(2, 8), rng.randint(1, 28))
        t_end, end = _year_end(start, 2), _year_end(start, 3)
        return start, end, [(start, t_end, "优秀", t_end + timedelta(days=12)),
                            (t_end + timedelta(days=1), end, passing, end + timedelta(days=20))], None
    if scenario == "both":
        start = date(y - 3, rng.randint(3, 7), rng.randint(1, 28))
        t_end, end = _year_end(start, 2), _year_end(start, 3)
        return start, end, [(start, t_end, "合格", date(y, 1, rng.randint(5, 25))),
                            (t_end + timedelta(days=1), end, passing, end + timedelta(days=15))], None
    if scenario == "fail-then-pass":
        start = date(y - 4, rng.randint(2, 8), rng.randint(1, 28))
        e2, e3, e4 = _year_end(start, 2), _year_end(start, 3), _year_end(start, 4)
        return start, e4, [(start, e2, "合格", e2 + timedelta(days=10)),
                           (e2 + timedelta(days=1), e3, "不合格", e3 + timedelta(days=10)),
                           (e3 + timedelta(days=1), e4, passing, e4 + timedelta(days=10))], None
    if scenario == "short":
        start = date(y - 1, rng.randint(1, 6), rng.randint(1, 28))
        return start, start + timedelta(days=500), [], None
    if scenario == "awaiting":
        start = date(y - 2, rng.randint(1, 9), rng.randint(1, 28))
        return start, _year_end(start, 2), [], None
    if scenario == "not-yet-due":
        start = date(y - 1, rng.randint(3, 11), rng.randint(1, 28))
        return start, _year_end(start, 2), [], None
    if scenario == "other-year":
        start = date(y - 3, rng.randint(1, 9), rng.randint(1, 28))
        end = _year_end(start, 2)
        return start, end, [(start, end, passing, end + timedelta(days=rng.randint(5, 30)))], None
    raise KeyError(scenario)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "\n".join(pad + line for line in text.split("\n"))


def case_yaml(*, name: str, sex: str, ethnicity: str, birth: date, ident: str, work_start: date,
              home_name: str, home_level: str, home_division: str, title: str, title_date: date,
              county: str, county_name: str, township: str, unit: str, credit: str, post: str, major: str,
              start: date, end: date, appraisals, breach: str | None, mobile: str) -> str:
    lines = [
        f"# 生成的测试记录（虚构）：{name}",
        "applicant:",
        f"  name: {name}", f"  sex: {sex}", f"  ethnicity: {ethnicity}",
        f"  birth_month: {birth:%Y-%m}", "  political_status: 群众",
        f"  id_number: {_q(ident)}", "  education: 大学本科", "  degree: 学士",
        "  school: 云南大学", f"  major: {major}", f"  work_start: {work_start:%Y-%m}",
        f"  specialty: {major}", f"  mobile: {_q(mobile)}",
        f"  address: 云南省{county_name}人民路{int(ident[-4:-1]) + 1}号", '  postcode: "650000"',
        "home_unit:",
        f"  name: {home_name}", f"  level: {home_level}", f"  division: {_q(home_division)}",
        f"  supervisor: {home_name[:2]}卫生健康局",
        "qualification:",
        f"  title: {title}", f"  title_date: {title_date:%Y-%m}",
        "service:",
        f"  county: {_q(county)}", f"  township: {township}", f"  unit: {unit}",
        f"  credit_code: {credit}", f"  supervisor: {county_name}卫生健康局",
        f"  address: 云南省{county_name}{township}正街1号", "  legal_representative: 张立新",
        f"  post: {post}", "  phone: 0871-65123456",
        "agreement:",
        f"  start: {start.isoformat()}", f"  end: {end.isoformat()}",
        f"  signed_on: {(start - timedelta(days=10)).isoformat()}",
    ]
    if breach:
        lines.append(f"  breach: {breach}")
    achievements = _block("从事本专业工作多年，业务熟练。\n参与多项基层技术推广项目。", 2)
    plan = _block("服务期内带教本地技术人员，提升服务单位业务水平。", 2)
    lines += [
        "resume:",
        f"  - start: {work_start:%Y-%m}", f"    unit: {home_name}", "    position: 专业技术人员",
        f"achievements: {achievements}",
        f"service_plan: {plan}",
    ]
    if appraisals:
        lines.append("term_appraisals:")
        for a_start, a_end, grade, on in appraisals:
            lines += [f"  - start: {a_start.isoformat()}", f"    end: {a_end.isoformat()}",
                      f"    self_summary: {_block('服务期间认真履行协议，完成各项服务任务。', 6)}",
                      f"    unit_opinion: {_block('该同志工作认真负责，群众评价良好。', 6)}",
                      f"    grade: {grade}", f"    appraised_on: {on.isoformat()}"]
    return "\n".join(lines) + "\n"


def generate_cases(plan: list[tuple[str, str, int]], year: int, seed: int = 20251231,
                   counties: int = 4) -> list[Generated]:
    """Records for ``plan`` = [(州(市) code, scenario, how many)], spread over the 州(市)'s
    first ``counties`` counties, for the declaration ``year``. Deterministic for a ``seed``."""
    from formkit.reference.divisions import counties_of, name_on

    rng = random.Random(seed)
    out: list[Generated] = []
    first_counties = counties
    for prefecture, scenario, count in plan:
        counties = counties_of(prefecture)[:first_counties]
        for _ in range(count):
            i = len(out)
            county = counties[i % len(counties)]
            county_name = name_on(county.code, year)
            sex = "男" if i % 2 else "女"
            birth = date(rng.randint(1970, 1990), rng.randint(1, 12), rng.randint(1, 28))
            ident = id_number(county.code, birth, sex == "男", rng, want_x=(i % 5 == 0))
            name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13 + 5) % len(GIVEN)]
            title, kind, post, major = TITLES[i % len(TITLES)]
            start, end, appraisals, breach = _plan(scenario, year, rng)
            work_start = date(birth.year + 23, 7, 1)
            title_date = min(date(work_start.year + 5, 12, 1), _minus(start, 1)).replace(day=1)
            level = ("县(市、区)属", "州(市)属", "省属")[i % 3]
            home_division = {"县(市、区)属": county.code, "州(市)属": prefecture, "省属": "530102"}[level]
            home_name = {"县(市、区)属": f"{county_name}人民医院", "州(市)属": f"{name_on(prefecture, year)}农业科学研究所",
                         "省属": "云南省农业科学院"}[level]
            township = TOWNS[i % len(TOWNS)] + ("乡" if i % 4 == 3 else "镇")
            yaml = case_yaml(
                name=name, sex=sex, ethnicity=ETHNICITIES[i % len(ETHNICITIES)], birth=birth, ident=ident,
                work_start=work_start, home_name=home_name, home_level=level, home_division=home_division,
                title=title, title_date=title_date, county=county.code, county_name=county_name,
                township=township, unit=f"{county_name}{township}{kind}", credit=credit_code(county.code, rng),
                post=post, major=major, start=start, end=end, appraisals=appraisals, breach=breach,
                mobile=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}")
            years, category = SCENARIOS[scenario]
            out.append(Generated(f"{i:04d}-{scenario}", yaml, name, ident, prefecture, county.code, scenario,
                                 years, category, start, len(appraisals)))
    return out


def write_cases(generated: list[Generated], folder) -> list:
    """Write each record to ``folder/<stem>.yaml``; returns the paths."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for g in generated:
        path = folder / f"{g.stem}.yaml"
        path.write_text(g.yaml, "utf-8")
        paths.append(path)
    return paths


# --------------------------------------------------------------------------- demand lists

TRICKY = [
    "007号岗位：编号以0开头",
    "条件说明：第一行\n第二行（换行）\n第三行",
    "含特殊字符 & < > \" ' 与 {{ 花括号 }} 和 =1+1",
    "长文本：" + "乡镇卫生院地处高寒山区，冬季寒冷，提供周转宿舍和职工食堂，每周有班车往返县城。" * 12,
]


def demand_yaml(county: str, year: int, posts: int, rng: random.Random, *, tricky: bool = True) -> str:
    """A valid county demand list (附件1) with ``posts`` posts; ``tricky`` puts leading zeros,
    line breaks, markup characters and a long text into its cells."""
    from formkit.reference.divisions import name_on

    name = name_on(county, year)
    lines = [
        f"county: {_q(county)}", f"year: {_q(str(year))}", f"reporting_unit: {name}人力资源和社会保障局",
        f"reported_on: {date(year, 2, rng.randint(10, 28)).isoformat()}",
        "filled_by: 李小红", "reviewed_by: 王建国", "phone: 0871-65120001", "posts:",
    ]
    for i in range(posts):
        title, kind, post, major = TITLES[(i + int(county[-2:])) % len(TITLES)]
        town = TOWNS[(i + int(county[-3:])) % len(TOWNS)] + "镇"
        remarks = TRICKY[i % len(TRICKY)] if tricky else None
        lines += [
            f"  - township: {town}", f"    unit: {name}{town}{kind}",
            f"    unit_kind: {'企业' if i % 5 == 4 else '事业单位'}", f"    post: {post}",
            f"    major: {major}", f"    title_requirement: {'副高级' if i % 4 == 3 else '中级'}",
            "    education: 大学本科及以上", f"    count: {_q(str(1 + i % 3))}", f"    term_years: {2 + i % 2}",
            f"    conditions: {_block(TRICKY[(i + 1) % len(TRICKY)] if tricky else '提供周转宿舍。', 6)}",
            f"    contact: 联系人{i + 1}", f"    phone: {_q('0871-6512' + str(1000 + i))}",
        ]
        if remarks:
            lines.append(f"    remarks: {_block(remarks, 6)}")
    return "\n".join(lines) + "\n"


def as_another_person(text: str, index: int) -> str:
    """A sample record's text with a 公民身份号码 of its own (sequence code ``index`` 0–89, the
    sex digit and the check character kept valid): one person has one record, so a copy of a
    sample under another file name must be another person."""
    import re

    match = re.search(r'id_number: "(\d{17}[\dX])"', text)
    old = match.group(1)
    body = old[:14] + f"{10 + index:02d}" + old[16]
    return text.replace(old, body + ric.calc_check_digit(body + "0"))
