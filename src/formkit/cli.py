"""formkit's command line: thin — parse, call the pipeline, print, map errors to exit codes.

Exit codes: 0 all good; 1 some record, list or template is invalid or records conflict; 2 usage,
environment or internal problem (each error class in ``formkit.errors`` carries its own); 3 an
unexpected exception (a bug): the masked traceback is written to a ``formkit-crash-<time>.txt``
file whose path is printed.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from formkit.errors import FormkitError, InvalidValue, UsageError


def _echo_err(text: str) -> None:
    click.echo(text, err=True)


CRASH_EXIT = 3
"""Exit code of an unexpected exception (a bug in formkit), distinct from invalid input (1) and
usage or environment problems (2)."""


def _crash_report() -> Path | None:
    """Write the current exception's traceback, masked (``formkit.privacy.scrub``), to
    ``<temp dir>/formkit-crash-<time>.txt``; its path, or ``None`` when nothing could be written."""
    import os
    import platform
    import tempfile
    import traceback
    from datetime import datetime

    from formkit.privacy import scrub

    try:
        from importlib.metadata import version

        release = version("formkit")
    except Exception:  # noqa: BLE001
        release = "?"
    text = scrub("\n".join([
        f"formkit {release}, Python {platform.python_version()}, {platform.platform()}",
        "argv: " + " ".join(os.fsdecode(a) if isinstance(a, bytes) else str(a) for a in sys.argv),
        "",
        traceback.format_exc(),
    ]))
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    for folder in (Path(tempfile.gettempdir()), Path.home() / ".cache" / "formkit"):
        path = folder / f"formkit-crash-{stamp}.txt"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
                handle.write(text)
            return path
        except OSError:
            continue
    return None


class _Group(click.Group):
    def invoke(self, ctx: click.Context):  # one place maps formkit errors to exit codes
        try:
            return super().invoke(ctx)
        except OSError as exc:  # the disk refused (read-only folder, a file where a folder goes…)
            where = f"{exc.filename}：" if exc.filename else ""
            _echo_err(f"formkit: 无法读写 {where}{exc.strerror or exc}；请检查该路径是否存在、是否可写，然后重试")
            ctx.exit(2)
        except KeyboardInterrupt:
            _echo_err("已中断：已写出的文件都是完整的，发文登记与之一致；重新运行会从中断处继续。")
            ctx.exit(130)
        except FormkitError as exc:
            _echo_err(f"formkit: {self._option_of(ctx, exc)}{exc}")
            ctx.exit(exc.exit_code)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception:  # a fault of formkit's own: never reported as invalid input (exit 1)
            report = _crash_report()
            if report is None:
                _echo_err("formkit 内部错误（无法写出错误报告）；请把所运行的命令和记录文件名告诉维护者")
            else:
                _echo_err(f"formkit 内部错误，请把 {report} 发给维护者")
            ctx.exit(CRASH_EXIT)

    def _option_of(self, ctx: click.Context, exc: FormkitError) -> str:
        """``--division：`` when ``exc`` is about the value of one of the command's options: domain
        code names the argument (``exc.param``), never the option."""
        param = getattr(exc, "param", None)
        command = self.get_command(ctx, ctx.invoked_subcommand) if param and ctx.invoked_subcommand else None
        for option in getattr(command, "params", ()):
            if isinstance(option, click.Option) and option.name == param:
                return f"{option.opts[0]}："
        return ""


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="formkit")
def main() -> None:
    """formkit — 云南省专业技术人员到基层服务: records in, official documents out."""


class _YearType(click.ParamType):
    """A 年度 option: four digits within the model's years, else a Chinese usage error (exit 2)."""

    name = "year"

    def convert(self, value, param, ctx):  # noqa: D102
        from formkit.model import YEAR_MAX, YEAR_MIN

        if isinstance(value, int):
            return value
        text = str(value).strip()
        option = param.opts[0] if param is not None else "--year"
        if not (text.isascii() and text.isdigit() and len(text) == 4 and YEAR_MIN <= int(text) <= YEAR_MAX):
            raise UsageError(f"{option} 应为 {YEAR_MIN}–{YEAR_MAX} 之间的四位年度（如 2026），实为 {text[:30]!r}")
        return int(text)


YEAR = _YearType()


