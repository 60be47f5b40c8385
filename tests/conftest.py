"""Shared fixtures.

- ``project_root``, ``cases_dir``: the repository and its sample records (data/cases).
- ``samples``: the sample records loaded once per run and each of their documents (附件2, 服务协议,
  每份附件3) rendered at most once per backend per run, on first use — test_render_docx.py,
  test_render_pdf.py and test_samples.py share them instead of each loading and rendering the
  same 36 documents again. A test that asks for ``sample_doc`` runs once per sample document.
- ``frozen_clock``: a context manager that makes the wall clock read a given instant (``date.today``,
  ``datetime.now``/``utcnow``/``today``, ``time.time``/``localtime``/``gmtime``/``strftime``…), in
  formkit and in the libraries that write its files. "Deterministic" tests render once under the
  real clock and once under a clock years away: a leak of the current date or time into the
  output makes them differ.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as _dt
import sys
import time as _time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = ROOT / "data" / "cases"
SAMPLE_FORMS = ("application", "agreement", "appraisal")
"""The per-person forms rendered for every sample (each recorded term appraisal gives one 附件3)."""

FAR_AWAY = _dt.datetime(2031, 7, 15, 13, 5, 9, tzinfo=_dt.timezone.utc)
"""The instant ``frozen_clock`` uses by default: far from any day the suite runs on."""


# --------------------------------------------------------------------------- paths


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def cases_dir() -> Path:
    return CASES_DIR


# --------------------------------------------------------------------------- the sample documents


@dataclass(frozen=True)
class SampleDoc:
    """One document of one sample record: ``key`` is e.g. ``wang-yan-appraisal-2``."""

    key: str
    path: Path
    form_id: str
    index: int


class Samples:
    """The records of data/cases, each loaded and derived once; each document rendered once per
    backend (lazily: running one test renders only what it needs).

    ``as_of`` dates the derived facts; ``when`` dates the files (Word core properties and zip
    times, PDF metadata) — an old day, so that a leak of today's date cannot coincide with it.
    """

    as_of = _dt.date(2026, 11, 30)
    when = _dt.date(2014, 2, 24)

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.paths = sorted(folder.glob("*.yaml"))
        self._cases: dict[Path, tuple[Any, Any]] = {}
        self._documents: list[SampleDoc] | None = None
        self._docx: dict[SampleDoc, tuple[bytes, ...]] = {}
        self._pdf: dict[SampleDoc, bytes] = {}

    def case(self, path: Path) -> tuple[Any, Any]:
        """``(case, facts)`` of a sample record (shared: do not modify)."""
        if path not in self._cases:
            from formkit.facts import derive
            from formkit.load import load_case

            loaded = load_case(path)
            assert loaded.record is not None, f"{path} does not load:\n" + "\n".join(map(str, loaded.problems))
            self._cases[path] = (loaded.record, derive(loaded.record, self.as_of))
        return self._cases[path]

    def cases(self) -> dict[str, Any]:
        """Every sample record by file name."""
        return {path.name: self.case(path)[0] for path in self.paths}

    def documents(self) -> list[SampleDoc]:
        if self._documents is None:
            from formkit.forms import load_form
            from formkit.plan import plan_documents

            out = []
            for path in self.paths:
                case, facts = self.case(path)
                for form_id in SAMPLE_FORMS:
                    for i, _ in enumerate(plan_documents(load_form(form_id), case, facts)):
                        out.append(SampleDoc(f"{path.stem}-{form_id}-{i + 1}", path, form_id, i))
            self._documents = out
        return self._documents

    def first(self, form_id: str) -> SampleDoc:
        """The first sample document of a form."""
        return next(d for d in self.documents() if d.form_id == form_id)

    def doc_ctx(self, doc: SampleDoc) -> tuple[Any, dict[str, Any]]:
        """The planned document and a fresh context (the caller may change it)."""
        from formkit.context import document_context
        from formkit.forms import load_form
        from formkit.plan import plan_documents

        case, facts = self.case(doc.path)
        planned = plan_documents(load_form(doc.form_id), case, facts)[doc.index]
        return planned, copy.deepcopy(document_context(case, facts, planned))

    def docx(self, doc: SampleDoc) -> tuple[bytes, ...]:
        """The Word copies of a sample document, rendered once per run."""
        if doc not in self._docx:
            from formkit.render.docx import render_docx

            self._docx[doc] = tuple(render_docx(*self.doc_ctx(doc), self.when))
        return self._docx[doc]

    def pdf(self, doc: SampleDoc) -> bytes:
        """The print-ready PDF of a sample document, rendered once per run."""
        if doc not in self._pdf:
            from formkit.render.pdf import render_pdf

            self._pdf[doc] = render_pdf(*self.doc_ctx(doc), self.when)
        return self._pdf[doc]


_SAMPLES = Samples(CASES_DIR)


@pytest.fixture(scope="session")
def samples() -> Samples:
    return _SAMPLES


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "sample_doc" in metafunc.fixturenames:
        docs = _SAMPLES.documents()
        metafunc.parametrize("sample_doc", docs, ids=[d.key for d in docs])


# --------------------------------------------------------------------------- a frozen clock


_CLOCK_MODULES = ("formkit", "docx", "docxtpl", "openpyxl", "weasyprint", "pydyf", "fontTools", "pikepdf",
                  "zipfile", "tinycss2", "cssselect2", "jinja2", "PIL", "lxml")
"""Packages whose module-level bindings (``from datetime import date``, ``from time import time``)
are redirected too; ``datetime.date``/``datetime.datetime`` and the ``time`` functions themselves
are patched for everyone."""


def _fakes(instant: _dt.datetime) -> dict[Any, Any]:
    """Replacements for the clock-reading names, each reading ``instant`` (an aware datetime)."""
    real_date, real_datetime = _dt.date, _dt.datetime
    stamp = instant.timestamp()
    real_localtime, real_gmtime, real_strftime = _time.localtime, _time.gmtime, _time.strftime
    real_ctime, real_asctime = _time.ctime, _time.asctime

    class _Meta(type):  # isinstance/issubclass against the fakes answer as for the real classes
        def __instancecheck__(cls, obj: object) -> bool:
            return isinstance(obj, cls._real)

        def __subclasscheck__(cls, sub: type) -> bool:
            return issubclass(sub, cls._real)

    class FakeDate(real_date, metaclass=_Meta):
        _real = real_date

        def __new__(cls, *args: Any, **kwargs: Any) -> Any:  # constructing gives a real date
            return real_date(*args, **kwargs)

        @classmethod
        def today(cls) -> _dt.date:
            return instant.astimezone().date()

    class FakeDateTime(real_datetime, metaclass=_Meta):
        _real = real_datetime

        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            return real_datetime(*args, **kwargs)

        @classmethod
        def now(cls, tz: _dt.tzinfo | None = None) -> _dt.datetime:
            return instant.astimezone(tz) if tz is not None else instant.astimezone().replace(tzinfo=None)

        @classmethod
        def utcnow(cls) -> _dt.datetime:
            return instant.astimezone(_dt.timezone.utc).replace(tzinfo=None)

        @classmethod
        def today(cls) -> _dt.datetime:
            return cls.now()

    def localtime(secs: float | None = None) -> _time.struct_time:
        return real_localtime(stamp if secs is None else secs)

    def gmtime(secs: float | None = None) -> _time.struct_time:
        return real_gmtime(stamp if secs is None else secs)

    def strftime(fmt: str, t: Any = None) -> str:
        return real_strftime(fmt, localtime() if t is None else t)

    def ctime(secs: float | None = None) -> str:
        return real_ctime(stamp if secs is None else secs)

    def asctime(t: Any = None) -> str:
        return real_asctime(localtime() if t is None else t)

    return {
        real_date: FakeDate, real_datetime: FakeDateTime,
        _time.time: lambda: stamp, _time.time_ns: lambda: int(stamp * 1_000_000_000),
        real_localtime: localtime, real_gmtime: gmtime, real_strftime: strftime, real_ctime: ctime,
        real_asctime: asctime,
    }


@contextlib.contextmanager
def freeze_clock(instant: _dt.datetime = FAR_AWAY) -> Iterator[_dt.datetime]:
    """Within the block, the wall clock reads ``instant`` (naive: taken as UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=_dt.timezone.utc)
    fakes = _fakes(instant)
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(_dt, "date", fakes[_dt.date])
        mp.setattr(_dt, "datetime", fakes[_dt.datetime])
        for name in ("time", "time_ns", "localtime", "gmtime", "strftime", "ctime", "asctime"):
            mp.setattr(_time, name, fakes[getattr(_time, name)])
        for module_name, module in list(sys.modules.items()):
            if module is None or module_name.split(".")[0] not in _CLOCK_MODULES:
                continue
            for attr, value in list(vars(module).items()):
                try:
                    fake = fakes.get(value)
                except TypeError:  # unhashable
                    continue
                if fake is not None:
                    mp.setattr(module, attr, fake)
        yield instant
    finally:
        mp.undo()


@pytest.fixture
def frozen_clock():
    """``with frozen_clock():`` (or ``frozen_clock(datetime(...))``): the clock reads that instant."""
    return freeze_clock

