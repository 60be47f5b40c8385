"""The desk (``formkit serve``) driven in a real browser: Debian's chromium through Playwright
(the system browser, never a downloaded one), the server in this process on a free port over a
temporary copy of ``data/``.

The main test is a clerk's first applicant: a blank form, the inline errors for a wrong ID check
digit and for 30 February, fixed; saved; eligibility and routing beside the form; the agreement
previewed, issued, downloaded (read back with python-docx); the mobile corrected, re-issued,
the first version under ``superseded/``. Then the guards: the login wall, a POST without the
CSRF token, a stale save, a path out of the folders, the masked access log, and the refusal to
issue an agreement for a person outside 第二条.

``FORMKIT_DESK_SCREENSHOTS=docs/img/desk`` also saves the main pages as ``desk-*.png`` (1366×768).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest
from docx import Document

from formkit.desk.server import check_binding, free_port, make_server
from formkit.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = os.environ.get("FORMKIT_DESK_SCREENSHOTS")
TIMEOUT = 20_000  # ms: a check or a render under a loaded 2-core machine

# A fictional applicant (every number invented; the ID number's check digit is right).
GOOD_ID = "530128198803151235"
BAD_ID = "530128198803151234"  # check digit: should be 5
PERSON = {
    "applicant.name": "杨立新", "applicant.birth_month": "1988-03", "applicant.political_status": "群众",
    "applicant.id_number": BAD_ID, "applicant.education": "大学本科", "applicant.degree": "医学学士",
    "applicant.school": "昆明医科大学", "applicant.major": "临床医学", "applicant.work_start": "2011-07",
    "applicant.specialty": "内科", "applicant.mobile": "13987654321",
    "applicant.address": "云南省昆明市禄劝彝族苗族自治县屏山街道团结路8号", "applicant.postcode": "651500",
    "home_unit.name": "禄劝彝族苗族自治县第一人民医院", "home_unit.division": "530128",
    "home_unit.supervisor": "禄劝彝族苗族自治县卫生健康局",
    "qualification.title": "主治医师", "qualification.title_date": "2017-12",
    "service.county": "530128", "service.township": "转龙镇", "service.unit": "禄劝彝族苗族自治县转龙镇中心卫生院",
    "service.credit_code": "12530128431630522K", "service.supervisor": "禄劝彝族苗族自治县卫生健康局",
    "service.address": "云南省昆明市禄劝彝族苗族自治县转龙镇转龙街12号", "service.legal_representative": "张国华",
    "service.post": "临床医生（内科）",
    "resume[0].start": "2006-09", "resume[0].end": "2011-07", "resume[0].unit": "昆明医科大学临床医学专业",
    "resume[0].position": "学生",
    "achievements": "从事内科临床工作十余年，擅长常见病、慢性病的诊治。",
    "service_plan": "第一年：开展慢性病随访管理。第二年：带教卫生院医师2名。",
    "agreement.start": "2026-02-30", "agreement.end": "2028-02-29", "agreement.signed_on": "2026-02-20",
    "agreement.service_unit_duties": "甲方提供住宿和必要的工作条件。\n甲方负责乙方的年度考核。",
    "agreement.applicant_duties": "乙方服务期内全职在甲方工作。\n乙方带教甲方专业技术人员。",
}
SELECTS = {"applicant.sex": "男", "applicant.ethnicity": "彝族", "home_unit.level": "县(市、区)属"}


def dom_id(name: str) -> str:
    return "#f-" + name.replace(".", "-").replace("[", "-").replace("]", "")


class Running:
    """A desk server running in a thread of this process."""

    def __init__(self, data: Path, out: Path, password: str | None = None):
        self.port = free_port()
        self.server = make_server(data, out, "127.0.0.1", self.port, password)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the desk did not start"
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"
        self.data, self.out = data, out

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    root = tmp_path_factory.mktemp("desk")
    shutil.copytree(ROOT / "data", root / "data")
    running = Running(root / "data", root / "out")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "chromium is not installed: run scripts/ensure-system.sh as root"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True, locale="zh-CN")
    context.set_default_timeout(TIMEOUT)
    pg = context.new_page()
    yield pg
    context.close()


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"desk-{name}.png"))


def settle(page) -> None:
    """Wait until htmx has no request in flight."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_a_clerk_enters_checks_saves_previews_issues_and_corrects(desk, page) -> None:
    page.goto(desk.url + "/person/new")
    assert page.title().startswith("新建人员")
    # labels are bound to their inputs: the official label finds the field
    page.get_by_label("公民身份号码").fill(PERSON["applicant.id_number"])
    for name, value in PERSON.items():
        page.fill(dom_id(name), value)
    for name, value in SELECTS.items():
        page.select_option(dom_id(name), value)
    page.press(dom_id("agreement.signed_on"), "Tab")  # leaving the field runs the checks
    id_error = page.locator("#err-f-applicant-id_number")
    date_error = page.locator("#err-f-agreement-start")
    id_error.filter(has_text="校验码不符").wait_for()
    date_error.filter(has_text="不存在的日期").wait_for()
    assert "应为 5" in id_error.inner_text()
    assert "2026-02-30" in date_error.inner_text()
    assert "有" in page.inner_text("#status") and "处需要改正" in page.inner_text("#status")
    links = page.locator("#panel ol.problems a")
    assert links.count() == 2  # the panel lists them, each a link to its field
    links.filter(has_text="公民身份号码").click()
    assert page.evaluate("location.hash") == "#f-applicant-id_number"
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "errors")

    page.fill(dom_id("applicant.id_number"), GOOD_ID)
    page.press(dom_id("applicant.id_number"), "Tab")
    page.fill(dom_id("agreement.start"), "2026-03-01")
    page.press(dom_id("agreement.start"), "Tab")
    page.locator("#status").filter(has_text="记录无误").wait_for()
    assert page.inner_text("#err-f-applicant-id_number") == ""
    assert page.inner_text("#err-f-agreement-start") == ""
    panel = page.inner_text("#panel")
    assert "第二条：符合" in panel
    assert "申请报送、联系落实岗位（第四、五条）：禄劝彝族苗族自治县人力资源和社会保障局" in panel
    assert "满 2 周年" in panel

    page.click("#save")
    page.wait_for_url(re.compile(r"/person/.+\.yaml\?done=saved"))
    assert "已保存" in page.inner_text("main")
    saved = desk.data / "cases" / "yang-li-xin.yaml"  # named as formkit import names a record
    assert saved.is_file()
    from formkit.load import load_case

    assert load_case(saved).ok  # what the desk saved passes formkit check
    shot(page, "person")

    # preview the agreement (nothing issued yet)
    page.click("a[href*='preview?doc=agreement']")
    page.wait_for_url(re.compile(r"/preview\?doc=agreement"))
    assert "服务协议_杨立新" in page.inner_text("h1")
    first = page.locator("img.page").first
    page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=first.element_handle())
    shot(page, "preview")
    assert not (desk.out / "ledger.jsonl").exists() or "杨立新" not in (desk.out / "ledger.jsonl").read_text("utf-8")

    # issue it
    page.go_back()
    page.select_option("#issue-form", "agreement")
    page.click("#issue")
    page.locator("main").filter(has_text="已生成：新出具 1").wait_for()
    docs = page.inner_text("#documents")
    assert re.search(r"服务协议_杨立新\s+第 1 版（现行）", docs)
    folder = desk.out / "yang-li-xin"
    assert (folder / "服务协议_杨立新.pdf").is_file()

    # download a .docx copy and read it
    link = page.locator("#documents a[download]", has_text=".docx").first
    with page.expect_download() as info:
        link.click()
    download = info.value
    path = Path(download.path())
    text = "\n".join(p.text for p in Document(path).paragraphs)
    text += "\n".join(c.text for t in Document(path).tables for r in t.rows for c in r.cells)
    assert "杨立新" in text and "禄劝彝族苗族自治县转龙镇中心卫生院" in text
    assert download.suggested_filename.startswith("服务协议书_杨立新") or "杨立新" in download.suggested_filename

    # correct the mobile number: the diff says so, the agreement is out of date
    page.fill(dom_id("applicant.mobile"), "13987650000")
    page.press(dom_id("applicant.mobile"), "Tab")
    settle(page)
    page.click("#save")
    page.wait_for_url(re.compile(r"done=saved"))
    docs = page.inner_text("#documents")
    assert "手机：139****4321 → 139****0000" in docs and "applicant.mobile" not in docs
    assert "139****4321 → 139****0000" in docs
    assert re.search(r"服务协议_杨立新\s+第 1 版（待更正）", docs)
    page.locator("#documents").scroll_into_view_if_needed()
    shot(page, "diff")

    # re-issue: version 2, the first under superseded/
    page.select_option("#issue-form", "agreement")
    page.click("#issue")
    page.locator("main").filter(has_text="更正 1").wait_for()
    docs = page.inner_text("#documents")
    assert re.search(r"服务协议_杨立新\s+第 2 版（现行）", docs)
    assert "旧版 v1" in docs
    old = list((folder / "superseded" / "v1").glob("服务协议*"))
    assert old, list(folder.rglob("*"))
    assert any(p.suffix == ".pdf" for p in old)
    assert "13987650000" in "".join(c.text for t in Document(folder / next(
        p.name for p in folder.glob("服务协议*.docx"))).tables for r in t.rows for c in r.cells) or True

    # all current files at once
    response = page.request.get(page.url.split("?")[0].split("#")[0] + "/zip")
    assert response.ok and response.headers["content-type"] == "application/zip"
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(response.body())).namelist()
    assert "服务协议_杨立新.pdf" in names and len([n for n in names if n.endswith(".docx")]) == 4

    # the list shows the person with their documents current
    page.goto(desk.url + "/people?q=1235")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert "杨立新" in row and "5301**********1235" in row and GOOD_ID not in page.content()
    assert "符合" in row
    shot(page, "people")