def _as_of(value: str | None) -> date:
    if value is None:
        return date.today()
    from formkit.model import DATE_MAX_YEAR, DATE_MIN_YEAR

    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--as-of 应为 YYYY-MM-DD，实为 {value[:30]!r}") from None
    if not DATE_MIN_YEAR <= day.year <= DATE_MAX_YEAR:
        raise UsageError(f"--as-of 的年份应在 {DATE_MIN_YEAR}–{DATE_MAX_YEAR} 之间，实为 {value!r}")
    return day


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--quiet", "-q", is_flag=True, help="只输出错误和汇总，不输出警告。")
def check(paths: tuple[str, ...], quiet: bool) -> None:
    """Validate case records and demand lists (files or folders).

    Prints every problem as ``file:line:col field（标签）: message``; exits 0 when all records
    are valid, 1 when any is not.
    """
    from formkit.load import duplicate_ids, load_record, record_files

    files = record_files(paths)
    if not files:
        raise UsageError("没有找到任何 .yaml 记录文件")
    bad = warned = 0
    cases = []
    results = []
    for file in files:
        loaded = load_record(file)
        results.append((file, loaded))
        if loaded.ok and hasattr(loaded.record, "applicant"):
            cases.append((file, loaded.record))
    duplicates = duplicate_ids(cases)
    for file, loaded in results:
        for problem in [*loaded.problems, *duplicates.get(file, [])]:
            if problem.is_error or not quiet:
                _echo_err(str(problem))
        bad += not loaded.ok or file in duplicates
        warned += bool(loaded.warnings)
    good = len(files) - bad
    summary = f"检查 {len(files)} 份记录：{good} 份有效，{bad} 份有误"
    if warned:
        summary += f"，{warned} 份有警告"
    click.echo(summary)
    sys.exit(1 if bad else 0)


@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path())
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="按哪一天计算（默认今天）。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（供其他程序使用）。")
def explain(cases: tuple[str, ...], as_of: str | None, as_json: bool) -> None:
    """Explain what the policy says about each case, citing the articles.

    Eligibility (第二条), routing (第四、五条), whole service years (第十三条), appraisals due
    (第九条) and subsidies (第十、十一、十三条) in figures and in upper case.
    """
    from formkit.explain import explain_lines, explain_data
    from formkit.facts import derive
    from formkit.load import load_case, record_files

    day = _as_of(as_of)
    files = record_files(cases)
    failed = 0
    out = []
    for i, file in enumerate(files):
        loaded = load_case(file)
        if loaded.record is None:
            failed += 1
            for problem in loaded.errors:
                _echo_err(str(problem))
            continue
        try:
            facts = derive(loaded.record, day)
        except InvalidValue as exc:
            failed += 1
            _echo_err(f"{file}: {exc}")
            continue
        if as_json:
            out.append({"file": str(file), **explain_data(loaded.record, facts)})
        else:
            if i:
                click.echo()
            click.echo(f"== {file}")
            for line in explain_lines(loaded.record, facts):
                click.echo(line)
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    sys.exit(1 if failed else 0)


PERSON_FORMS = ("application", "agreement", "appraisal")


def _split_option(value: str, allowed: tuple[str, ...], option: str) -> tuple[str, ...]:
    items = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [v for v in items if v not in allowed]
    if unknown or not items:
        raise UsageError(f"{option} 只能取 {','.join(allowed)}，实为 {value!r}")
    return items


def _record_files(paths: tuple[str, ...]) -> list[Path]:
    from formkit.load import record_files

    files = record_files(paths)
    if not files:
        raise UsageError("没有找到任何 .yaml 记录文件")
    return files


def _report(outcome) -> None:
    for problem in outcome.problems:
        _echo_err(str(problem))


def _summary(outcomes, what: str) -> tuple[str, int]:
    failed = sum(o.failed for o in outcomes)
    results = [o.result for o in outcomes if o.result is not None]
    new = sum(r.new for r in results)
    corrected = sum(r.corrected for r in results)
    unchanged = sum(r.unchanged for r in results)
    withdrawn = sum(r.withdrawn for r in results)
    files = sum(r.files for r in results)
    text = (f"{what}：{len(outcomes) - failed} 份记录成功，{failed} 份失败；文书 新出具 {new}、更正 {corrected}"
            f"（旧版移入 superseded/）、未变 {unchanged}")
    if withdrawn:
        text += f"、撤回 {withdrawn}（记录中已无，移入 superseded/）"
    text += f"；写入 {files} 个文件"
    outdated = sorted({t for r in results for t in r.outdated})
    if outdated:
        text += ("\n以下汇总文书所依据的文书已更正，已移入 superseded/，请重新生成（formkit batch / formkit declare）：「"
                 + "」「".join(outdated) + "」")
    return text, failed


