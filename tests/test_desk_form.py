"""The desk's form (``formkit.desk.fields``, ``formkit.desk.store``) without a browser: labels
from the model, a record's round trip through the form, problems placed beside their fields."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from formkit.desk import fields as F
from formkit.desk.store import check_record, record_path, save_record
from formkit.errors import FormkitError
from formkit.load import load_case, parse_yaml
from formkit.errors import RecordChanged
from formkit.model import Case, label_for

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "data" / "cases").glob("*.yaml"))


def test_labels_and_order_come_from_the_model() -> None:
    secs = F.sections({})
    assert [s.name for s in secs][:4] == ["applicant", "home_unit", "qualification", "service"]
    by_name = {f.name: f for f in F.all_fields(secs)}
    for name, f in by_name.items():
        assert f.label == label_for(Case, F.parse_loc(name)), name
    assert by_name["applicant.id_number"].label == "公民身份号码"
    assert by_name["applicant.sex"].kind == "select" and by_name["applicant.sex"].options == ("男", "女")
    assert "彝族" in by_name["applicant.ethnicity"].options
    assert by_name["achievements"].kind == "textarea"
    assert by_name["agreement.service_unit_duties"].kind == "lines"
    assert by_name["applicant.degree"].required is False and by_name["applicant.name"].required is True
    assert "2026-03-01" in by_name["agreement.start"].hint


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_every_sample_record_round_trips_through_the_form(path: Path) -> None:
    data, _, problems = parse_yaml(path.read_bytes(), path.name)
    assert not problems
    values = F.data_to_values(data)
    assert F.form_to_data(values, F.sections(values)) == data


def test_saving_an_unedited_record_leaves_its_bytes(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data" / "cases", tmp_path / "cases")
    path = tmp_path / "cases" / "bai-zhongrong.yaml"
    before = path.read_bytes()
    data, _, _ = parse_yaml(before, path.name)
    values = F.data_to_values(data)
    values = {k: v.replace("\n", "\r\n") for k, v in values.items()}  # as a browser posts a text box
    import hashlib

    save_record(path, F.form_to_data(values), expected_sha256=hashlib.sha256(before).hexdigest(), draft=False)
    assert path.read_bytes() == before


def test_blank_rows_are_dropped_and_problems_land_on_their_fields(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    values = {"applicant.name": "张三", "applicant.id_number": "530128198803151234", "resume[0].start": "",
              "resume[0].unit": "", "agreement.start": "2026-02-30", "agreement.service_unit_duties": "一\r\n\r\n二"}
    data = F.form_to_data(values)
    assert data["resume"] == [] and data["agreement"]["service_unit_duties"] == ["一", "二"]
    loaded = check_record(data, "张三.yaml", tmp_path)
    names = {f.name for f in F.all_fields(F.sections(values))}
    placed = {F.field_for_problem(p.path, names): p.message for p in loaded.problems}
    assert "校验码不符" in placed["applicant.id_number"]
    assert "不存在的日期" in placed["agreement.start"]
    assert "applicant.sex" in placed and "resume" in placed


def test_a_stale_save_is_refused_and_names_stay_inside(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data" / "cases", tmp_path / "cases")
    path = tmp_path / "cases" / "ma-jun.yaml"
    data, _, _ = parse_yaml(path.read_bytes(), path.name)
    with pytest.raises(RecordChanged):
        save_record(path, data, expected_sha256="0" * 64, draft=False)
    with pytest.raises(RecordChanged):
        save_record(path, data, expected_sha256=None, draft=False)
    for bad in ("../x.yaml", "a/b.yaml", "x.txt", ".yaml", "..", "/etc/passwd"):
        with pytest.raises(FormkitError):
            record_path(tmp_path, bad)
    assert load_case(path).ok


# --- the desk over HTTP (Starlette's TestClient: no server, no browser) ---------------------

import re as _re

from starlette.testclient import TestClient


@pytest.fixture
def client(tmp_path: Path):
    from formkit.desk import create_app

    shutil.copytree(ROOT / "data", tmp_path / "data")
    app = create_app(tmp_path / "data", tmp_path / "out")
    with TestClient(app) as c:
        c.data_dir = tmp_path / "data"  # type: ignore[attr-defined]
        c.out_dir = tmp_path / "out"  # type: ignore[attr-defined]
        yield c


def csrf_of(client) -> str:
    return _re.search(r'name="csrf" value="([^"]+)"', client.get("/batch").text).group(1)


def shown(html: str) -> str:
    """The page's text as a clerk reads it (tags dropped, spaces collapsed)."""
    import html as _html

    return _re.sub(r"\s+", " ", _html.unescape(_re.sub(r"<[^>]+>", " ", html)))