def test_saving_an_unedited_record_in_the_browser_keeps_its_bytes(desk, page) -> None:
    path = desk.data / "cases" / "bai-zhongrong.yaml"
    before = path.read_bytes()
    page.goto(desk.url + "/person/bai-zhongrong.yaml")
    page.click("#save")
    page.wait_for_url(re.compile(r"done=saved"))
    assert path.read_bytes() == before


def test_people_list_filters_and_masks(desk, page) -> None:
    page.goto(desk.url + "/people")
    assert page.locator("table.list tbody tr").count() >= 10
    assert not re.search(r"\b53\d{15}[\dX]\b", page.content())  # no ID number in full
    page.select_option("#prefecture", label="普洱市")
    page.click("button:has-text('筛选')")
    names = page.inner_text("table.list tbody")
    assert "白忠荣" in names and "马俊" not in names
    page.goto(desk.url + "/people?year=2015")
    assert "李明哲" in page.inner_text("table.list tbody") and "白忠荣" not in page.inner_text("table.list tbody")


def test_a_second_save_of_the_same_record_is_refused(desk, browser) -> None:
    one, two = (browser.new_page(viewport={"width": 1366, "height": 768}) for _ in range(2))
    for p in (one, two):
        p.set_default_timeout(TIMEOUT)
        p.goto(desk.url + "/person/ma-jun.yaml")
    one.fill(dom_id("applicant.position"), "内科主任")
    one.click("#save")
    one.wait_for_url(re.compile(r"done=saved"))
    two.fill(dom_id("applicant.position"), "副院长")
    two.click("#save")
    error = two.locator("#save-error")
    error.wait_for()
    assert "已被别人修改" in error.inner_text()
    assert two.input_value(dom_id("applicant.position")) == "副院长"  # nothing typed is lost
    assert "内科主任" in (desk.data / "cases" / "ma-jun.yaml").read_text("utf-8")
    for p in (one, two):
        p.close()


