"""One error tree for formkit, and ``Problem``: a reported (not raised) fault in a record.

Every message a person reads names the file, line and column, the field path and its official
Chinese label, and says what is wrong, e.g.::

    data/cases/x.yaml:12:5 applicant.id_number（公民身份号码）: 校验码不符 — 应为 X，实为 4

ID numbers and mobile phones are masked in every rendered message (see ``formkit.privacy``).

Exit codes (used by the CLI): 0 all good, 1 invalid input (records, templates), 2 usage or
environment problems (missing font, missing file).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from formkit.privacy import scrub


class Severity(str, Enum):
    """How bad a problem is: an ``error`` stops the record, a ``warning`` is only reported."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """A fault found in a record or template, with where it is.

    ``path`` is the field path in the record (``applicant.id_number``, ``resume[2].unit``);
    ``label`` its official Chinese label (``公民身份号码``); ``line``/``col`` are 1-based.
    """

    message: str
    path: str = ""
    label: str = ""
    file: str | None = None
    line: int | None = None
    col: int | None = None
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def where(self) -> str:
        """``file:line:col`` (as much of it as is known)."""
        parts = [self.file or "<输入>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def __str__(self) -> str:
        head = self.where()
        if self.path:
            head += f" {self.path}"
            if self.label:
                head += f"（{self.label}）"
        kind = "" if self.is_error else "警告: "
        return scrub(f"{head}: {kind}{self.message}")


class FormkitError(Exception):
    """Base of every error formkit raises on purpose. ``exit_code`` is what the CLI exits with."""

    exit_code = 2

    def __str__(self) -> str:  # never leak an ID number through an exception message
        return scrub(super().__str__())


class InvalidValue(ValueError):
    """A single value is wrong. Raised by validators; the message is Chinese and says why.

    Pydantic turns it into a field error, which the loader places at the value's line.
    """


class RecordError(FormkitError):
    """A record could not be loaded or validated. ``problems`` lists every fault found."""

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class TemplateError(FormkitError):
    """A form template is broken or asks for something the context does not have."""

    exit_code = 1


class FontCoverageError(FormkitError):
    """A character in a field is covered by no font in use: refused instead of a tofu box."""

    exit_code = 1


class UsageError(FormkitError):
    """The command was called wrongly (missing file, bad option)."""

    exit_code = 2
