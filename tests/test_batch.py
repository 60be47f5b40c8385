"""Batch printing, the ledger, corrections and safe writes (formkit batch / render / diff)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from formkit.cli import main
from formkit.output.ledger import LEDGER_NAME, LOCK_NAME, SUPERSEDED, Ledger
from gen_cases import as_another_person

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "data" / "cases").glob("*.yaml"))
FORMKIT = [sys.executable, "-m", "formkit.cli"]


def make_records(folder: Path, n: int) -> list[Path]:
    """``n`` valid records of ``n`` different people: the samples again under new file names,
    each with an ID number of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        sample = SAMPLES[i % len(SAMPLES)]
        target = folder / f"r{i:02d}-{sample.stem}.yaml"
        text = sample.read_text("utf-8")
        target.write_text(text if i < len(SAMPLES) else as_another_person(text, i), "utf-8")
        out.append(target)
    return out


def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name not in (LOCK_NAME, LEDGER_NAME)}


def assert_ledger_is_the_disk(out: Path) -> int:
    """The ledger lists exactly the files on disk (current and superseded), each whole and with
    its hash; no temporary file is left. Returns how many current files are listed."""
    ledger = Ledger.read(out)
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} - {LOCK_NAME, LEDGER_NAME}
    assert on_disk == ledger.listed_paths(), (sorted(on_disk - ledger.listed_paths()),
                                              sorted(ledger.listed_paths() - on_disk))
    current = 0
    for doc in ledger.documents.values():
        if doc.withdrawn:
            continue
        for name, (digest, size) in doc.files.items():
            data = ledger.file(doc, name).read_bytes()
            assert len(data) == size and hashlib.sha256(data).hexdigest() == digest, (doc.id, name)
            current += 1
            if name.endswith(".docx"):
                with zipfile.ZipFile(io_bytes(data)) as zf:
                    assert zf.testzip() is None
            elif name.endswith(".pdf"):
                with pikepdf.open(io_bytes(data)) as pdf:
                    assert len(pdf.pages) > 0
    return current


def io_bytes(data: bytes):
    import io

    return io.BytesIO(data)


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args))


def folder_of(out: Path, record: Path) -> Path:
    """The output folder of the person whose record is ``record`` (from the ledger)."""
    ledger = Ledger.read(out)
    person = ledger.person_by_record(str(record.resolve()))
    assert person is not None, record
    return out / person.folder


def test_batch_renders_good_records_and_reports_each_bad_one(tmp_path: Path) -> None:
    records = make_records(tmp_path / "in", 4)
    bad = {
        "bad-id.yaml": lambda t: re.sub(r'(id_number: "\d{17})(\w)"', lambda m: m[1] + ("0" if m[2] != "0" else "1") + '"', t, count=1),
        "bad-date.yaml": lambda t: t.replace("start: 2020-07-01", "start: 2020-7-1", 1),
        "dup-key.yaml": lambda t: t.replace("applicant:\n", "applicant:\n  name: 甲\n", 1),
    }
    source = (ROOT / "data" / "cases" / "ma-jun.yaml").read_text("utf-8")
    for i, (name, change) in enumerate(bad.items()):
        text = change(as_another_person(source, 40 + i) if name != "bad-id.yaml" else source)
        assert text != source, name
        (tmp_path / "in" / name).write_text(text, "utf-8")
    out = tmp_path / "out"
    result = run_cli("batch", str(tmp_path / "in"), "--out", str(out), "--jobs", "2", "--no-progress")
    assert result.exit_code == 1, result.output
    assert "4 份记录成功，3 份失败" in result.output
    assert re.search(r"bad-id\.yaml:\d+:\d+ applicant\.id_number（公民身份号码）: 校验码不符", result.output)
    assert re.search(r"bad-date\.yaml:\d+:\d+ agreement\.start（服务起始日期）: 日期应写作 YYYY-MM-DD", result.output)
    assert re.search(r"dup-key\.yaml:\d+:\d+ applicant\.name（姓名）: 重复的键", result.output)
    for record in records:
        assert any(folder_of(out, record).glob("考核鉴定表_*.pdf"))
    assert not any((out / Path(n).stem).exists() for n in bad)
    job = out / "print" / "考核鉴定表_全部_打印.pdf"
    assert job.exists()
    assert assert_ledger_is_the_disk(out) > 0


