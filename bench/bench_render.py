"""Benchmark: ms per full document set for one person, and what labelled copies cost.

Run: ``.venv/bin/python bench/bench_render.py [CASE.yaml] [--repeat N]``. Prints, per format:
one copy (render once + stamp 1 label), all N copies (render once + stamp N labels — what
formkit does), and the naive path (render every copy separately), with the ratios
N-copies / one-copy (target ≤ 1.3) and naive / N-copies. Not a test: figures only.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from pathlib import Path

from formkit.context import document_context
from formkit.facts import derive
from formkit.forms import load_form
from formkit.load import load_case
from formkit.plan import plan_documents
from formkit.render import document_date, render_document
from formkit.render.docx import render_docx_base, stamp_docx
from formkit.render.pdf import render_base, stamp_copies

ROOT = Path(__file__).resolve().parents[1]


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("case", nargs="?", default=str(ROOT / "data/cases/bai-zhongrong.yaml"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    case = load_case(args.case).record
    facts = derive(case, date(2026, 11, 30))
    docs = [d for f in ("application", "agreement", "appraisal") for d in plan_documents(load_form(f), case, facts)]
    for d in docs:  # warm up: fonts, templates
        render_document(case, facts, d)

    full = timed(lambda: [render_document(case, facts, d) for d in docs], args.repeat)
    copies = sum(len(d.copies) for d in docs)
    print(f"{case.applicant.name}: {len(docs)} documents, {copies} copies, both formats, all copies: {full:.0f} ms per full set")

    for fmt in ("docx", "pdf"):
        def one_copy(fmt=fmt):
            for d in docs:
                ctx, when = document_context(case, facts, d), document_date(case, d)
                if fmt == "docx":
                    stamp_docx(render_docx_base(d, ctx, when), d.copies[0].label)
                else:
                    stamp_copies(render_base(d, ctx, when), [d.copies[0].label])

        def all_copies(fmt=fmt):
            for d in docs:
                ctx, when = document_context(case, facts, d), document_date(case, d)
                if fmt == "docx":
                    base = render_docx_base(d, ctx, when)
                    for c in d.copies:
                        stamp_docx(base, c.label)
                else:
                    stamp_copies(render_base(d, ctx, when), [c.label for c in d.copies])

        def naive(fmt=fmt):
            for d in docs:
                ctx, when = document_context(case, facts, d), document_date(case, d)
                for c in d.copies:
                    if fmt == "docx":
                        stamp_docx(render_docx_base(d, ctx, when), c.label)
                    else:
                        stamp_copies(render_base(d, ctx, when), [c.label])

        t1, tn, tv = (timed(f, args.repeat) for f in (one_copy, all_copies, naive))
        verdict = "OK" if tn <= 1.3 * t1 else "OVER TARGET"
        print(f"{fmt:4}: one copy {t1:7.0f} ms | {copies} copies {tn:7.0f} ms | naive {tv:7.0f} ms | "
              f"N/one = {tn / t1:.2f} (target ≤ 1.30: {verdict}) | naive/N = {tv / tn:.2f}×")


if __name__ == "__main__":
    main()