def _versions(result, out: str, what: str, no_change: str) -> None:
    """What a roll-up run issued: unchanged, or the version made and what changed since the
    previous one, then the files written."""
    if result.unchanged:
        click.echo(f"与已出具的第 {result.version} 版{what}相同，未重新生成。")
    elif result.version > 1:
        click.echo(f"已生成第 {result.version} 版（旧版移入 {Path(out) / 'superseded'}/）。与上一版相比：")
        for line in result.changes or [no_change]:
            click.echo(f"  {line}")
    for path in result.written:
        click.echo(f"  → {path}")


_OUT = click.option("--out", "out", default="output", show_default=True, type=click.Path(file_okay=False),
                    help="输出目录；每人一个子目录，发文登记在 OUT/ledger.jsonl。")
_FORCE = click.option("--force", is_flag=True, help="全部重新生成（即使输入和模板都没有变）。")
_WAIT = click.option("--wait", "wait", default=30.0, show_default=True, type=float,
                     help="输出目录被另一进程占用时最多等待的秒数。")


@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path())
@_OUT
@click.option("--format", "formats", default="docx,pdf", show_default=True, help="docx、pdf 或两者。")
@click.option("--forms", "forms", default=",".join(PERSON_FORMS), show_default=True,
              help="application（附件2）、agreement（服务协议）、appraisal（附件3）。")
@_FORCE
@_WAIT
def render(cases: tuple[str, ...], out: str, formats: str, forms: str, force: bool, wait: float) -> None:
    """Render each person's documents: one .docx per copy, one print-ready PDF per document.

    Files go to ``OUT/<folder of the person>/`` (named after the record file the first time),
    e.g. ``申请登记表_张三_第1份_申请人.docx`` and ``申请登记表_张三.pdf``; 附件3 is made for
    every recorded term appraisal. Only documents whose inputs changed are rendered again; a
    corrected document becomes the next version and the issued one moves to
    ``superseded/v<N>/``. A bad record is reported (file, line, field) and the others are still
    rendered; exit 1 if any failed.
    """
    from formkit.jobs.persons import Selection, run
    from formkit.output.ledger import Ledger

    selection = Selection(_split_option(forms, PERSON_FORMS, "--forms"),
                          _split_option(formats, ("docx", "pdf"), "--format"))
    files = _record_files(cases)
    out_root = Path(out)
    with Ledger.open(out_root, wait=wait) as ledger:

        def done(outcome) -> None:
            _report(outcome)
            r = outcome.result
            if r is not None:
                extra = f"，撤回 {r.withdrawn}" if r.withdrawn else ""
                click.echo(f"{outcome.path} → {out_root / outcome.folder}/（新 {r.new}，更正 {r.corrected}，"
                           f"未变 {r.unchanged}{extra}）")

        outcomes = run(ledger, files, selection, date.today(), force=force, on_done=done)
    text, failed = _summary(outcomes, "生成")
    click.echo(text)
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path())
@click.option("--forms", "forms", default="appraisal", show_default=True,
              help="appraisal（附件3）、application（附件2）、agreement（服务协议），可用逗号组合。")
