"""What lint reports: ``Finding`` (where, what, how bad) and ``LintReport``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


from formkit.errors import Severity
from formkit.lint.constants import ERROR, SNIPPET


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """One fault (``severity`` error) or warning in a template: ``file``, ``where`` a clerk can
    find it (``第1个表格第3行第2列「…」``, ``第12行「…」``) and what is wrong."""

    file: str
    where: str
    message: str
    severity: Severity = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is ERROR

    def __str__(self) -> str:
        kind = "" if self.is_error else "警告: "
        where = f" {self.where}" if self.where else ""
        return f"{self.file}{where}: {kind}{self.message}"


@dataclass
class LintReport:
    """What ``lint_targets`` found: ``templates`` checked and every ``findings``, in order."""

    templates: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _snip(text: str, limit: int = SNIPPET) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _line_snip(line: str) -> str:
    """A line of an HTML template as its text and tags, markup left out."""
    text = re.sub(r"<[^>]*>", " ", line)
    return _snip(text if text.strip() else line)


