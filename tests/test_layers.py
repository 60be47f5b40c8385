"""The pipeline's layers: a module imports only from its own stage or earlier ones.

load → validate → derive → plan → render → write: each stage is a package (or module) of
``src/formkit``; ``STAGES`` lists them in order. Every import in every module — at the top or
inside a function — is read from the source (AST), so a lazy import that reaches up is caught
too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "formkit"

STAGES: list[tuple[str, ...]] = [
    ("errors", "privacy", "safe_names", "atomic"),  # the foundation
    ("reference", "forms"),  # divisions, titles; the form catalogue
    ("model", "validators"),
    ("rules",),  # the policy's rules, pure functions of dates and parameters (used by checks too)
    ("load",),  # YAML and workbook readers, cross-field checks
    ("facts",),  # derive: every rule applied once
    ("rollup",),  # demand (附件1), declaration (附件4/5): pure, many records
    ("plan",),
    ("context",),
    ("render",),
    ("output",),  # the ledger, atomic writes, PDF joining
    ("jobs",),
    ("explain", "lint", "cli", "cli_zh", "__main__", "__init__", "desk"),  # desk: formkit serve
]


def stage_of(module: str) -> int:
    """The stage index of ``formkit.a.b`` (by its first part after ``formkit``)."""
    parts = module.split(".")
    head = parts[1] if len(parts) > 1 else "__init__"
    for index, names in enumerate(STAGES):
        if head in names:
            return index
    raise AssertionError(f"{module}: not in any stage of STAGES — add it where it belongs")


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("formkit")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name.startswith("formkit"):
                if name == "formkit":
                    out += [(node.lineno, f"formkit.{a.name}") for a in node.names]
                else:
                    out.append((node.lineno, name))
    return out


MODULES = sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_only_from_earlier_stages(path: Path) -> None:
    here = stage_of(module_name(path))
    upward = [f"{path.relative_to(SRC)}:{line} imports {name} ({STAGES[stage_of(name)][0]}…, a later stage)"
              for line, name in imports(path) if stage_of(name) > here]
    assert upward == []


def test_every_stage_exists_and_the_check_can_fail(tmp_path: Path) -> None:
    present = {module_name(p).split(".")[1] if "." in module_name(p) else "__init__" for p in MODULES}
    assert {name for names in STAGES for name in names} - {"__main__"} <= present | {"__main__"}
    probe = tmp_path / "probe.py"
    probe.write_text("from formkit.jobs.persons import run\n", "utf-8")
    assert imports(probe) == [(1, "formkit.jobs.persons")]
    assert stage_of("formkit.jobs.persons") > stage_of("formkit.plan")
