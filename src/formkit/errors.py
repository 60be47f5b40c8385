"""One error tree for formkit, and ``Problem``: a reported (not raised) fault in a record.

Every message a person reads names the file, line and column, the field path and its official
Chinese label, and says what is wrong, e.g.::

    data/cases/x.yaml:12:5 applicant.id_number（公民身份号码）: 校验码不符 — 应为 X，实为 4

ID numbers and mobile phones are masked in every rendered message (see ``formkit.privacy``).

Exit codes (used by the CLI): 0 all good, 1 invalid input (records, lists that conflict,
templates), 2 usage, environment or internal problems (bad option, missing file, missing font),
3 an unexpected exception that is none of these (a bug; the CLI writes a masked crash report).
Each error class carries its ``category`` and ``exit_code``.
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
    ``cell``, for a problem in a workbook, is the cell as a clerk sees it (``附件1!K6``): then
    ``where()`` names it instead of ``line:col`` (which still order the problems).
    """

    message: str
    path: str = ""
    label: str = ""
    file: str | None = None
    line: int | None = None
    col: int | None = None
    severity: Severity = Severity.ERROR
    cell: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def where(self) -> str:
        """``file:line:col`` (as much of it as is known), or ``file: 附件1!K6`` for a cell."""
        if self.cell:
            return f"{self.file or '<输入>'}: {self.cell}"
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
    """Base of every error formkit raises on purpose; every error class is defined in this module.

    ``category`` says what kind of problem it is (``data``, ``template``, ``usage``,
    ``environment``, ``internal``) and ``exit_code`` what the CLI exits with: 1 for invalid data
    or templates, 2 for usage, environment and internal problems. ``param``, when given, is the
    name of the argument whose value is wrong (the caller's parameter, e.g. ``division``): domain
    code never names a command-line option, the CLI adds the option's name to the message.
    """

    category = "internal"
    exit_code = 2

    def __init__(self, message: str = "", *, param: str | None = None):
        super().__init__(message)
        self.param = param

    def __str__(self) -> str:  # never leak an ID number through an exception message
        return scrub(super().__str__())


# --------------------------------------------------------------------------- data (exit 1)


class DataError(FormkitError):
    """The input data (a record, a demand list, a value in them) is invalid."""

    category = "data"
    exit_code = 1


class InvalidValue(DataError, ValueError):
    """A single value is wrong. Raised by validators; the message is Chinese and says why.

    Also a ``ValueError``: pydantic turns it into a field error, which the loader places at the
    value's line.
    """


class RecordError(DataError):
    """A record could not be loaded or validated. ``problems`` lists every fault found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class RefusedYaml(DataError):
    """YAML the strict loader refuses (an alias or an anchor); ``mark`` is where it is."""

    def __init__(self, message: str, mark: object):
        super().__init__(message)
        self.message = message
        self.mark = mark


class RefusedWorkbook(DataError):
    """A workbook refused before it is parsed (a zip bomb, a sheet far larger than a demand
    list, a chartsheet, a missing part); ``message`` is the Chinese reason and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DataConflict(DataError):
    """Records or lists, each valid, that contradict each other: two demand lists of one county,
    one person listed twice in a declaration, lists of different years or divisions merged."""


class RecordChanged(DataError):
    """A record file changed (or was created or removed) by someone else since it was opened
    for editing: the save is refused and nothing is written; the message says what to do."""


class FontCoverageError(DataError):
    """A character in a field is covered by no font in use: refused instead of a tofu box."""


class BundleError(DataError):
    """Some person's forms could not be rendered: the bundle would be incomplete."""


# --------------------------------------------------------------------------- templates (exit 1)


class TemplateError(FormkitError):
    """A form template is broken or asks for something the context does not have."""

    category = "template"
    exit_code = 1


# --------------------------------------------------------------------------- usage (exit 2)


class UsageError(FormkitError):
    """The command was called wrongly (missing file, bad option or argument value)."""

    category = "usage"
    exit_code = 2


# --------------------------------------------------------------------------- environment (exit 2)


class EnvironmentProblem(FormkitError):
    """Something around formkit is missing or broken (a font, the policy file, the output folder)."""

    category = "environment"
    exit_code = 2


class FontMissingError(EnvironmentProblem):
    """A required font (Noto CJK) is not installed."""


class PolicyParamsError(EnvironmentProblem):
    """The policy parameter file is missing or malformed."""


class OutputBusy(EnvironmentProblem):
    """Another formkit run holds the output folder's lock."""


class LedgerError(EnvironmentProblem):
    """The ledger file cannot be read (corrupted by hand): the message says which line."""


# --------------------------------------------------------------------------- internal (exit 2)


class InternalError(FormkitError):
    """formkit refuses to go on because of a fault of its own (never expected)."""

    category = "internal"
    exit_code = 2


class PathEscapeError(InternalError):
    """A derived path would leave the output folder (never expected: ``safe_name`` prevents it)."""
