"""Benchmark (issue 13): the figures of batch printing and of the declaration, in one run,
against their targets.

Run: ``python bench/bench_speed.py [--records 100,1000] [--naive 20] [--jobs 2] [--people 500]
[--no-declare]``.

- ``formkit batch`` (附件3 × 2 copies, docx + pdf, ``--jobs``) on N generated records for each N
  of ``--records``, each in a fresh output folder and process: wall time, pages/s of the print
  job, its KB per page (target ≤ 15), the peak RSS of the largest process (target < 500 MB),
  and the re-run after one record's 个人总结 is corrected;
- the naive path: WeasyPrint renders every copy of ``--naive`` of those records separately, in
  one process, with the full fonts (no prepared fonts, no stamping, no pool); measured in this
  process right after a batch, so the machine's load is alike: pages/s and the ratio batch /
  naive (target ≥ 6);
- ``formkit declare`` for a 州(市) with ``--people`` generated people (``bench_declare``'s
  mix): first run into an empty folder, the unchanged re-run, and, after ``formkit batch`` of
  their 附件2/附件3 into the same folder (issued), the re-run after one mobile is corrected
  (target < 2 s).

Prints the machine's load average at the start and end. Figures only; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench"), str(ROOT / "src")]

from bench_batch import make, pages_of, run_batch  # noqa: E402

YEAR = 2026


def naive(records: list[Path]) -> tuple[float, int]:
    """WeasyPrint renders every copy separately, in this one process, with the full fonts (a
    font configuration without the prepared fonts): (seconds, pages)."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from formkit.context import document_context
    from formkit.facts import derive
    from formkit.forms import load_form
    from formkit.load import load_case
    from formkit.plan import plan_documents
    from formkit.render import document_date, pdf

    form = load_form("appraisal")
    plain = FontConfiguration()
    saved, pdf._FONT_CONFIG = pdf._FONT_CONFIG, plain
    pages = 0
    try:
        t0 = time.perf_counter()
        for path in records:
            case = load_case(path).record
            facts = derive(case, date(YEAR, 12, 31))
            for doc in plan_documents(form, case, facts):
                ctx, when = document_context(case, facts, doc), document_date(case, doc)
                for copy in doc.copies:
                    data = pdf.render_base(doc, {**ctx, "copy_label": copy.label}, when)
                    pages += pdf.pdf_page_count(data)
        return time.perf_counter() - t0, pages
    finally:
        pdf._FONT_CONFIG = saved
        del weasyprint


def declaration(people: int, workers: int) -> list[tuple[str, dict]]:
    from bench_declare import plan
    from gen_cases import generate_cases, write_cases

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cases, out = Path(tmp) / "cases", Path(tmp) / "out"
        write_cases(generate_cases(plan(people), 2025, counties=8), cases)
        for run in ("first run", "unchanged re-run", "re-run after one correction"):
            if run.startswith("re-run after"):  # their 附件2 and 附件3 issued first (exit 1: some outside 第二条)
                subprocess.run([sys.executable, "-m", "formkit.cli", "batch", str(cases), "--out", str(out),
                                "--forms", "application,appraisal", "--jobs", str(workers), "--no-progress"],
                               capture_output=True, env=env())
                first = sorted(cases.rglob("*.yaml"))[0]
                text = first.read_text("utf-8")
                first.write_text(text.replace('mobile: "13', 'mobile: "15', 1), "utf-8")
            cmd = [sys.executable, str(ROOT / "bench" / "bench_declare.py"), "--one", str(cases), str(out),
                   "--workers", str(workers)]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env())
            result = json.loads(proc.stdout.splitlines()[-1])
            result["process_s"] = round(time.perf_counter() - t0, 1)
            report(people, run, result)
            rows.append((run, result))
    return rows


def report(people: int, run: str, r: dict) -> None:
    print(f"declare {people} people, {run}: {r['wall_s']} s in the job ({r['process_s']} s with "
          f"start-up; forms {r['forms_s']} s + bundle {r['bundle_s']} s; {r['rendered']} attachments "
          f"rendered, {r['reused']} reused; bundle {r['pages']} pages, {r['bundle_mb']} MB; peak RSS main "
          f"{r['main_rss_mb']} MB, largest worker {r['worker_rss_mb']} MB)", flush=True)


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", default="100,1000", help="batch sizes, e.g. 100,1000")
    ap.add_argument("--naive", type=int, default=20, help="records rendered the naive way")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--people", type=int, default=500)
    ap.add_argument("--no-declare", action="store_true")
    args = ap.parse_args()
    os.environ["PYTHONPATH"] = str(ROOT / "src")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n in (int(s) for s in args.records.split(",") if s.strip()):
            records = work / f"in{n}"
            paths = make(n, records)
            out = work / f"out{n}"
            wall, rss, _summary = run_batch(records, out, args.jobs)
            job = next((out / "print").glob("*.pdf"))
            pages = pages_of(job)
            kb_page = job.stat().st_size / 1024 / pages
            text = paths[n // 2].read_text("utf-8")
            paths[n // 2].write_text(text.replace("self_summary: ", "self_summary: 更正：", 1), "utf-8")
            rerun, _, _ = run_batch(records, out, args.jobs)
            secs, naive_pages = naive(sorted(records.glob("*.yaml"))[: args.naive])
            rows.append((n, wall, pages, kb_page, rss, rerun, naive_pages / secs))
            print(f"batch N={n}: {wall:.1f} s, {pages} pages, {pages / wall:.1f} pages/s | naive "
                  f"({min(args.naive, n)} records, one process): {naive_pages / secs:.1f} pages/s", flush=True)
    print()
    if rows:
        table(rows)
    if not args.no_declare:
        print()
        declaration(args.people, args.jobs)
        print("targets: first run < 60 s (500 people), re-run after one correction < 2 s")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


def table(rows) -> None:
    print(f"{'records':>8} {'batch p/s':>10} {'naive p/s':>10} {'ratio':>7} {'KB/page':>8} {'peak RSS':>9} "
          f"{'re-run (1 corrected)':>21}")
    for n, wall, pages, kb_page, rss, rerun, naive_rate in rows:
        rate = pages / wall
        print(f"{n:>8} {rate:>10.1f} {naive_rate:>10.1f} {rate / naive_rate:>6.2f}× {kb_page:>8.1f} {rss:>6} MB "
              f"{rerun:>19.1f} s")
    print("targets: ratio ≥ 6×, ≤ 15 KB/page, peak RSS < 500 MB and flat, re-run < 2 s")


if __name__ == "__main__":
    main()