DRAFT = """# 草稿：尚未完成
applicant:
  name: 张丽华
  sex: 女
  id_number: '530128199005120025'
"""


def test_a_draft_is_found_by_the_last_digits_of_its_id_and_counted_as_the_form_counts(client) -> None:
    (client.data_dir / "cases" / "zhang-li-hua.yaml").write_text(DRAFT, encoding="utf-8")
    page = client.get("/people", params={"q": "0025"}).text
    assert "显示 1 份" in page and "张丽华" in page
    assert "5301**********0025" in page and "530128199005120025" not in page
    form = shown(client.get("/person/zhang-li-hua.yaml").text)
    count = int(_re.search(r"有 (\d+) 处需要改正", form).group(1))
    assert f"草稿：尚有 {count} 处需填写或改正" in shown(page)


def wait_for_task(client, location: str) -> str:
    import time

    for _ in range(600):
        page = client.get(location).text
        if "进行中" not in page:
            return shown(page)
        time.sleep(0.1)
    raise AssertionError("the task did not finish")


def test_batch_names_the_field_of_each_problem_of_a_record_it_skips(client) -> None:
    for path in (client.data_dir / "cases").glob("*.yaml"):
        path.unlink()
    (client.data_dir / "cases" / "zhang-li-hua.yaml").write_text(DRAFT, encoding="utf-8")
    r = client.post("/batch", data={"csrf": csrf_of(client), "forms": "agreement"}, follow_redirects=False)
    text = wait_for_task(client, r.headers["location"])
    assert "未生成：zhang-li-hua.yaml" in text
    assert "出生年月：缺少必填项" in text and "政治面貌：缺少必填项" in text
    assert _re.search(r"……共 \d+ 处，在「人员」中打开此记录逐项改正", text)
    assert " 缺少必填项" not in text  # never a bare 「缺少必填项」 without its field


def test_demand_problems_name_cell_and_chinese_label_never_the_field_path(client, tmp_path: Path) -> None:
    import openpyxl

    from formkit.forms import load_form
    from formkit.load import load_demand
    from formkit.render.xlsx import write_demand_xlsx
    from formkit.rollup.demand import merge_demand

    bad = tmp_path / "元阳县.xlsx"
    table = merge_demand([load_demand(ROOT / "data/demand/yuanyang-2026.yaml").record], "county")
    bad.write_bytes(write_demand_xlsx(table, load_form("demand")))
    wb = openpyxl.load_workbook(bad)
    ws = wb["附件1"]
    column = next(c.column_letter for c in ws[4] if c.value and "需求人数" in str(c.value))
    ws[f"{column}5"] = "三人"
    wb.save(bad)
    r = client.post("/demand", data={"csrf": csrf_of(client), "level": "province", "year": "2026"},
                    files={"files": ("元阳县.xlsx", bad.read_bytes(), "application/octet-stream")})
    text = shown(r.text)
    assert f"元阳县.xlsx: 附件1!{column}5 需求人数：" in text
    assert "posts[" not in text and "（需求人数）" not in text


def test_what_changed_since_issue_is_told_in_chinese_labels(client) -> None:
    r = client.post("/person/ma-jun.yaml/issue", data={"csrf": csrf_of(client), "form": "agreement"},
                    follow_redirects=False)
    assert r.status_code == 303
    path = client.data_dir / "cases" / "ma-jun.yaml"
    text = path.read_text("utf-8")
    number = _re.search(r"mobile: ['\"]?(\d{11})", text).group(1)
    path.write_text(text.replace(number, number[:-1] + str((int(number[-1]) + 1) % 10)), "utf-8")
    page = shown(client.get("/person/ma-jun.yaml").text)
    change = _re.search(r"自上次出具以来的改动.*?共 1 个字段有变化", page).group(0)
    assert f"手机：{number[:3]}****{number[-4:]} →" in change
    assert "applicant" not in change and "mobile" not in change


