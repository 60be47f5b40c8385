"""Benchmark: batch-printing appraisal forms (附件3 × 2 copies) into one print PDF.

Run: ``.venv/bin/python bench/bench_batch.py [--sizes 100,1000] [--naive 40] [--jobs 2]``.

For each size N it generates N valid records (tests/gen_cases.py), runs ``formkit batch`` in a
fresh output folder and prints wall time, pages/s and the peak RSS of the largest process
(parent or worker); then corrects one record and times the re-run. In the same run it measures
the naive path — WeasyPrint rendering every copy separately in one process, no stamping — on
``--naive`` records, and prints the speed-up. Targets (issue): ≥ 4× the naive pages/s, peak RSS
< 500 MB and flat from 100 to 1000 records, re-run after one correction < 2 s.
Figures only; nothing here is a test.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from gen_cases import generate_cases, write_cases  # noqa: E402

PREFECTURES = ("530100", "530300", "532300", "532500")
YEAR = 2026


def make(n: int, folder: Path) -> list[Path]:
    per = -(-n // len(PREFECTURES))
    plan = [(p, "term2", per) for p in PREFECTURES]
    return write_cases(generate_cases(plan, YEAR)[:n], folder)


def run_batch(records: Path, out: Path, jobs: int) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in MB of the largest process, and the summary line."""
    code = (
        "import resource,subprocess,sys;"
        "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
        "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
        "print(p.stdout[-400:]); print(p.stderr[-400:], file=sys.stderr)"
    )
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "formkit.cli", "batch", str(records),
                           "--out", str(out), "--jobs", str(jobs), "--no-progress"],
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    first, *rest = proc.stdout.splitlines()
    rc, rss_kb = first.split()
    if rc != "0":
        raise SystemExit(f"batch failed ({rc}):\n{proc.stdout}\n{proc.stderr}")
    return wall, int(rss_kb) // 1024, "\n".join(rest).strip()


def pages_of(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def naive(records: list[Path]) -> tuple[float, int]:
    """WeasyPrint renders every copy separately, in this one process: (seconds, pages)."""
    from formkit.context import document_context
    from formkit.facts import derive
    from formkit.forms import load_form
    from formkit.load import load_case
    from formkit.plan import plan_documents
    from formkit.render import document_date
    from formkit.render.pdf import render_base

    form = load_form("appraisal")
    pages = 0
    t0 = time.perf_counter()
    for path in records:
        case = load_case(path).record
        facts = derive(case, date(YEAR, 12, 31))
        for doc in plan_documents(form, case, facts):
            ctx, when = document_context(case, facts, doc), document_date(case, doc)
            for _copy in doc.copies:
                data = render_base(doc, ctx, when)
                pages += data.count(b"/Type /Page\n") or data.count(b"/Type/Page") or 2
    return time.perf_counter() - t0, pages


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,1000")
    ap.add_argument("--naive", type=int, default=40)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fk-bench-"))
    try:
        rows = []
        for n in (int(s) for s in args.sizes.split(",")):
            records = work / f"in{n}"
            paths = make(n, records)
            out = work / f"out{n}"
            wall, rss, summary = run_batch(records, out, args.jobs)
            job = next((out / "print").glob("*.pdf"))
            pages = pages_of(job)
            # correct one record, then re-run
            text = paths[n // 2].read_text("utf-8")
            paths[n // 2].write_text(text.replace("self_summary: ", "self_summary: 更正：", 1), "utf-8")
            rerun, _, _ = run_batch(records, out, args.jobs)
            rows.append((n, wall, pages, rss, rerun))
            print(f"N={n:5}: {wall:7.1f} s, {pages} pages in one print PDF, {pages / wall:6.1f} pages/s, "
                  f"peak RSS {rss} MB (largest process), re-run after one correction {rerun:.2f} s", flush=True)
        sample = sorted((work / f"in{rows[0][0]}").glob("*.yaml"))[: args.naive]
        secs, pages = naive(sample)
        naive_rate = pages / secs
        print(f"naive (WeasyPrint per copy, one process, {len(sample)} records): {pages} pages in {secs:.1f} s, "
              f"{naive_rate:.1f} pages/s")
        for n, wall, pages, rss, rerun in rows:
            rate = pages / wall
            print(f"N={n:5}: speed-up {rate / naive_rate:.2f}× (target ≥ 4), RSS {rss} MB (target < 500), "
                  f"re-run {rerun:.2f} s (target < 2)")
        print(f"this process: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