@click.option("--year", "year", type=YEAR, help="只打印该年度的文书（附件3：考核期间结束的年度；其他：协议签订年度）。")
@click.option("--jobs", "jobs", type=int, default=0, help="并行进程数（默认 CPU 核数）。")
@_OUT
@_FORCE
@_WAIT
@click.option("--no-progress", is_flag=True, help="不显示进度条。")
def batch(cases: tuple[str, ...], forms: str, year: int | None, jobs: int, out: str, force: bool, wait: float,
          no_progress: bool) -> None:
    """Batch-print: render the selected documents of every record and collate one print PDF.

    Writes the per-person files (as ``formkit render``) and ``OUT/print/<表名>_<年度>_打印.pdf``:
    all copies of all documents in order, each copy starting on an odd page (an inserted page
    says （此页无正文）) for duplex printing; collated again only when one of its documents
    changed. Runs in parallel over the cores with a progress bar; a bad record is reported
    (file, line, field) and the rest are rendered (exit 1 then). Ctrl-C or a kill leaves only
    whole files and a consistent ledger.
    """
    import os
    import signal

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from formkit.forms import load_form
    from formkit.jobs.persons import Selection, print_job, run
    from formkit.load.records import display_path
    from formkit.output.ledger import Ledger

    selection = Selection(_split_option(forms, PERSON_FORMS, "--forms"), ("docx", "pdf"), year)
    files = _record_files(cases)
    out_root = Path(out)
    jobs = jobs or os.cpu_count() or 1

    def on_term(signum, frame):  # a kill is handled like Ctrl-C: stop cleanly, keep whole files
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("剩余"), TimeRemainingColumn(), disable=no_progress, transient=True,
                        console=None)
    try:
        with Ledger.open(out_root, wait=wait) as ledger:
            with progress:
                task = progress.add_task("生成文书", total=len(files))

                def done(outcome) -> None:
                    if outcome.failed:
                        progress.console.print(f"[red]失败[/red] {display_path(outcome.path)}", highlight=False,
                                               soft_wrap=True)
                        for problem in outcome.problems:
                            progress.console.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
                    progress.advance(task)

                outcomes = run(ledger, files, selection, date.today(), jobs=jobs, force=force, on_done=done)
            names = "、".join(load_form(f).short_title for f in selection.forms)
            job = print_job(ledger, f"{names}_{year or '全部'}_打印", outcomes, force=force)
    except KeyboardInterrupt:
        _echo_err("已中断：已写出的文件都是完整的，发文登记与之一致；重新运行会从中断处继续。")
        sys.exit(130)
    text, failed = _summary(outcomes, "批量生成")
    click.echo(text)
    if job.path is not None:
        state = "已生成" if job.written else "未变（各文书均未更改，未重新合成）"
        click.echo(f"打印文件：{job.path}（{job.documents} 份文书，共 {job.pages} 页，其中插入空白页 {job.blanks} 页；{state}）")
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("case", type=click.Path(exists=True, dir_okay=False))
@_OUT
def diff(case: str, out: str) -> None:
    """List what changed in a record since its documents were issued, and which documents.

    Compares the record with what the ledger (``OUT/ledger.jsonl``) kept when the person's
    documents were last issued: every changed field with its Chinese label, old and new value
    (ID numbers and mobiles masked, the changed positions named), then each issued document a
    re-render will correct, by the name it was issued with. Exit 0 when nothing changed, 1
    otherwise.
    """
    from formkit.jobs.diff import record_diff

    lines, changed = record_diff(Path(case), Path(out), date.today())
    for line in lines:
        click.echo(line)
    sys.exit(1 if changed else 0)


@main.command()
@click.argument("kind", type=click.Choice(["case", "demand"]), default="case")
def schema(kind: str) -> None:
    """Print the JSON Schema of a case record or a demand list (for editor autocompletion)."""
    from formkit.model import Case, DemandList

    model = Case if kind == "case" else DemandList
    doc = model.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


@main.command()
@click.argument("kind", type=click.Choice(["case", "demand"]))
@click.option("--out", "out", type=click.Path(dir_okay=False), help="写入文件（已存在则拒绝）。")
def new(kind: str, out: str | None) -> None:
    """Print (or write) a commented starting record: ``formkit new case > data/cases/x.yaml``."""
    from importlib import resources

    text = (resources.files("formkit") / "data" / f"new_{kind}.yaml").read_text("utf-8")
    if out is None:
        click.echo(text, nl=False)
        return
    target = Path(out)
    if target.exists():
        raise UsageError(f"{target} 已存在，不覆盖")
    from formkit.atomic import write_atomic

    write_atomic(target, text.encode("utf-8"))
    click.echo(f"已写入 {target}")


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path())
@click.option("--level", "level", required=True, type=click.Choice(["county", "prefecture", "province"]),
              help="县（county）、州（市）（prefecture）或省（province）级汇总表。")
