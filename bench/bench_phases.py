"""Where a record's rendering time goes: CPU ms per record, per phase, for N generated 附件3
records (2 copies each, docx + pdf) rendered in this one process, measured with cProfile.

Run: ``python bench/bench_phases.py [--records 40] [--repeat 2] [--src DIR]`` (``--src``: measure
the formkit of another checkout's ``src``, e.g. the main branch, for a before/after table).

Phases (cumulative time of the functions that do them; a phase that no longer exists shows 0):

- style + layout: WeasyPrint ``HTML.render`` (CSS cascade, layout, drawing to the page tree) and
  the HTML parse (``HTML.__init__``)
- font subsetting: WeasyPrint's ``Font.clean`` (HarfBuzz subset) and font dictionaries
- PDF serialisation: WeasyPrint ``Document.write_pdf`` minus the font phase
- label stamping: ``render.pdf.stamp_copies`` (overlaying the copy labels, saving with pikepdf)
- docxtpl: ``render.docx.render_docx`` (render once, stamp per copy)
- worker start: wall time of a fresh process importing what a worker imports and rendering
  its first record (median of ``--repeat`` runs)

The first 2 records are rendered before measuring (warm-up: fonts loaded). Figures only.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
if "--src" in sys.argv:
    sys.path.insert(0, sys.argv[sys.argv.index("--src") + 1])
else:
    sys.path.insert(0, str(ROOT / "src"))

from gen_cases import generate_cases, write_cases  # noqa: E402

YEAR = 2026

PHASES = {
    "style+layout": [("weasyprint/__init__.py", "render"), ("weasyprint/__init__.py", "__init__"),
                     ("formkit/render/layout.py", "_layout")],
    "font subsetting": [("weasyprint/pdf/fonts.py", "build_fonts_dictionary")],
    "PDF serialisation": [("weasyprint/document.py", "write_pdf")],
    "label stamping": [("formkit/render/pdf.py", "stamp_copies"), ("formkit/render/stamp.py", "stamp_pages")],
    "docxtpl": [("formkit/render/docx.py", "render_docx")],
}


def records(n: int, folder: Path) -> list[Path]:
    plan = [(p, "term2", -(-n // 4)) for p in ("530100", "530300", "532300", "532500")]
    return write_cases(generate_cases(plan, YEAR)[:n], folder)


def work(paths: list[Path]):
    """(case, facts, doc) of every 附件3 of ``paths``."""
    from formkit.facts import derive
    from formkit.forms import load_form
    from formkit.load import load_case
    from formkit.plan import plan_documents

    form = load_form("appraisal")
    out = []
    for path in paths:
        case = load_case(path).record
        facts = derive(case, date(YEAR, 12, 31))
        out.extend((case, facts, doc) for doc in plan_documents(form, case, facts))
    return out


def render_all(items) -> None:
    from formkit.jobs.persons import render_planned

    for case, facts, doc in items:
        result = render_planned(case, facts, [(doc, None, ("docx", "pdf"))], None)
        if isinstance(result, str):
            raise SystemExit(result)


def clear_caches() -> None:
    """Forget what a previous run cached per record (copy labels), so each run renders as a batch
    does: every record once."""
    from formkit.render import pdf

    for name in ("_labels_pdf", "_label_overlay"):
        fn = getattr(pdf, name, None)
        if fn is not None and hasattr(fn, "cache_clear"):
            fn.cache_clear()


def phase_ms(stats: pstats.Stats, n: int) -> dict[str, float]:
    found: dict[str, float] = {}
    for (file, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        for phase, wanted in PHASES.items():
            if any(file.endswith(f) and func == fn for f, fn in wanted):
                found[phase] = found.get(phase, 0.0) + ct
    found["PDF serialisation"] = found.get("PDF serialisation", 0.0) - found.get("font subsetting", 0.0)
    return {k: found.get(k, 0.0) * 1000 / n for k in PHASES}


def worker_start(src: str) -> float:
    """Seconds for a fresh process to import the worker's modules and render one record."""
    code = ("import sys,time; t=time.perf_counter(); sys.path[:0]=[sys.argv[1], sys.argv[2]];"
            "sys.argv=[sys.argv[0], '--src', sys.argv[1], sys.argv[3]];"
            "import bench_phases as b; from pathlib import Path;"
            "b.render_all(b.work([Path(sys.argv[3])])); print(time.perf_counter()-t)")
    with tempfile.TemporaryDirectory() as tmp:
        path = records(1, Path(tmp))[0]
        out = subprocess.run([sys.executable, "-c", code, src, str(ROOT / "bench"), str(path)],
                             capture_output=True, text=True, check=True).stdout
    return float(out.split()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--src", default=str(ROOT / "src"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        items = work(records(args.records + 2, Path(tmp)))
    render_all(items[:2])
    items = items[2:]
    rows = []
    for _ in range(args.repeat):
        clear_caches()
        prof = cProfile.Profile()  # wall clock (a CPU-time timer costs more than what it measures)
        t0 = time.process_time()
        prof.enable()
        render_all(items)
        prof.disable()
        cpu = time.process_time() - t0
        rows.append((phase_ms(pstats.Stats(prof), len(items)), cpu * 1000 / len(items)))
    starts = [worker_start(args.src) for _ in range(args.repeat)]
    import formkit

    print(f"formkit from {Path(formkit.__file__).parents[1]}")
    print(f"{len(items)} 附件3 records × 2 copies, docx + pdf, one process (cProfile; ms per record, "
          f"{args.repeat} runs):")
    for phase in PHASES:
        values = " / ".join(f"{r[phase]:6.1f}" for r, _ in rows)
        print(f"  {phase:18} {values}")
    print(f"  {'total CPU':18} " + " / ".join(f"{cpu:6.1f}" for _, cpu in rows) + "  (with profiling overhead)")
    print(f"  {'worker start':18} {statistics.median(starts) * 1000:6.0f} ms per process "
          f"(imports + first record; runs: {', '.join(f'{s:.2f}' for s in starts)} s)")


if __name__ == "__main__":
    main()
