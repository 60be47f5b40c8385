"""Every record in tests/bad_records/ is refused, with the position, field, label and reason.

Each file is a copy of one valid sample with exactly one fault; ``bad_records_expected.yaml`` says where
the loader must point and what it must say (see the comment at its top). Entries marked
``xfail`` are known loader/checks bugs (reported): what already works is still asserted, and
the test fails once the bug is fixed, so that the mark gets removed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from formkit.cli import main
from formkit.load import record_files, load_record

BAD = Path(__file__).parent / "bad_records"
EXPECTED: dict[str, dict] = yaml.safe_load((Path(__file__).parent / "bad_records_expected.yaml").read_text(encoding="utf-8"))

# An unmasked 公民身份号码: 17 digits and a check character, not part of a longer digit run.
ID_NUMBER = re.compile(r"(?<![0-9０-９])[0-9０-９]{17}[0-9０-９XxＸｘ](?![0-9０-９])")


def _located(message: str, file: str, exp: dict) -> bool:
    """Whether ``message`` starts with ``file:line:col`` (``file:line`` when no col is given)."""
    col = rf":{exp['col']}" if "col" in exp else r"(?::\d+)?"
    return re.match(rf"{re.escape(file)}:{exp['line']}{col}[ :]", message) is not None


def _names_field(message: str, exp: dict) -> bool:
    """Whether ``message`` names the field as `` path（label）: `` (no path: file-level fault)."""
    if "path" not in exp:
        return True
    label = f"（{exp['label']}）" if "label" in exp else ""
    return f" {exp['path']}{label}: " in message


def _check(name: str, exp: dict) -> str | None:
    """``None`` when loading ``name`` meets ``exp``; otherwise what is wrong."""
    path = BAD / name
    loaded = load_record(path)
    if loaded.record is not None or loaded.ok:
        return f"{name} was accepted: {[str(p) for p in loaded.problems]}"
    messages = [str(p) for p in loaded.errors]
    if not messages:
        return f"{name}: refused without any error"
    file = str(path)
    if any(_located(m, file, exp) and _names_field(m, exp) and exp["fragment"] in m for m in messages):
        return None
    where = f"{file}:{exp['line']}" + (f":{exp['col']}" if "col" in exp else "")
    field = f" {exp.get('path', '')}" + (f"（{exp['label']}）" if "label" in exp else "")
    return (f"{name} ({exp['fault']}): no error like «{where}{field}: …{exp['fragment']}…»; got:\n  "
            + "\n  ".join(messages))


def test_enough_bad_records_and_each_is_described():
    files = {p.name for p in BAD.iterdir() if p.is_file()}
    assert len(files) >= 28
    assert files == set(EXPECTED), (
        f"without an entry in expected.yaml: {sorted(files - set(EXPECTED))}; "
        f"entry without a file: {sorted(set(EXPECTED) - files)}"
    )
    for name, exp in EXPECTED.items():
        assert {"fault", "line", "fragment"} <= exp.keys(), name
        assert "path" in exp or "label" not in exp, name


@pytest.mark.parametrize(("name", "exp"), sorted(EXPECTED.items()), ids=sorted(EXPECTED))
def test_bad_record_is_refused_where_and_why(name: str, exp: dict):
    problem = _check(name, exp)
    assert problem is None, problem


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_id_number_shown_unmasked(name: str):
    for problem in load_record(BAD / name).problems:
        text = str(problem)
        assert not ID_NUMBER.search(text), f"unmasked ID number in: {text}"


def test_cli_check_refuses_every_bad_record_and_counts_them():
    files = record_files([BAD])
    assert len(files) == len(EXPECTED)
    accepted = {p.name for p in files if load_record(p).ok}
    assert accepted == set(), accepted
    result = CliRunner().invoke(main, ["check", str(BAD)])
    assert result.exit_code == 1, result.output
    n, good = len(files), len(accepted)
    assert f"检查 {n} 份记录：{good} 份有效，{n - good} 份有误" in result.output, result.output
    for name in sorted(set(EXPECTED) - accepted):
        assert f"{BAD / name}:" in result.output, f"no error printed for {name}"
    assert not ID_NUMBER.search(result.output)