@click.option("--division", "division", metavar="CODE", help="县或州（市）的行政区划代码；只涉及一个时可省略。")
@click.option("--year", "year", required=True, type=YEAR, help="年度。")
@click.option("--out", "out", default="output", show_default=True, type=click.Path(file_okay=False), help="输出目录。")
@click.option("--format", "formats", default="docx,pdf,xlsx", show_default=True, help="docx、pdf、xlsx 的任意组合。")
@click.option("--reported-on", "reported_on", metavar="YYYY-MM-DD", help="州（市）、省级表的填报时间（默认留空待填）。")
@click.option("--filled-by", "filled_by", help="州（市）、省级表的填表人（默认留空）。")
@click.option("--reviewed-by", "reviewed_by", help="州（市）、省级表的审核人（默认留空）。")
@click.option("--phone", "phone", help="州（市）、省级表的联系电话（默认留空）。")
@_FORCE
@_WAIT
def demand(sources: tuple[str, ...], level: str, division: str | None, year: int, out: str, formats: str,
           reported_on: str | None, filled_by: str | None, reviewed_by: str | None, phone: str | None,
           force: bool, wait: float) -> None:
    """附件1 需求信息表 of a county, a 州(市) or the province (第三条), as .docx, PDF and .xlsx.

    SOURCES are county demand lists, YAML or the .xlsx a county reports (files or folders).
    Higher levels merge the counties below ``--division``, sorted by division code, with 小计
    rows per county and 州(市) and the 合计 row. Invalid lists are reported like ``formkit
    check`` does (an .xlsx cell as ``file.xlsx:row:col``) and nothing is written (exit 1).
    """
    from formkit.jobs.demand import run_demand
    from formkit.rollup.demand import Reporting
    from formkit.validators import validate_phone

    fmt = _split_option(formats, ("docx", "pdf", "xlsx"), "--format")
    day = None
    if reported_on:
        try:
            day = date.fromisoformat(reported_on) if len(reported_on) == 10 else None
        except ValueError:
            pass
        if day is None:
            raise UsageError(f"--reported-on 应为 YYYY-MM-DD（如 2026-03-05），实为 {reported_on[:30]!r}")
        from formkit.model import DATE_MAX_YEAR, DATE_MIN_YEAR

        if not DATE_MIN_YEAR <= day.year <= DATE_MAX_YEAR:
            raise UsageError(f"--reported-on 的年份应在 {DATE_MIN_YEAR}–{DATE_MAX_YEAR} 之间，实为 {reported_on!r}")
    checked_phone = None
    if phone:
        try:
            checked_phone = validate_phone(phone)
        except InvalidValue as exc:
            raise UsageError(f"--phone 应为手机号码（11位）或固定电话（区号-号码，号码7–8位、不以0或1开头，"
                             f"如 0871-65123456），实为 {phone!r}：{exc}") from None
    reporting = Reporting(reported_on=day, filled_by=filled_by, reviewed_by=reviewed_by, phone=checked_phone)
    from formkit.output.ledger import Ledger

    with Ledger.open(Path(out), wait=wait) as ledger:
        result = run_demand(ledger, list(sources), level, year, division=division, formats=fmt,
                            reporting=reporting, force=force)
    for problem in result.problems:
        _echo_err(str(problem))
    if result.table is None:
        _echo_err("需求信息表有误，未生成汇总表")
        sys.exit(1)
    for note in result.notes:
        _echo_err(f"注意：{note}")
    table = result.table
    click.echo(f"{table.division_name}{year}年度需求信息表：{len(table.counties)} 个县（市、区），"
               f"{len(table.posts)} 个岗位，需求 {table.total} 人")
    _versions(result, out, "需求信息表", "各县（市、区）的岗位需求无变化（仅表格内容或格式更新）")


@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path())
@click.option("--prefecture", "prefecture", required=True, metavar="CODE", help="州（市）的行政区划代码，如 532500。")
@click.option("--year", "year", required=True, type=YEAR, help="申报年度。")
@click.option("--out", "out", default="output", show_default=True, type=click.Path(file_okay=False), help="输出目录。")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="按哪一天计算（默认该年12月31日，未到则今天）。")
@click.option("--format", "formats", default="docx,pdf,xlsx", show_default=True, help="名册和申报表的格式。")
@click.option("--no-bundle", "no_bundle", is_flag=True, help="不生成附申请登记表和考核鉴定表的合订 PDF。")
@click.option("--jobs", "workers", type=int, help="生成合订本的并行进程数（默认 CPU 核数）。")
@click.option("--workers", "workers", type=int, hidden=True, help="同 --jobs（旧名）。")
@_FORCE
@_WAIT
def declare(cases: tuple[str, ...], prefecture: str, year: int, out: str, as_of: str | None, formats: str,
            no_bundle: bool, workers: int | None, force: bool, wait: float) -> None:
    """附件4 期满人员名册 and 附件5 岗位补贴申报表 of a 州(市) for a year (第十条), with the bundle.

    Lists everyone whose subsidy for a completed, passing period belongs to this 州(市)'s
    declaration for the year, with the years paid now; sums them per county in figures and in
    upper case. Writes the .docx/.pdf/.xlsx of both forms, one PDF in filing order (名册, 申报表,
    then each person's 附件2 and 附件3), and the exclusions report (who was not listed, why, which
    article), which is also printed. Any invalid record stops the declaration (exit 1).
    """
    from formkit.context.filters import money_figures, rmb_upper
    from formkit.jobs.declaration import default_as_of, run_declaration

    fmt = _split_option(formats, ("docx", "pdf", "xlsx"), "--format")
    day = _as_of(as_of) if as_of else default_as_of(year)

    def progress(done: int, total: int) -> None:
        if done and (done == total or done % 50 == 0):
            _echo_err(f"合订本：{done}/{total} 人")

    from formkit.output.ledger import Ledger

    with Ledger.open(Path(out), wait=wait) as ledger:
        result = run_declaration(ledger, list(cases), prefecture, year, as_of=day, formats=fmt,
                                 bundle=not no_bundle, workers=workers, progress=progress, force=force)
    for problem in result.problems:
        if problem.is_error:
            _echo_err(str(problem))
    for failure in result.failures:
        _echo_err(failure)
    if result.declaration is None:
        _echo_err("案卷记录有误，未生成申报材料")
        sys.exit(1)
    decl = result.declaration
    click.echo(result.report)
    click.echo(f"{decl.prefecture_name}{year}年度：名册 {decl.total_people} 人，核发 {decl.total_years} 年，"
               f"补贴 {money_figures(decl.total_amount)} 元（{rmb_upper(decl.total_amount)}）")
    if result.bundle is not None:
        b = result.bundle
        click.echo(f"合订本 {b.pages} 页（{b.persons} 人的申请登记表和考核鉴定表；新生成 {b.rendered} 份，"
                   f"取自已出具文书 {b.reused} 份）")
    _versions(result, out, "申报材料", "名册人员及金额无变化（仅表格内容或格式更新）")