def test_unknown_pages_and_pages_out_of_range_answer_in_chinese(client) -> None:
    for url in ("/nope", "/person/..%2F..%2Fetc%2Fpasswd", "/static/../app.py"):
        r = client.get(url)
        assert r.status_code == 404 and "找不到页面" in r.text and "Not Found" not in r.text, url
    r = client.get("/logout")  # a POST-only address opened by typing it
    assert r.status_code == 405 and "Method Not Allowed" not in r.text and "无法打开" in r.text
    assert client.get("/person/ma-jun.yaml/preview/1.png?doc=agreement").status_code == 200
    for n in ("0", "-1", "99"):  # never another page than the one asked for
        assert client.get(f"/person/ma-jun.yaml/preview/{n}.png?doc=agreement").status_code == 404, n


def test_an_unexpected_fault_is_a_chinese_page_without_traceback(tmp_path: Path, monkeypatch) -> None:
    from formkit.desk import create_app, people

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(people, "summaries", broken)
    with TestClient(create_app(tmp_path, tmp_path / "out"), raise_server_exceptions=False) as c:
        r = c.get("/people")
    assert r.status_code == 500 and "内部错误" in r.text
    assert "Traceback" not in r.text and "Internal Server Error" not in r.text and "boom" not in r.text


def test_a_port_in_use_is_told_in_chinese_before_any_address_is_printed(tmp_path: Path) -> None:
    import socket

    from formkit.desk.server import serve
    from formkit.errors import EnvironmentProblem

    printed: list[str] = []
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(EnvironmentProblem, match=f"端口 {port} 已被占用"):
            serve(ROOT / "data", tmp_path / "out", "127.0.0.1", port, None, False, echo=printed.append)
    assert printed == []


def test_a_full_stop_typed_for_the_middle_dot_is_pointed_out_beside_the_name(client) -> None:
    r = client.post("/person/check", data={"csrf": csrf_of(client), "applicant.name": "玛依拉.买买提"})
    box = _re.search(r'id="err-f-applicant-name"[^>]*>(.*?)</div>\n', r.text, _re.S).group(1)
    assert "提示：姓名中的「.」（U+002E）已改为间隔号「·」，须与身份证一致" in box


def test_an_import_says_whom_it_wrote_by_name(client, tmp_path: Path) -> None:
    import io

    import openpyxl

    from formkit.render.xlsx import write_blank_roster_xlsx

    wb = openpyxl.load_workbook(io.BytesIO(write_blank_roster_xlsx()))
    ws = wb["名单"]
    header = [c.value for c in ws[2]]
    for column, value in {"姓名": "张丽华", "性别": "女", "民族": "汉族", "公民身份号码": "530128199005120025"}.items():
        ws.cell(3, header.index(column) + 1, value)
    roster = tmp_path / "名单.xlsx"
    wb.save(roster)
    csrf = csrf_of(client)
    r = client.post("/import", data={"csrf": csrf}, files={"file": ("名单.xlsx", roster.read_bytes(), "application/octet-stream")})
    token = _re.search(r'action="/import/([^/"]+)/apply"', r.text).group(1)
    assert '<td class="nowrap">张丽华</td>' in r.text  # a name never breaks one character a line
    done = client.post(f"/import/{token}/apply", data={"csrf": csrf})
    text = shown(done.text)
    assert "已写入 1 份记录" in text and _re.search(r"张丽华 \S+\.yaml 草稿", text)


def test_the_outcome_of_issuing_is_shown_where_the_page_lands(client) -> None:
    r = client.post("/person/ma-jun.yaml/issue", data={"csrf": csrf_of(client), "form": "agreement"},
                    follow_redirects=False)
    assert r.headers["location"].endswith("#documents")
    page = client.get(r.headers["location"].split("#")[0]).text
    section = page[page.index('id="documents"'):]
    assert "已生成：新出具 1" in section


