"""The desk's records: where they are, reading one into the form, checking the form exactly as
``formkit check`` does, and saving it.

Records are ``DATA_DIR/cases/*.yaml`` (or ``DATA_DIR/*.yaml`` when there is no ``cases/``). A
record is named in a URL by its file name only; ``record_path`` refuses anything else (a
folder, ``..``, another suffix) so no path from the browser leaves ``DATA_DIR``.

Checking: the form's mapping is checked as the record writer would write it
(``formkit.load.write.check_case_data``) —
the same stages, messages and cross-field checks as ``formkit check`` —, and other records
carrying the same 公民身份号码 are reported like ``check`` does (``duplicate_ids``). Saving goes
through ``save_record`` alone (``formkit.load.write.save_case``): a record that does not pass is
saved as a draft, and a record changed on disk since the form was opened (its SHA-256 then) is
refused (``RecordChanged``), and so is a second record of one person (``DataConflict``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formkit.errors import Problem, UsageError
from formkit.load import Loaded, duplicate_ids, parse_yaml, record_files
from formkit.load.records import checked_id_number, draft_marked
from formkit.load.write import check_case_data, records_with_id, save_case
from formkit.safe_names import inside


def cases_dir(data_dir: Path) -> Path:
    """Where the person records are: ``DATA_DIR/cases`` if it exists, else ``DATA_DIR``."""
    sub = Path(data_dir) / "cases"
    return sub if sub.is_dir() else Path(data_dir)


def record_names(data_dir: Path) -> list[str]:
    """The file names of every person record, sorted."""
    root = cases_dir(data_dir)
    return sorted(p.name for p in record_files([root]) if p.parent == root)


_NAME_RE = re.compile(r"^[^/\\\x00-\x1f]{1,80}\.ya?ml$")


def record_path(data_dir: Path, name: str) -> Path:
    """The record file ``name`` in the records folder; ``UsageError`` for anything that is not a
    plain ``.yaml`` file name there (``..``, separators, control characters)."""
    if not _NAME_RE.match(name) or name in (".yaml", ".yml") or name.startswith("."):
        raise UsageError(f"不是记录文件名：{name[:80]!r}")
    return inside(cases_dir(data_dir), name)


def new_record_name(data_dir: Path, person_name: str) -> str:
    """A file name for a new person's record, as ``formkit import`` names one: the name in pinyin
    (杨立新 → ``yang-li-xin.yaml``, ``formkit.jobs.roster_import.file_stem``), ``-2``, ``-3``… when
    the name is taken — another person's file is never overwritten."""
    from formkit.jobs.roster_import import file_stem

    stem = (file_stem(person_name) if person_name else "") or "xin-ren-yuan"  # 新人员
    root = cases_dir(data_dir)
    taken = {p.stem for p in root.glob("*.y*ml")} if root.is_dir() else set()
    unique, n = stem, 1
    while unique in taken:
        n += 1
        unique = f"{stem}-{n}"
    return f"{unique}.yaml"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Opened:
    """A record as read for the form: its plain mapping, the hash of its bytes, draft or not."""

    data: dict[str, Any]
    digest: str
    draft: bool
    problems: list[Problem]


def open_record(path: Path) -> Opened:
    """Read ``path`` for the form (a file that is not readable YAML opens empty, with why)."""
    raw = path.read_bytes()
    data, _, problems = parse_yaml(raw, path.name)
    return Opened(data if isinstance(data, dict) else {}, sha256(raw), draft_marked(raw), list(problems))


def check_record(data: dict[str, Any], name: str, data_dir: Path) -> Loaded[Any]:
    """``formkit check`` of the form's mapping as file ``name`` (``check_case_data``), plus the
    records of ``DATA_DIR`` that carry the same 公民身份号码 (``records_with_id``), reported as
    ``check`` reports them (``duplicate_ids``)."""
    loaded = check_case_data(data, name)
    number = checked_id_number(loaded)
    if number is None:
        return loaded
    root = cases_dir(data_dir)
    here = root / name
    others = records_with_id(root, number, besides=here)
    if not others:
        return loaded
    found = duplicate_ids([(here, number), *((p, number) for p in others)]).get(here, [])
    # the other records by their file names, as the clerk finds them in 人员 (no folder, no line)
    folder = re.compile(re.escape(str(root)) + r"[/\\]([^、\s:]+)(?::\d+)?")
    problems = [Problem(folder.sub(r"记录 \1", p.message), path=p.path, label=p.label, file=name) for p in found]
    return Loaded(loaded.path, None, (*loaded.problems, *problems), loaded.data)


def save_record(path: Path, data: dict[str, Any], *, expected_sha256: str | None, draft: bool) -> str:
    """Save ``data`` to ``path`` (``formkit.load.write.save_case``: atomic, laid out like
    ``formkit new case``, a draft marked); the file's SHA-256 now. ``expected_sha256`` is the
    hash when the form was opened (``None`` for a new record): a file changed since raises
    ``RecordChanged`` and nothing is written."""
    return save_case(path, data, expected_sha256=expected_sha256, draft=draft, data_dir=path.parent).sha256