@main.command("forms")
@click.option("--copy", "copy_to", metavar="DIR", type=click.Path(file_okay=False),
              help="把全部表单（模板）复制到新目录 DIR，供在 Word/WPS 中修改。")
def forms_folder(copy_to: str | None) -> None:
    """Print the folder the forms (templates) are read from; ``--copy DIR`` makes a copy to edit.

    The forms are installed with formkit. To change a template: ``formkit forms --copy 我的表单``,
    edit the copy in Word or WPS, and set the environment variable ``FORMKIT_FORMS`` to that
    folder; from then on every formkit command uses the copy.
    """
    import os
    import shutil

    from formkit.forms import forms_root

    root = forms_root()
    if copy_to is None:
        click.echo(str(root))
        _echo_err("（由环境变量 FORMKIT_FORMS 指定的表单副本）" if os.environ.get("FORMKIT_FORMS") else
                  "（随 formkit 安装的表单；要修改模板，先用 formkit forms --copy 目录 复制一份）")
        return
    target = Path(copy_to)
    if target.exists():
        raise UsageError(f"{target} 已存在，请指定一个新目录")
    shutil.copytree(root, target, ignore=shutil.ignore_patterns("*.py", "*.pyc", "__pycache__"))
    where = target.resolve()
    setting = f"set FORMKIT_FORMS={where}" if os.name == "nt" else f'export FORMKIT_FORMS="{where}"'
    click.echo(f"已把表单复制到 {where}\n修改其中的模板后，先运行\n  {setting}\n"
               "此后 formkit 就使用这份副本（formkit lint 检查修改后的模板）。")


@main.command()
@click.argument("forms", nargs=-1, type=click.Path())
@click.option("--as", "as_form", metavar="FORM", help="检查单个模板文件时，按哪个表单的数据检查（如 application）。")
@click.option("--quiet", "-q", is_flag=True, help="只输出错误，不输出警告。")
def lint(forms: tuple[str, ...], as_form: str | None, quiet: bool) -> None:
    """Check the Word and HTML templates of forms (every form when none is named).

    FORM is a form id (``application``), a form folder, or a template file (``.docx``/``.html``,
    with ``--as FORM`` when it is not in a form folder). Finds tags Word split across runs or
    formatting, unbalanced ``{{ }}`` / ``{% %}``, misplaced ``{%tr %}`` row loops, and fields the
    data does not have — in the body, tables, text boxes, headers and footers — saying where
    (``第1个表格第3行第2列「…」``). Exit 0 when no faults (warnings allowed), 1 otherwise.
    """
    from formkit.lint import lint_targets

    report = lint_targets(list(forms), as_form=as_form)
    for finding in report.findings:
        if finding.is_error or not quiet:
            _echo_err(str(finding))
    errors, warnings = len(report.errors), len(report.warnings)
    click.echo(f"检查 {len(report.templates)} 个模板：{errors} 处错误，{warnings} 处警告")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