def test_a_blank_form_is_not_saved_and_not_shouted_at(client) -> None:
    before = sorted(p.name for p in (client.data_dir / "cases").iterdir())
    blank = client.get("/person/new").text
    assert "请填写记录" in blank and "缺少必填项" not in blank
    r = client.post("/person/save", data={"csrf": csrf_of(client), "_file": "", "_digest": "",
                                          "resume[0].start": "", "resume[0].unit": ""}, follow_redirects=False)
    assert r.status_code == 400 and "表单是空的，没有保存" in r.text
    assert sorted(p.name for p in (client.data_dir / "cases").iterdir()) == before


def test_a_second_record_of_one_person_is_named_by_its_file_not_its_folder_and_line(client) -> None:
    number = _re.search(r"id_number: ['\"]?(\w{18})", (client.data_dir / "cases" / "ma-jun.yaml").read_text("utf-8")).group(1)
    r = client.post("/person/check", data={"csrf": csrf_of(client), "applicant.id_number": number})
    box = shown(_re.search(r'id="err-f-applicant-id_number"[^>]*>(.*?)</div>\n', r.text, _re.S).group(1))
    assert "与 记录 ma-jun.yaml 是同一个公民身份号码" in box
    assert str(client.data_dir) not in r.text and "yaml:" not in box


def test_the_demand_form_comes_back_as_the_clerk_set_it(client) -> None:
    r = client.post("/demand", data={"csrf": csrf_of(client), "level": "prefecture", "year": "2025",
                                     "division": "532500"})
    assert "没有可汇总的需求信息表" in r.text
    assert _re.search(r'<option value="prefecture"\s+selected>', r.text)
    assert 'value="532500"' in r.text and 'id="year" name="year" value="2025"' in r.text


def test_the_login_page_shows_no_folders_and_no_menu(tmp_path: Path) -> None:
    from formkit.desk import create_app

    (tmp_path / "data" / "cases").mkdir(parents=True)
    with TestClient(create_app(tmp_path / "data", tmp_path / "out", password="一个足够长的密码")) as c:
        login = c.get("/people").text  # redirected to the login
        assert "登录 formkit 工作台" in login
        assert str(tmp_path) not in login and "退出登录" not in login and 'href="/batch"' not in login
        csrf = _re.search(r'name="csrf" value="([^"]+)"', login).group(1)
        inside = c.post("/login", data={"csrf": csrf, "password": "一个足够长的密码"}).text
        assert str(tmp_path / "data") in inside and "退出登录" in inside and 'href="/batch"' in inside


def test_a_refusal_under_article_2_offers_no_command_line_option(client) -> None:
    record = client.data_dir / "cases" / "pu-lifen.yaml"
    record.write_text(_re.sub(r"^  level: .*$", "  level: 乡(镇)属", record.read_text("utf-8"), count=1, flags=_re.M),
                      "utf-8")
    r = client.post("/person/pu-lifen.yaml/issue", data={"csrf": csrf_of(client), "form": "agreement"})
    text = shown(r.text)
    assert r.status_code == 409 and "不符合第二条，不能签订协议，不予生成服务协议：所在单位为乡(镇)属" in text
    assert "--" not in text


def test_a_declaration_refused_for_a_bad_record_names_its_file_and_field_in_chinese(client) -> None:
    record = client.data_dir / "cases" / "ma-jun.yaml"
    record.write_text(_re.sub(r"mobile: ['\"]?(\d{11})['\"]?", r"mobile: '1518716580'", record.read_text("utf-8")), "utf-8")
    r = client.post("/declare", data={"csrf": csrf_of(client), "prefecture": "530100", "year": "2022"},
                    follow_redirects=False)
    text = wait_for_task(client, r.headers["location"]).split("年度申报：", 1)[1]  # below the menu
    assert "ma-jun.yaml 手机：手机号码应为11位" in text, text
    assert "applicant." not in text and str(client.data_dir) not in text, text


def test_adding_a_row_opens_the_page_on_the_new_rows_first_field(client) -> None:
    r = client.post("/person/save", data={"csrf": csrf_of(client), "_file": "", "_digest": "", "add_row": "resume",
                                          "applicant.name": "李强", "resume[0].start": "2006-09"})
    assert r.status_code == 200
    assert _re.search(r'<input id="f-resume-1-start"[^>]*\bautofocus\b', r.text)
    assert r.text.count("autofocus") == 1


