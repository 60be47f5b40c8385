"""Benchmark: ``formkit declare`` for one 州(市) with many generated people, bundle included.

Run: ``.venv/bin/python bench/bench_declare.py [--people 500] [--compare 100] [--workers N]
[--tracemalloc]``. Not a test: it prints figures.

Generates valid case records (``tests/gen_cases.py``) for 红河州 in 8 counties — four in five
with a subsidy due in the declared year, the rest excluded for each reason — then runs the
declaration end to end (load, validate, derive, 附件4/附件5 in .docx/.pdf/.xlsx, the bundle of
every listed person's 附件2 and 附件3, the exclusions report), each run in a fresh process:

- cold: an empty output folder, every attachment rendered;
- unchanged: the same again into the same folder (the ledger says it is current: nothing written);
- corrected: after ``formkit render`` of every record into the same folder (its 附件2 and 附件3
  issued) and one record's mobile corrected: the next version, the corrected person's
  attachments rendered, everyone else's taken from their issued PDFs.

Per run: wall time (forms = everything before the bundle; bundle = rendering + merging), the
main process's peak RSS and, with ``--tracemalloc``, its Python heap peak (slower), the largest
worker's peak RSS, the bundle's pages and size. Two sizes show whether memory grows with the
number of people.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

PREFECTURE = "532500"
YEAR = 2025
MIX = [("term2", 50), ("term2-late", 10), ("year3", 10), ("both", 5), ("fail-then-pass", 5),
       ("short", 4), ("failed", 4), ("awaiting", 4), ("not-yet-due", 4), ("other-year", 4)]


def plan(people: int) -> list[tuple[str, str, int]]:
    total = sum(n for _, n in MIX)
    counts = [(s, people * n // total) for s, n in MIX]
    counts[0] = (counts[0][0], counts[0][1] + people - sum(n for _, n in counts))
    return [(PREFECTURE, s, n) for s, n in counts if n]


def one(cases: Path, out: Path, workers: int | None, trace: bool) -> dict:
    """One run in this (fresh) process: the figures."""

    if trace:
        import tracemalloc

        tracemalloc.start()
    marks: dict[str, float] = {}

    def progress(done: int, total: int) -> None:
        marks.setdefault("bundle_first", time.perf_counter())

    from formkit.jobs.declaration import run_declaration
    from formkit.output.ledger import Ledger

    t0 = time.perf_counter()
    with Ledger.open(out) as ledger:
        result = run_declaration(ledger, [cases], PREFECTURE, YEAR, as_of=date(YEAR, 12, 31), workers=workers,
                                 progress=progress)
    wall = time.perf_counter() - t0
    heap = tracemalloc.get_traced_memory()[1] if trace else None
    decl, bundle = result.declaration, result.bundle
    if bundle is None:  # unchanged: nothing rendered
        from types import SimpleNamespace

        bundle = SimpleNamespace(rendered=0, reused=0, pages=0, size=0)
    forms = marks.get("bundle_first", t0 + wall) - t0
    return {
        "listed": decl.total_people, "excluded": len(decl.exclusions), "amount": str(decl.total_amount),
        "wall_s": round(wall, 1), "forms_s": round(forms, 1), "bundle_s": round(wall - forms, 1),
        "rendered": bundle.rendered, "reused": bundle.reused,
        "pages": bundle.pages, "bundle_mb": round(bundle.size / 1e6, 1),
        "main_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "worker_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "main_heap_peak_mb": round(heap / 1e6, 1) if heap is not None else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=500)
    ap.add_argument("--compare", type=int, default=100, help="a smaller size to compare memory with (0: none)")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--tracemalloc", action="store_true")
    ap.add_argument("--one", nargs=2, metavar=("CASES", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(Path(args.one[0]), Path(args.one[1]), args.workers, args.tracemalloc)))
        return
    from gen_cases import generate_cases, write_cases

    workers = args.workers or os.cpu_count()
    print(f"formkit declare --prefecture {PREFECTURE} --year {YEAR}: {os.cpu_count()} CPUs, {workers} workers")
    for people in [n for n in (args.compare, args.people) if n]:
        with tempfile.TemporaryDirectory() as tmp:
            cases, out = Path(tmp) / "cases", Path(tmp) / "out"
            write_cases(generate_cases(plan(people), YEAR, counties=8), cases)
            for run in ("cold", "unchanged", "corrected"):
                if run == "corrected":
                    subprocess.run([sys.executable, "-m", "formkit.cli", "render", str(cases), "--out", str(out),
                                    "--forms", "application,appraisal", "--format", "pdf"], check=True,
                                   capture_output=True)
                    first = sorted(cases.rglob("*.yaml"))[0]
                    text = first.read_text("utf-8")
                    first.write_text(text.replace('mobile: "13', 'mobile: "15', 1), "utf-8")
                cmd = [sys.executable, __file__, "--one", str(cases), str(out), "--workers", str(workers)]
                if args.tracemalloc:
                    cmd.append("--tracemalloc")
                r = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()[-1])
                heap = f", Python heap peak {r['main_heap_peak_mb']} MB" if r["main_heap_peak_mb"] is not None else ""
                print(f"{people:>4} people, {run}: {r['listed']} listed / {r['excluded']} excluded, {r['amount']} 元 | "
                      f"wall {r['wall_s']} s = forms {r['forms_s']} s + bundle {r['bundle_s']} s "
                      f"({r['rendered']} attachments rendered, {r['reused']} reused; "
                      f"{r['rendered'] / max(r['bundle_s'], 0.1):.2f} rendered/s) | bundle {r['pages']} pages, "
                      f"{r['bundle_mb']} MB | peak RSS main {r['main_rss_mb']} MB{heap}, largest worker {r['worker_rss_mb']} MB",
                      flush=True)


if __name__ == "__main__":
    main()
