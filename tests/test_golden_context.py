"""Golden template contexts: the main seam between the rules and the templates.

For every sample record and every document planned for it, and for the roll-ups of the sample
demand lists and a sample declaration, the context the templates receive is compared with a
stored JSON file under ``tests/golden/context/``. A change shows as a readable JSON diff of the
fields; once a person has checked that the new values are right, accept them with
``FORMKIT_UPDATE_GOLDEN=1 pytest tests/test_golden_context.py`` and commit the JSON files with
the change. The day is pinned (contexts must not depend on it: one test renders with another day
and expects the same). Most field checks belong here, not in full renders.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from formkit.context import document_context
from formkit.facts import derive
from formkit.forms import load_form
from formkit.load import load_case, load_demand
from formkit.plan import plan_documents

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden" / "context"
CASES = sorted((ROOT / "data" / "cases").glob("*.yaml"))
DEMAND = sorted((ROOT / "data" / "demand").glob("*.yaml"))
AS_OF = date(2026, 11, 30)
UPDATE = os.environ.get("FORMKIT_UPDATE_GOLDEN") == "1"


def person_contexts(as_of: date) -> dict[str, dict]:
    out = {}
    for path in CASES:
        case = load_case(path).record
        facts = derive(case, as_of)
        for form_id in ("application", "agreement", "appraisal"):
            for doc in plan_documents(load_form(form_id), case, facts):
                out[f"{path.stem}__{doc.identity.replace('/', '_')}"] = document_context(case, facts, doc)
    return out


def rollup_contexts() -> dict[str, dict]:
    from formkit.rollup.declaration import build_declaration
    from formkit.context.rollup import roster_context, subsidy_context
    from formkit.rollup.demand import merge_demand
    from formkit.context.rollup import demand_context

    out = {}
    for path in DEMAND:
        lst = load_demand(path).record
        out[f"demand__{path.stem}"] = demand_context(merge_demand([lst], "county", lst.county), load_form("demand"))
    entries = [(c, derive(c, date(2022, 12, 31)), p.name) for p in CASES for c in [load_case(p).record]]
    decl = build_declaration(entries, "530800", 2022)
    out["roster__530800_2022"] = roster_context(decl, load_form("roster"))
    out["subsidy__530800_2022"] = subsidy_context(decl, load_form("subsidy"))
    return out


def _json(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n"


CONTEXTS = {**person_contexts(AS_OF), **rollup_contexts()}


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_context_is_the_reviewed_one(name: str) -> None:
    path = GOLDEN / f"{name}.json"
    text = _json(CONTEXTS[name])
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    assert path.exists(), f"{path.name} 不存在：检查后用 FORMKIT_UPDATE_GOLDEN=1 生成"
    assert json.loads(text) == json.loads(path.read_text("utf-8")), (
        f"{name} 的模板数据与已审核的 {path.name} 不同；确认新值正确后用 FORMKIT_UPDATE_GOLDEN=1 更新")


def test_every_golden_file_is_still_produced() -> None:
    stale = sorted(p.stem for p in GOLDEN.glob("*.json")) if GOLDEN.is_dir() else []
    assert [s for s in stale if s not in CONTEXTS] == []
    assert len(CONTEXTS) >= 36


def test_contexts_do_not_depend_on_the_day() -> None:
    assert person_contexts(date(2031, 6, 1)) == person_contexts(AS_OF)