def test_duplex_padding_gives_every_copy_an_odd_first_page(tmp_path: Path) -> None:
    source = (ROOT / "data" / "cases" / "ma-jun.yaml").read_text("utf-8")
    long = "\n".join(["      " + "本年度认真履行协议，深入村组开展常见病、多发病诊疗和公共卫生服务，" * 3] * 14)
    text = source.replace("    self_summary: |\n", "    self_summary: |\n" + long + "\n", 1)
    assert text != source
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "long.yaml").write_text(text, "utf-8")
    shutil.copyfile(ROOT / "data" / "cases" / "wang-yan.yaml", folder / "short.yaml")
    out = tmp_path / "out"
    result = run_cli("batch", str(folder), "--out", str(out), "--jobs", "1", "--no-progress")
    assert result.exit_code == 0, result.output
    job = out / "print" / "考核鉴定表_全部_打印.pdf"
    pages = subprocess.run(["pdftotext", "-layout", str(job), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")[:-1]
    starts = [i + 1 for i, page in enumerate(pages) if re.search(r"第\s*1\s*页\s*共", page)]
    blanks = [i + 1 for i, page in enumerate(pages) if "此页无正文" in page]
    assert starts and all(n % 2 == 1 for n in starts), starts
    assert blanks, "the 3-page copies must be padded"
    assert len(pages) % 2 == 0
    # every copy's label is on its own first page
    labels = [re.search(r"第\d份（共2份）", pages[n - 1]) for n in starts]
    assert all(labels), starts


def test_corrected_record_changes_only_its_documents_and_keeps_the_old(tmp_path: Path) -> None:
    records = make_records(tmp_path / "in", 14)
    out = tmp_path / "out"
    first = run_cli("batch", str(tmp_path / "in"), "--out", str(out), "--forms", "appraisal,agreement",
                    "--jobs", "2", "--no-progress")
    assert first.exit_code == 0, first.output
    before = digests(out)
    target = next(r for r in records if "ma-jun" in r.stem)
    folder = folder_of(out, target).name
    text = target.read_text("utf-8")
    target.write_text(text.replace("legal_representative: ", "legal_representative: 新", 1), "utf-8")

    diff = run_cli("diff", str(target), "--out", str(out))
    assert diff.exit_code == 1
    assert "service.legal_representative（服务单位法定代表人）" in diff.output
    assert "考核鉴定表_马俊_第1次（第 1 版" not in diff.output  # 附件3 does not print it
    assert "服务协议_马俊（第 1 版 → 第 2 版" in diff.output

    second = run_cli("batch", str(tmp_path / "in"), "--out", str(out), "--forms", "appraisal,agreement",
                     "--jobs", "2", "--no-progress")
    assert second.exit_code == 0, second.output
    assert "打印文件" in second.output and "已生成" in second.output  # a member changed: collated again
    after = digests(out)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    other = {k for k in changed if not k.startswith(folder + "/") and not k.startswith("print/")}
    assert other == set(), sorted(other)
    for k, v in before.items():
        if k.startswith(f"{folder}/服务协议"):
            assert after[f"{folder}/{SUPERSEDED}/v1/{Path(k).name}"] == v  # nothing issued is lost
    assert after[f"print/{SUPERSEDED}/v1/考核鉴定表、服务协议_全部_打印.pdf"] == before["print/考核鉴定表、服务协议_全部_打印.pdf"]
    ledger = Ledger.read(out)
    person = ledger.person_by_record(str(target.resolve()))
    assert ledger.documents[f"{person.number}/agreement"].version == 2
    assert ledger.documents[f"{person.number}/appraisal/1"].version == 1
    assert assert_ledger_is_the_disk(out) > 0
    assert run_cli("diff", str(target), "--out", str(out)).exit_code == 0


def _ledger_done_lines(out: Path) -> int:
    try:
        return sum(1 for line in (out / LEDGER_NAME).read_text("utf-8").splitlines() if '"done"' in line)
    except OSError:
        return 0


def test_a_terminated_batch_leaves_whole_files_and_a_consistent_ledger(tmp_path: Path) -> None:
    make_records(tmp_path / "in", 12)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([*FORMKIT, "batch", str(tmp_path / "in"), "--out", str(out), "--jobs", "2",
                             "--forms", "application,appraisal", "--no-progress"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and _ledger_done_lines(out) < 2 and proc.poll() is None:
        time.sleep(0.02)  # waiting for an event: two records issued
    assert proc.poll() is None, "the batch ended before it could be interrupted"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err.decode()
    assert "已中断" in err.decode()
    issued = assert_ledger_is_the_disk(out)
    assert 0 < issued
    assert len(Ledger.read(out).persons) < 12  # it really was interrupted

    done = subprocess.run([*FORMKIT, "batch", str(tmp_path / "in"), "--out", str(out), "--jobs", "2",
                           "--forms", "application,appraisal", "--no-progress"], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert assert_ledger_is_the_disk(out) > issued
    assert len(Ledger.read(out).persons) == 12


@pytest.mark.parametrize("step", [1, 2, 3, 5, 8])
def test_a_kill_at_any_step_of_a_transaction_is_finished_by_the_next_run(tmp_path: Path, step: int) -> None:
    """``FORMKIT_CRASH_AFTER=N`` ends the process like a kill at the N-th step of a ledger
    transaction (after a line is appended, a file moved, a file renamed). Whatever the step, the
    next run's opening of the ledger makes it list exactly the files on disk again."""
    record = make_records(tmp_path / "in", 1)[0]
    out = tmp_path / "out"
    assert run_cli("render", str(record), "--out", str(out), "--format", "docx").exit_code == 0
    record.write_text(record.read_text("utf-8").replace("name: 白忠荣", "name: 白中荣", 1), "utf-8")
    env = {**os.environ, "FORMKIT_CRASH_AFTER": str(step)}
    killed = subprocess.run([*FORMKIT, "render", str(record), "--out", str(out), "--format", "docx"], env=env,
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == 137, killed.stdout + killed.stderr
    with Ledger.open(out):
        pass  # what every command does first: finish or discard the interrupted transaction
    assert not list(out.rglob("*.formkit-tmp"))
    assert assert_ledger_is_the_disk(out) > 0
    again = run_cli("render", str(record), "--out", str(out), "--format", "docx")
    assert again.exit_code == 0, again.output
    assert assert_ledger_is_the_disk(out) > 0
    names = {p.name for p in (out / record.stem).glob("*.docx")}
    assert names and all("白中荣" in n for n in names), names
    assert {p.name for p in (out / record.stem / SUPERSEDED).rglob("*.docx")} >= {
        n.replace("白中荣", "白忠荣") for n in names}


def test_a_second_run_on_a_locked_folder_fails_clearly(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with Ledger.open(out):
        result = run_cli("render", str(SAMPLES[0]), "--out", str(out), "--wait", "0.3")
    assert result.exit_code == 2
    assert "另一个 formkit 进程正在写入" in result.output and "已等待 0.3 秒" in result.output


def test_render_twice_writes_nothing_the_second_time(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("render", str(SAMPLES[0]), "--out", str(out)).exit_code == 0
    before = digests(out)
    ledger_before = (out / LEDGER_NAME).read_bytes()
    again = run_cli("render", str(SAMPLES[0]), "--out", str(out))
    assert again.exit_code == 0 and "写入 0 个文件" in again.output
    assert digests(out) == before and (out / LEDGER_NAME).read_bytes() == ledger_before
    forced = run_cli("render", str(SAMPLES[0]), "--out", str(out), "--force")
    assert forced.exit_code == 0 and "更正 0" in forced.output  # byte-identical: not a new version
    assert digests(out) == before
    assert all(d.version == 1 for d in Ledger.read(out).documents.values())
    mode = (out / LEDGER_NAME).stat().st_mode & 0o777
    assert mode & 0o007 == 0


def test_an_unchanged_batch_rerun_writes_nothing(tmp_path: Path) -> None:
    make_records(tmp_path / "in", 3)
    out = tmp_path / "out"
    args = ("batch", str(tmp_path / "in"), "--out", str(out), "--jobs", "1", "--no-progress")
    assert run_cli(*args).exit_code == 0
    before, ledger_before = digests(out), (out / LEDGER_NAME).read_bytes()
    again = run_cli(*args)
    assert again.exit_code == 0 and "未变（各文书均未更改，未重新合成）" in again.output
    assert digests(out) == before and (out / LEDGER_NAME).read_bytes() == ledger_before


def test_the_print_job_embeds_each_font_once_and_draws_every_page_as_its_record_does(tmp_path: Path) -> None:
    """The records' font subsets are replaced by one program per prepared font for the whole job
    (``output.pdfjoin.shared_font_programs``): few kilobytes per page, and every page of the job
    looks exactly like the same page of its record's own print PDF (60 dpi, pixel for pixel)."""
    from formkit.render.fonts import prepared_fonts

    records = make_records(tmp_path / "in", 3)
    shutil.copyfile(ROOT / "data" / "cases" / "wang-yan.yaml", tmp_path / "in" / "wang-yan.yaml")  # 王䶮
    out = tmp_path / "out"
    result = run_cli("batch", str(tmp_path / "in"), "--out", str(out), "--jobs", "1", "--no-progress")
    assert result.exit_code == 0, result.output
    job = out / "print" / "考核鉴定表_全部_打印.pdf"
    with pikepdf.open(job) as pdf:
        pages = len(pdf.pages)
        programs = {obj.FontFile3.objgen for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary)
                    and obj.get("/Type") == "/FontDescriptor" and "/FontFile3" in obj
                    and str(obj.FontName).split("+")[-1].startswith("formkit-")}
    assert 0 < len(programs) <= len(prepared_fonts())
    members = [p for r in [*records, tmp_path / "in" / "wang-yan.yaml"]
               for p in sorted(folder_of(out, r).glob("考核鉴定表_*.pdf"))]
    assert job.stat().st_size < sum(p.stat().st_size for p in members) / 3
    own = []
    for member in members:
        with pikepdf.open(member) as pdf:
            own.append(len(pdf.pages))

    def raster(pdf: Path, first: int, last: int, name: str) -> list[bytes]:
        subprocess.run(["pdftoppm", "-r", "60", "-gray", "-f", str(first), "-l", str(last), str(pdf),
                        str(tmp_path / name)], check=True)
        return [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.pgm"))]

    joined = raster(job, 1, pages, "job")
    separate = [page for i, member in enumerate(members) for page in raster(member, 1, own[i], f"m{i}")]
    if len(joined) == len(separate):  # no blank pages were inserted (2-page copies)
        assert joined == separate
    else:
        blank = [page for page in joined if page not in separate]
        assert [page for page in joined if page not in blank] == separate
