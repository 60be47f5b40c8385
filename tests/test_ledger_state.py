"""The ledger's invariants under any sequence of corrections and runs (hypothesis stateful test).

A folder of 6 records (samples of 6 different people) is edited the way clerks do — a name, an
ID number, a mobile, a sentence of free text, a grade, a term appraisal dropped or restored, a
record file renamed — and rendered (``render``, Word), batch-printed (``batch``, 附件3 Word and
PDF plus the print job), declared (``declare``, 普洱市 2022 with its bundle), or killed part-way
(a ``render`` ended abruptly inside a ledger transaction). After every step:

- the ledger lists exactly the files on disk, each whole (``assert_ledger_is_the_disk``);
- every file ever issued still exists, current or under ``superseded/``;
- nothing exists outside ``--out`` (the work folder holds only the records and the outputs);
- after a command that succeeded, what it makes is current, and exactly that: its documents in
  ``--out`` are byte-identical to what the same command makes from the current records in an
  empty folder (issued exactly when their inputs changed);
- no current print job is made from a superseded document.

Known limit, kept out of the rules: an ID number corrected *and* the record file renamed before
the next run cannot be told from a new person (README: 更正身份证号码).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from formkit.cli import main
from formkit.output.ledger import Ledger
from gen_cases import as_another_person
from test_batch import assert_ledger_is_the_disk

ROOT = Path(__file__).resolve().parents[1]
PEOPLE = ("bai-zhongrong", "li-mingzhe", "ma-jun", "wang-yan", "pu-lifen", "zhou-guodong")
NAMES = ("马骏", "王刚", "李梅", "张磊", "赵敏", "周洁")
CHANGES = "变更说明_"

COMMANDS = {
    "render": lambda cases, out: ["render", cases, "--out", out, "--format", "docx"],
    "batch": lambda cases, out: ["batch", cases, "--out", out, "--forms", "appraisal", "--jobs", "1",
                                 "--no-progress"],
    "declare": lambda cases, out: ["declare", cases, "--prefecture", "530800", "--year", "2022", "--out", out,
                                   "--format", "pdf", "--jobs", "1"],
}
ORDER = ("render", "batch", "declare")
THEN = st.sampled_from((*ORDER, None))
"""What an edit is followed by: a run (the simplest example renders after every edit) or the
next edit (several corrections before one run)."""


def invoke(args: list) -> None:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output


def current(out: Path) -> dict[tuple, str]:
    """The current files of ``out`` by what they are — (person's ID number, document, file name)
    or (document id, file name) — with their SHA-256; 变更说明 left out (it exists only from
    version 2 on)."""
    ledger = Ledger.read(out)
    found = {}
    for doc in ledger.documents.values():
        if doc.withdrawn:
            continue
        for name, (digest, _) in doc.files.items():
            if name.startswith(CHANGES):
                continue
            if doc.person:
                person = ledger.persons[doc.person]
                found[(person.id_number, doc.id.split("/", 1)[1], name)] = digest
            else:
                found[(doc.id, name)] = digest
    return found


def made_by(command: str, key: tuple) -> bool:
    """Whether ``command`` makes the current file ``key`` (see ``current``)."""
    name = key[-1]
    if command == "render":
        return len(key) == 3 and name.endswith(".docx")
    if command == "batch":
        return (len(key) == 3 and key[1].startswith("appraisal/")) or key[0].startswith("print/")
    return key[0].startswith("declaration/")


class LedgerMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="ledger-state-"))
        self.cases = self.work / "cases"
        self.out = self.work / "out"
        self.cases.mkdir()
        self.files = []
        for stem in PEOPLE:
            path = self.cases / f"{stem}.yaml"
            shutil.copyfile(ROOT / "data" / "cases" / f"{stem}.yaml", path)
            self.files.append(path)
        self.originals = [p.read_text("utf-8") for p in self.files]
        self.seen: set[tuple[str, str]] = set()
        self.next_id = 0
        self.renamed_since_run: set[int] = set()
        self.id_changed_since_run: set[int] = set()
        self.steps = 0

    def teardown(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)

    # ------------------------------------------------------------------ edits

    def _edit(self, i: int, change, then: str | None) -> None:
        path = self.files[i]
        path.write_text(change(path.read_text("utf-8")), "utf-8")
        self._then(then)

    def _then(self, then: str | None) -> None:
        if then is not None:
            self.run(then)

    @rule(i=st.integers(0, 5), name=st.sampled_from(NAMES), then=THEN)
    def edit_name(self, i: int, name: str, then: str | None) -> None:
        def change(text: str) -> str:
            old = re.search(r"^  name: (\S+)$", text, re.M).group(1)
            return text.replace(old, name) if name not in text else text
        self._edit(i, change, then)

    @precondition(lambda self: self.next_id < 40)
    @rule(i=st.integers(0, 5), then=THEN)
    def edit_id_number(self, i: int, then: str | None) -> None:
        if i in self.renamed_since_run:
            return  # the documented limit (module docstring)
        self.next_id += 1
        self.id_changed_since_run.add(i)
        self._edit(i, lambda text: as_another_person(text, self.next_id), then)

    @rule(i=st.integers(0, 5), digit=st.integers(0, 9), then=THEN)
    def edit_mobile(self, i: int, digit: int, then: str | None) -> None:
        self._edit(i, lambda t: re.sub(r'(mobile: "1\d{9})\d"', lambda m: f'{m.group(1)}{digit}"', t, count=1), then)

    @rule(i=st.integers(0, 5), words=st.sampled_from(("（更正）", "并完成年度任务。", "")), then=THEN)
    def edit_free_text(self, i: int, words: str, then: str | None) -> None:
        self._edit(i, lambda t: re.sub(r"(service_plan: \|\n\s+)(\S[^\n]*?)(（更正）|并完成年度任务。)?\n",
                                       lambda m: f"{m.group(1)}{m.group(2)}{words}\n", t, count=1), then)

    @rule(i=st.integers(0, 5), then=THEN)
    def edit_grade(self, i: int, then: str | None) -> None:
        def change(text: str) -> str:
            head, sep, tail = text.rpartition("grade: ")
            value, rest = tail.split("\n", 1)
            return head + sep + ("优秀" if value != "优秀" else "合格") + "\n" + rest
        self._edit(i, change, then)

    @rule(i=st.integers(0, 5), then=THEN)
    def drop_last_appraisal(self, i: int, then: str | None) -> None:
        def change(text: str) -> str:
            head, sep, tail = text.partition("term_appraisals:\n")
            items = tail.split("\n  - ")
            return text if len(items) < 2 else head + sep + "\n  - ".join(items[:-1]) + "\n"
        self._edit(i, change, then)

    @rule(i=st.integers(0, 5), then=THEN)
    def restore_appraisals(self, i: int, then: str | None) -> None:
        original = self.originals[i].partition("term_appraisals:\n")
        self._edit(i, lambda t: t.partition("term_appraisals:\n")[0] + original[1] + original[2], then)

    @rule(i=st.integers(0, 5), stem=st.sampled_from(("甲", "CON", "记录", "a..b")), then=THEN)
    def rename(self, i: int, stem: str, then: str | None) -> None:
        if i in self.id_changed_since_run:
            return  # the documented limit (module docstring)
        target = self.cases / (f"{stem}.yaml" if not (self.cases / f"{stem}.yaml").exists() else f"{stem}-{self.steps}.yaml")
        self.files[i].rename(target)
        self.files[i] = target
        self.renamed_since_run.add(i)
        self._then(then)

    # ------------------------------------------------------------------ runs

    @rule(command=st.sampled_from(ORDER))
    def run_command(self, command: str) -> None:
        self.run(command)

    def run(self, command: str) -> None:
        event(f"run {command}")
        invoke(COMMANDS[command](self.cases, self.out))
        self.renamed_since_run.clear()
        self.id_changed_since_run.clear()
        self._compare_with_a_fresh_run(command)

    @rule(step=st.integers(1, 12))
    def kill_a_render(self, step: int) -> None:
        env = {**os.environ, "FORMKIT_CRASH_AFTER": str(step)}
        done = subprocess.run([sys.executable, "-m", "formkit.cli", *map(str, COMMANDS["render"](self.cases, self.out))],
                              env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode in (0, 137), done.stdout + done.stderr
        event("killed part-way" if done.returncode == 137 else "kill came after the end")
        with Ledger.open(self.out):
            pass  # what the next command does first: finish the interrupted transaction

    def _compare_with_a_fresh_run(self, command: str) -> None:
        """What ``command`` makes is current, and only that: its documents in ``out`` are
        byte for byte what the same command makes from the current records in an empty folder."""
        fresh = self.work / f"fresh-{self.steps}"
        try:
            invoke(COMMANDS[command](self.cases, fresh))
            expected = {k: v for k, v in current(fresh).items() if made_by(command, k)}
            now = {k: v for k, v in current(self.out).items() if made_by(command, k)}
            stale = sorted(k for k in now if expected.get(k) != now[k])
            missing = sorted(k for k in expected if k not in now)
            assert not stale, f"current after {command} but not what a fresh run makes: {stale[:5]}"
            assert not missing, f"{command} left these not issued: {missing[:5]}"
        finally:
            shutil.rmtree(fresh, ignore_errors=True)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def ledger_is_the_disk(self) -> None:
        self.steps += 1
        if self.out.exists():
            assert_ledger_is_the_disk(self.out)

    @invariant()
    def nothing_issued_is_lost(self) -> None:
        if not self.out.exists():
            return
        now = {(p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in self.out.rglob("*")
               if p.is_file() and p.name not in ("ledger.jsonl", ".formkit.lock")}
        lost = self.seen - now
        assert not lost, f"issued files gone: {sorted(lost)[:5]}"
        self.seen |= now

    @invariant()
    def no_current_print_job_is_made_from_a_superseded_document(self) -> None:
        """A current print job's members are current, at the versions it was collated from."""
        if not self.out.exists():
            return
        ledger = Ledger.read(self.out)
        for doc in ledger.documents.values():
            if doc.withdrawn or doc.form != "print":
                continue
            for member, version in doc.meta["members"]:
                issued = ledger.documents.get(member)
                assert issued is not None and not issued.withdrawn and issued.version == version, (doc.id, member)

    @invariant()
    def nothing_outside_out(self) -> None:
        assert {p.name for p in self.work.iterdir()} <= {"cases", "out"}
        assert all(p.suffix == ".yaml" for p in self.cases.iterdir())


# Bounded for CI (about 3 minutes on 2 cores); FORMKIT_STATE_EXAMPLES=50 explores more. In CI
# the examples are derandomized, so a red run can be repeated exactly.
LedgerMachine.TestCase.settings = settings(max_examples=int(os.environ.get("FORMKIT_STATE_EXAMPLES", "10")),
                                           stateful_step_count=8, deadline=None,
                                           derandomize=os.environ.get("CI") == "true",
                                           suppress_health_check=[HealthCheck.too_slow])
test_ledger_invariants = LedgerMachine.TestCase
