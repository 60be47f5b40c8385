"""Batch printing, manifests, corrections and safe writes (formkit batch / render / diff)."""

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
from formkit.manifest import MANIFEST_NAME, SUPERSEDED, FolderManifest, OutputLock

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "data" / "cases").glob("*.yaml"))
FORMKIT = [sys.executable, "-m", "formkit.cli"]


def make_records(folder: Path, n: int) -> list[Path]:
    """``n`` valid records: the samples again under new file names."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        target = folder / f"r{i:02d}-{SAMPLES[i % len(SAMPLES)].stem}.yaml"
        shutil.copyfile(SAMPLES[i % len(SAMPLES)], target)
        out.append(target)
    return out


def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".formkit.lock"}


def assert_consistent(out: Path) -> int:
    """Every manifest lists only whole files that exist with their hashes; no temp files."""
    assert not list(out.rglob("*.tmp")), list(out.rglob("*.tmp"))
    listed = 0
    for mf in out.glob(f"*/{MANIFEST_NAME}"):
        manifest = FolderManifest.load(mf.parent)
        for entry in manifest.documents.values():
            for name, (digest, size) in entry.files.items():
                path = mf.parent / name
                data = path.read_bytes()
                assert len(data) == size and hashlib.sha256(data).hexdigest() == digest, path
                listed += 1
        for path in mf.parent.iterdir():  # every document file there is whole, listed or not
            if path.suffix == ".docx":
                with zipfile.ZipFile(path) as zf:
                    assert zf.testzip() is None
            elif path.suffix == ".pdf":
                with pikepdf.open(path) as pdf:
                    assert len(pdf.pages) > 0
    return listed


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args))


def test_batch_renders_good_records_and_reports_each_bad_one(tmp_path: Path) -> None:
    records = make_records(tmp_path / "in", 4)
    bad = {
        "bad-id.yaml": ("id_number: \"", lambda t: re.sub(r'(id_number: "\d{17})(\w)"', lambda m: m[1] + ("0" if m[2] != "0" else "1") + '"', t, count=1)),
        "bad-date.yaml": ("start:", lambda t: t.replace("start: 2020-07-01", "start: 2020-7-1", 1)),
        "dup-key.yaml": ("name:", lambda t: t.replace("applicant:\n", "applicant:\n  name: 甲\n", 1)),
    }
    source = (ROOT / "data" / "cases" / "ma-jun.yaml").read_text("utf-8")
    for name, (_, change) in bad.items():
        text = change(source)
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
        assert (out / record.stem / MANIFEST_NAME).exists()
    assert not any((out / Path(n).stem).exists() for n in bad)
    job = out / "print" / "考核鉴定表_全部_打印.pdf"
    assert job.exists()
    assert_consistent(out)


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
    records = make_records(tmp_path / "in", 20)
    out = tmp_path / "out"
    first = run_cli("batch", str(tmp_path / "in"), "--out", str(out), "--forms", "appraisal,agreement",
                    "--jobs", "2", "--no-progress")
    assert first.exit_code == 0, first.output
    before = digests(out)
    target = next(r for r in records if "ma-jun" in r.stem)
    text = target.read_text("utf-8")
    target.write_text(text.replace("legal_representative: ", "legal_representative: 新", 1), "utf-8")

    diff = run_cli("diff", str(target), "--out", str(out))
    assert diff.exit_code == 1
    assert "service.legal_representative（服务单位法定代表人）" in diff.output
    assert "考核鉴定表_马俊_第1次（第 1 版 → 第 2 版）" not in diff.output  # 附件3 does not print it
    assert "服务协议_马俊" not in diff.output or "第 1 版 → 第 2 版" in diff.output

    second = run_cli("batch", str(tmp_path / "in"), "--out", str(out), "--forms", "appraisal,agreement",
                     "--jobs", "2", "--no-progress")
    assert second.exit_code == 0, second.output
    after = digests(out)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    other = {k for k in changed if not k.startswith(target.stem + "/") and not k.startswith("print/")}
    assert other == set(), sorted(other)
    assert any(k.startswith(f"{target.stem}/{SUPERSEDED}/v1/") for k in after)  # nothing issued is lost
    for k, v in before.items():
        if k.startswith(f"{target.stem}/服务协议"):
            assert after[f"{target.stem}/{SUPERSEDED}/v1/{Path(k).name}"] == v
    manifest = FolderManifest.load(out / target.stem)
    assert manifest.documents["服务协议_马俊"].version == 2
    assert_consistent(out)
    assert run_cli("diff", str(target), "--out", str(out)).exit_code == 0


def test_a_killed_batch_leaves_whole_files_and_a_consistent_manifest(tmp_path: Path) -> None:
    make_records(tmp_path / "in", 12)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([*FORMKIT, "batch", str(tmp_path / "in"), "--out", str(out), "--jobs", "2",
                             "--forms", "application,appraisal", "--no-progress"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob(f"*/{MANIFEST_NAME}"))) < 2:
        time.sleep(0.05)
    assert proc.poll() is None, "the batch ended before it could be interrupted"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err.decode()
    assert "已中断" in err.decode()
    listed = assert_consistent(out)
    assert listed > 0

    # a hard kill (no chance to clean up), then a re-run finishes the job
    proc = subprocess.Popen([*FORMKIT, "batch", str(tmp_path / "in"), "--out", str(out), "--jobs", "2",
                             "--forms", "application,appraisal", "--no-progress"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(3)
    proc.kill()
    proc.communicate(timeout=60)
    done = subprocess.run([*FORMKIT, "batch", str(tmp_path / "in"), "--out", str(out), "--jobs", "2",
                           "--forms", "application,appraisal", "--no-progress"], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert_consistent(out)
    assert len([m for m in out.glob(f"*/{MANIFEST_NAME}") if m.parent.name != "print"]) == 12


def test_a_second_run_on_a_locked_folder_fails_clearly(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with OutputLock(out):
        result = run_cli("render", str(SAMPLES[0]), "--out", str(out), "--wait", "0.3")
    assert result.exit_code == 2
    assert "正在写入" in result.output and str(os.getpid()) in result.output


def test_render_twice_writes_nothing_the_second_time(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("render", str(SAMPLES[0]), "--out", str(out)).exit_code == 0
    before = digests(out)
    again = run_cli("render", str(SAMPLES[0]), "--out", str(out))
    assert again.exit_code == 0 and "写入 0 个文件" in again.output
    assert digests(out) == before
    forced = run_cli("render", str(SAMPLES[0]), "--out", str(out), "--force")
    assert forced.exit_code == 0 and "更正 0" in forced.output  # byte-identical: not a new version
    assert digests(out) == before
    manifest = json.loads((out / SAMPLES[0].stem / MANIFEST_NAME).read_text("utf-8"))
    assert all(d["version"] == 1 for d in manifest["documents"].values())
    mode = (out / SAMPLES[0].stem / MANIFEST_NAME).stat().st_mode & 0o777
    assert mode & 0o007 == 0