def test_each_problem_shows_once_and_the_list_follows_the_form(client) -> None:
    r = client.post("/person/check", data={"csrf": csrf_of(client), "applicant.name": "李强",
                                           "resume[0].start": "2006-09"})
    boxes = dict(_re.findall(r'<div class="err" id="(err-[^"]+)"[^>]*>(.*?)</div>\n', r.text, _re.S))
    assert "缺少必填项" in boxes["err-f-achievements"] and "缺少必填项" not in boxes["err-sec-achievements"]
    listed = _re.findall(r'<li><a href="#([^"]+)">', r.text)
    assert listed.index("f-applicant-political_status") < listed.index("sec-home_unit") < listed.index("f-achievements")


def test_a_form_opened_before_a_restart_still_saves(tmp_path: Path) -> None:
    from formkit.desk import create_app

    shutil.copytree(ROOT / "data", tmp_path / "data")
    first = TestClient(create_app(tmp_path / "data", tmp_path / "out"))
    csrf = csrf_of(first)
    cookies = dict(first.cookies)
    restarted = TestClient(create_app(tmp_path / "data", tmp_path / "out"), cookies=cookies)
    r = restarted.post("/person/check", data={"csrf": csrf, "applicant.name": "张三"})
    assert r.status_code == 200
    key = tmp_path / "out" / ".formkit-desk-key"
    assert key.stat().st_mode & 0o077 == 0  # the owner's alone


def test_a_desk_restarted_with_another_password_asks_again(tmp_path: Path) -> None:
    from formkit.desk import create_app

    (tmp_path / "data" / "cases").mkdir(parents=True)
    first = TestClient(create_app(tmp_path / "data", tmp_path / "out", password="第一个足够长的密码"))
    csrf = _re.search(r'name="csrf" value="([^"]+)"', first.get("/login").text).group(1)
    first.post("/login", data={"csrf": csrf, "password": "第一个足够长的密码"})
    assert first.get("/people", follow_redirects=False).status_code == 200
    same = TestClient(create_app(tmp_path / "data", tmp_path / "out", password="第一个足够长的密码"),
                      cookies=dict(first.cookies))
    assert same.get("/people", follow_redirects=False).status_code == 200
    other = TestClient(create_app(tmp_path / "data", tmp_path / "out", password="另一个足够长的密码"),
                       cookies=dict(first.cookies))
    r = other.get("/people", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_messages_call_the_desk_by_the_name_it_shows() -> None:
    """The desk's pages say 「formkit 工作台」: a draft's first line, what jobs say of a draft and
    the blank roster's instructions send the clerk to the same name."""
    import io

    import openpyxl

    from formkit.load.records import DRAFT_LINE, DRAFT_MESSAGE
    from formkit.render.xlsx import write_blank_roster_xlsx

    sheet = openpyxl.load_workbook(io.BytesIO(write_blank_roster_xlsx()))["说明"]
    instructions = "".join(str(c.value or "") for row in sheet.iter_rows() for c in row)
    for text in (DRAFT_LINE, DRAFT_MESSAGE, instructions):
        assert "办事台" not in text and "工作台" in text


def test_a_posted_row_number_cannot_blow_the_form_up(client) -> None:
    r = client.post("/person/check", data={"csrf": csrf_of(client), "resume[99999999].start": "2001-01"})
    assert r.status_code == 200 and r.text.count('id="err-f-resume-') <= 4 * F.MAX_ROWS


def test_a_new_person_is_named_in_pinyin_and_never_takes_a_taken_name(tmp_path: Path) -> None:
    """The desk names a new record as formkit import does: 马俊 → ma-jun.yaml, then ma-jun-2.yaml."""
    from formkit.desk.store import cases_dir, new_record_name

    assert new_record_name(tmp_path, "马俊") == "ma-jun.yaml"
    assert new_record_name(tmp_path, "") == "xin-ren-yuan.yaml"
    folder = cases_dir(tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ma-jun.yaml").write_text("x", "utf-8")
    assert new_record_name(tmp_path, "马俊") == "ma-jun-2.yaml"
    (folder / "ma-jun-2.yaml").write_text("x", "utf-8")
    assert new_record_name(tmp_path, "马俊") == "ma-jun-3.yaml"