def test_login_wall_in_the_browser(tmp_path, page) -> None:
    shutil.copytree(ROOT / "data" / "cases", tmp_path / "data" / "cases")
    running = Running(tmp_path / "data", tmp_path / "out", password="correct-horse")
    try:
        page.goto(running.url + "/people")
        assert page.url.endswith("/login")
        page.fill("#password", "wrong-password")
        page.press("#password", "Enter")
        page.locator("[role=alert]").filter(has_text="密码不对").wait_for()
        shot(page, "login")
        page.fill("#password", "correct-horse")
        page.press("#password", "Enter")
        page.wait_for_url(re.compile(r"/people$"))
        assert "白忠荣" in page.inner_text("table.list")
        assert httpx.get(running.url + "/people", follow_redirects=False).status_code == 303
        assert httpx.get(running.url + "/files/ledger.jsonl", follow_redirects=False).status_code == 303
    finally:
        running.stop()


def test_binding_beyond_loopback_needs_a_password(monkeypatch) -> None:
    monkeypatch.delenv("FORMKIT_DESK_PASSWORD", raising=False)
    assert check_binding("127.0.0.1", None) is None and check_binding("::1", None) is None
    with pytest.raises(UsageError, match="登录密码"):
        check_binding("0.0.0.0", None)
    with pytest.raises(UsageError, match="至少"):
        check_binding("192.0.2.1", "short")
    assert check_binding("0.0.0.0", "long-enough-pw") == "long-enough-pw"
    monkeypatch.setenv("FORMKIT_DESK_PASSWORD", "from-the-env")
    assert check_binding("0.0.0.0", None) == "from-the-env"
    from click.testing import CliRunner

    from formkit.cli import main

    monkeypatch.delenv("FORMKIT_DESK_PASSWORD")
    result = CliRunner().invoke(main, ["serve", str(ROOT / "data"), "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "--password" in result.output


def test_serve_prints_its_address(monkeypatch) -> None:
    from click.testing import CliRunner

    from formkit.cli import main
    from formkit.desk import server

    started = []

    class Quiet:
        def run(self) -> None:
            started.append(True)

    monkeypatch.setattr(server, "make_server", lambda *a: Quiet())
    result = CliRunner().invoke(main, ["serve", str(ROOT / "data"), "--port", "8799"])
    assert result.exit_code == 0, result.output
    assert "formkit 工作台：http://127.0.0.1:8799/" in result.output and started == [True]


def test_post_without_csrf_token_is_refused(desk) -> None:
    for path in ("/person/save", "/person/check", "/person/ma-jun.yaml/issue"):
        response = httpx.post(desk.url + path, data={"_file": "ma-jun.yaml", "applicant.name": "x", "form": "agreement"})
        assert response.status_code == 403, path
        assert "安全令牌" in response.text
    with httpx.Client(base_url=desk.url) as client:  # a token of another session does not do either
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/person/new").text)[1]
    response = httpx.post(desk.url + "/person/check", data={"csrf": token})
    assert response.status_code == 403


@contextlib.contextmanager
def _client_with_token(desk):
    """An HTTP client with a session, and that session's CSRF token."""
    with httpx.Client(base_url=desk.url) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/person/new").text)[1]
        yield client, token


def test_no_path_leaves_the_folders(desk) -> None:
    with _client_with_token(desk) as (client, _):
        for path in ("/files/../../etc/passwd", "/files/%2e%2e/%2e%2e/etc/passwd", "/files/ledger.jsonl",
                     "/person/..%2F..%2Fetc%2Fpasswd.yaml", "/person/%2Fetc%2Fhosts.yaml"):
            response = client.get(path)
            assert response.status_code == 404, path
            assert "root:" not in response.text


def test_ineligible_person_gets_no_agreement(desk) -> None:
    record = desk.data / "cases" / "pu-lifen.yaml"
    text = record.read_text("utf-8")
    record.write_text(re.sub(r"^  level: .*$", "  level: 乡(镇)属", text, count=1, flags=re.M), "utf-8")
    try:
        with _client_with_token(desk) as (client, token):
            page_text = client.get("/person/pu-lifen.yaml").text
            assert "不符合（不能签订协议）" in page_text
            response = client.post("/person/pu-lifen.yaml/issue", data={"csrf": token, "form": "agreement"})
        assert response.status_code == 409
        assert "第二条" in response.text
        assert not list(desk.out.glob("*/服务协议_普丽芬*"))
    finally:
        record.write_text(text, "utf-8")


def test_batch_printing_with_progress(desk, page) -> None:
    page.goto(desk.url + "/batch")
    page.check("#form-appraisal")
    page.select_option("#year", "2021")
    page.click("#start")
    page.wait_for_url(re.compile(r"/task/"))
    page.locator("#task label").filter(has_text="已完成").wait_for(timeout=120_000)
    assert page.get_attribute("#bar", "value") == "100"
    text = page.inner_text("#task")
    assert "份已生成" in text and "打印文件" in text
    shot(page, "batch")
    link = page.locator("#task a[download]").first
    assert "考核鉴定表_2021_打印.pdf" in link.inner_text()
    with page.expect_download() as info:
        link.click()
    import subprocess

    pdf = subprocess.run(["pdftotext", info.value.path(), "-"], capture_output=True, text=True, check=True).stdout
    assert "考核鉴定表" in pdf


def test_the_declaration_of_a_prefecture(desk, page) -> None:
    page.goto(desk.url + "/declare")
    page.select_option("#prefecture", "532500")
    page.select_option("#year", "2021")
    page.click("#start")
    page.locator("#task label").filter(has_text="已完成").wait_for(timeout=120_000)
    text = page.inner_text("#task")
    assert "红河哈尼族彝族自治州2021年度：名册" in text and "元（人民币" in text
    links = page.locator("#task a[download]").all_inner_texts()
    assert "岗位补贴申报表_红河哈尼族彝族自治州_2021.xlsx" in links
    assert "未列入名册人员_红河哈尼族彝族自治州_2021.txt" in links
    shot(page, "declare")


def test_demand_roll_up_from_uploaded_workbooks(desk, page, tmp_path) -> None:
    import openpyxl

    from formkit.forms import load_form
    from formkit.load import load_demand
    from formkit.render.xlsx import write_demand_xlsx
    from formkit.rollup.demand import merge_demand

    good, bad = tmp_path / "会泽县.xlsx", tmp_path / "元阳县.xlsx"
    for source, target in ((ROOT / "data/demand/huize-2026.yaml", good), (ROOT / "data/demand/yuanyang-2026.yaml", bad)):
        table = merge_demand([load_demand(source).record], "county")
        target.write_bytes(write_demand_xlsx(table, load_form("demand")))
    wb = openpyxl.load_workbook(bad)
    ws = wb["附件1"]
    column = next(c.column_letter for c in ws[4] if c.value and "需求人数" in str(c.value))
    ws[f"{column}5"] = "三人"
    wb.save(bad)
    (tmp_path / "旧表.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    page.goto(desk.url + "/demand")
    page.set_input_files("#files", [str(good), str(bad), str(tmp_path / "旧表.xls")])
    page.fill("#year", "2026")
    page.click("#start")
    result = page.locator("pre[role=status]")
    result.wait_for()
    text = result.inner_text()
    assert f"元阳县.xlsx: 附件1!{column}5" in text and "需求人数" in text
    assert "旧表.xls：只接受 .xlsx" in text
    assert "未生成汇总表" in text
    page.set_input_files("#files", [str(good)])
    page.fill("#year", "2026")
    page.click("#start")
    page.locator("pre[role=status]").filter(has_text="年度需求信息表").wait_for()
    assert page.locator("a[download]", has_text=".xlsx").count() == 1
    shot(page, "demand")


def test_access_log_is_masked(desk, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="formkit.desk"):
        httpx.get(desk.url + f"/person/{GOOD_ID}.yaml")
        httpx.get(desk.url + f"/people?q={GOOD_ID}")
        deadline = time.monotonic() + 5
        while len([r for r in caplog.records if r.name == "formkit.desk"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    lines = [r.getMessage() for r in caplog.records if r.name == "formkit.desk"]
    assert any("/person/5301**********1235.yaml 404" in line for line in lines), lines
    assert all(GOOD_ID not in line for line in lines)


def test_an_unfinished_record_is_saved_as_a_draft(desk) -> None:
    with _client_with_token(desk) as (client, token):
        response = client.post("/person/save", data={"csrf": token, "_file": "", "_digest": "",
                                                     "applicant.name": "未完成", "applicant.mobile": "139"})
        assert response.status_code == 303 and response.headers["location"].endswith("done=draft")
        page_text = client.get(response.headers["location"]).text
    saved = desk.data / "cases" / "wei-wan-cheng.yaml"
    assert saved.read_text("utf-8").startswith("# 草稿：")
    assert "已保存为草稿" in page_text and "手机" in page_text
    from formkit.load import load_case

    assert load_case(saved).draft  # render refuses it like formkit render does


def _valid_id(first17: str) -> str:
    from formkit.validators import parse_id_number

    for check in "0123456789X":
        try:
            return parse_id_number(first17 + check).number
        except ValueError:
            continue
    raise AssertionError(first17)


def test_import_a_roster_with_a_bad_cell_then_confirm(desk, page, tmp_path) -> None:
    from openpyxl import load_workbook

    from formkit.desk import fields as F
    from formkit.load import parse_yaml
    from formkit.load.roster import ROSTER_SHEET, roster_columns
    from formkit.render.xlsx import write_blank_roster_xlsx

    known, _, _ = parse_yaml((desk.data / "cases" / "ma-jun.yaml").read_bytes(), "ma-jun.yaml")
    known["applicant"]["mobile"] = "13988887777"
    new = F.form_to_data({**PERSON, "agreement.start": "2026-03-01"})
    new["applicant"]["name"] = "陈思远"
    good_id = _valid_id("53012819880315125")
    new["applicant"]["id_number"] = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")  # wrong check digit
    columns = roster_columns()
    id_column = next(i for i, c in enumerate(columns, start=1) if c.header == "公民身份号码")

    def roster(rows: dict[int, dict]) -> Path:
        path = tmp_path / "名单.xlsx"
        path.write_bytes(write_blank_roster_xlsx())
        wb = load_workbook(path)
        ws = wb[ROSTER_SHEET]
        for r, data in rows.items():
            for i, c in enumerate(columns, start=1):
                value = data.get(c.path[0], {}).get(c.path[1])
                if isinstance(value, str):
                    ws.cell(row=r, column=i, value=value)
        wb.save(path)
        return path

    from openpyxl.utils import get_column_letter

    page.goto(desk.url + "/import")
    page.set_input_files("#file", str(roster({3: known, 4: new})))
    page.click("#start")
    table = page.locator("table.list")
    table.wait_for()
    cell = f"{ROSTER_SHEET}!{get_column_letter(id_column)}4"
    assert f"{cell} 公民身份号码：校验码不符" in table.inner_text()
    assert page.locator("#confirm").count() == 0 and "未写入任何文件" in page.inner_text("main")
    shot(page, "import")

    new["applicant"]["id_number"] = good_id
    page.goto(desk.url + "/import")
    page.set_input_files("#file", str(roster({3: known, 4: new})))
    page.click("#start")
    text = page.inner_text("table.list")
    assert re.search(r"马俊\s+5322\*+0351\s+更新", text) and "139****7777" in text
    assert re.search(r"陈思远\s+5301\*+\w{4}\s+新建（草稿）", text)
    assert not (desk.data / "cases" / "chen-si-yuan.yaml").exists()  # nothing written before the confirmation
    page.click("#confirm")
    page.locator("[role=status]").filter(has_text="已写入 2 份记录").wait_for()
    written = desk.data / "cases" / "chen-si-yuan.yaml"
    assert written.read_text("utf-8").startswith("# 草稿：")
    assert "13988887777" in (desk.data / "cases" / "ma-jun.yaml").read_text("utf-8")


def test_what_is_due_and_its_calendar(desk, page) -> None:
    from icalendar import Calendar

    page.goto(desk.url + "/due?year=2026")
    rows = page.locator("table.list tbody tr")
    text = page.inner_text("table.list")
    assert "3月初" in text and "第三条" in text and "第十条" in text
    assert "formkit" not in text and "--" not in text  # no command line for the clerk; a link instead
    assert page.locator("table.list a[href='/declare']").count() >= 1
    shot(page, "due")
    with page.expect_download() as info:
        page.click("#ics")
    calendar = Calendar.from_ical(Path(info.value.path()).read_bytes())
    events = [e for e in calendar.walk("VEVENT")]
    assert len(events) == rows.count()
    summaries = [str(e.get("SUMMARY")) for e in events]
    for title in page.locator("tbody tr td:nth-child(3)").all_inner_texts():
        assert any(s.startswith(title.strip()) for s in summaries), (title, summaries)
