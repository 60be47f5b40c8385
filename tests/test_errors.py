"""One error tree: every error class lives in ``formkit.errors``, under ``FormkitError``, with a
category and the exit code the CLI uses (data and templates 1; usage, environment, internal 2)."""

from __future__ import annotations

import ast
import builtins
import inspect
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from formkit import errors
from formkit.cli import main
from formkit.errors import DataConflict, FormkitError, InvalidValue
from formkit.load import load_case
from formkit.validators import validate_mobile

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "formkit"
HUIZE = ROOT / "data" / "demand" / "huize-2026.yaml"
CASE = ROOT / "data" / "cases" / "bai-zhongrong.yaml"
EXIT_CODES = {"data": 1, "template": 1, "usage": 2, "environment": 2, "internal": 2}

ERROR_CLASSES = [obj for _, obj in inspect.getmembers(errors, inspect.isclass)
                 if issubclass(obj, BaseException) and obj.__module__ == errors.__name__]


def test_the_tree_is_found() -> None:
    names = {c.__name__ for c in ERROR_CLASSES}
    assert {"FormkitError", "InvalidValue", "RecordError", "DataConflict", "TemplateError",
            "UsageError", "FontMissingError", "InternalError"} <= names


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_error_class_is_a_formkit_error_with_category_and_exit_code(cls: type) -> None:
    assert issubclass(cls, FormkitError)
    assert cls.category in EXIT_CODES, cls.category
    assert cls.exit_code == EXIT_CODES[cls.category]


def test_invalid_value_is_also_a_value_error() -> None:  # pydantic makes field errors of ValueErrors
    assert issubclass(InvalidValue, ValueError) and issubclass(InvalidValue, FormkitError)
    assert InvalidValue.exit_code == 1 and DataConflict.exit_code == 1


def _exception_names() -> set[str]:
    """Names a class may subclass to be an exception: builtin exceptions and formkit.errors'."""
    known = {n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException)}
    return known | {c.__name__ for c in ERROR_CLASSES}


def _base_name(node: ast.expr) -> str:
    while isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def test_no_module_outside_errors_defines_an_exception() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "errors.py":
            continue
        tree = ast.parse(path.read_text("utf-8"), str(path))
        exceptions = _exception_names()
        classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
        changed = True
        while changed:  # a class deriving from one defined above in the same file is one too
            changed = False
            for node in classes:
                bases = {_base_name(b) for b in node.bases}
                if node.name not in exceptions and (bases & exceptions or any(
                        b.endswith(("Error", "Exception")) for b in bases)):
                    exceptions.add(node.name)
                    offenders.append(f"{path.relative_to(SRC)}:{node.lineno} class {node.name}")
                    changed = True
    assert not offenders, "exception classes outside formkit/errors.py:\n" + "\n".join(offenders)


def test_domain_messages_name_no_command_line_option() -> None:
    """Only cli.py knows the options: a raise elsewhere says what is wrong with the value."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                for const in ast.walk(node.exc):
                    if isinstance(const, ast.Constant) and isinstance(const.value, str) and \
                            re.search(r"(?<![-\w])--[a-z]", const.value):
                        offenders.append(f"{path.relative_to(SRC)}:{node.lineno}: {const.value!r}")
    assert not offenders, "\n".join(offenders)


def test_invalid_value_from_a_validator_is_a_positioned_field_error(tmp_path: Path) -> None:
    bad = "23578939156"
    with pytest.raises(InvalidValue) as raised:
        validate_mobile(bad)
    text = CASE.read_text("utf-8")
    assert text.count('mobile: "13578939156"') == 1
    path = tmp_path / CASE.name
    path.write_text(text.replace('mobile: "13578939156"', f'mobile: "{bad}"'), "utf-8")
    line = next(i for i, s in enumerate(text.splitlines(), start=1) if "mobile:" in s)
    loaded = load_case(path)
    assert loaded.record is None
    [problem] = [p for p in loaded.errors if p.path == "applicant.mobile"]
    assert (problem.file, problem.line) == (str(path), line)
    assert problem.col is not None and problem.label
    assert problem.message == str(raised.value)
    assert f"{path}:{line}:{problem.col} applicant.mobile（{problem.label}）: " in str(problem)


def test_two_lists_of_one_county_exit_1_with_the_chinese_message(tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    shutil.copy(HUIZE, lists / "huize-a.yaml")
    shutil.copy(HUIZE, lists / "huize-b.yaml")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["demand", str(lists), "--level", "county", "--year", "2026",
                                       "--out", str(out), "--format", "xlsx"])
    assert result.exit_code == 1, result.output
    assert (f"formkit: 会泽县（530326）2026年度有两份需求信息表：{lists / 'huize-a.yaml'} 和 "
            f"{lists / 'huize-b.yaml'}；请只提供一份") in result.output
    assert "Traceback" not in result.output
    assert not list(out.glob("需求信息表*"))


def test_the_cli_names_the_option_the_domain_does_not(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demand", str(HUIZE), "--level", "county", "--division", "530300",
                                       "--year", "2026", "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "formkit: --division：530300（曲靖市）不是县（市、区）级行政区划" in result.output
