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

from formkit.cli_zh import Context, Words, install, words
from formkit.errors import FormkitError, InvalidValue, UsageError

install()  # click's own usage and error messages in Chinese (formkit.cli_zh)


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
    context_class = Context  # Chinese headings and wrapping (formkit.cli_zh)

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


class _Command(click.Command):
    context_class = Context

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


_Group.command_class = _Command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]},
             options_metavar="[选项]", subcommand_metavar="命令 [参数]...")
@click.version_option(package_name="formkit")
def main() -> None:
    """formkit —《云南省鼓励专业技术人员到基层服务暂行办法》的案卷记录 → 正式文书。

    先用 formkit check 检查记录，再用 formkit render / batch 生成文书；每个命令后加 --help
    查看用法，如 formkit render --help。
    """


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
        raise UsageError(f"--as-of 应为 年-月-日（如 2026-03-05），实为 {value[:30]!r}") from None
    if not DATE_MIN_YEAR <= day.year <= DATE_MAX_YEAR:
        raise UsageError(f"--as-of 的年份应在 {DATE_MIN_YEAR}–{DATE_MAX_YEAR} 之间，实为 {value!r}")
    return day


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="路径...")
@click.option("--quiet", "-q", is_flag=True, help="只输出错误和汇总，不输出警告。")
@click.option("--drafts", "show_drafts", is_flag=True, help="也逐条列出草稿中的问题（默认每份草稿只输出一行）。")
def check(paths: tuple[str, ...], quiet: bool, show_drafts: bool) -> None:
    """检查案卷记录和需求信息表（文件或文件夹）。

    每个问题输出为「文件:行:列 字段（标签）: 说明」。格式无误但不符合第二条（不能签订协议）的
    案卷单独列出一行，附原因及条款（按今天计算）。草稿（第一行为「# 草稿：」的记录，尚未完成，
    不生成文书）每份输出一行，汇总中单独计数；加 --drafts 逐条列出其中的问题。全部有效且符合
    第二条时退出码为 0，有任何一份有误、是草稿或不符合第二条时为 1。
    """
    from formkit.load import duplicate_ids, load_record, record_files
    from formkit.load.records import STOPPED_CROSS, checked_id_number

    files = record_files(paths, (".yaml", ".yml", ".xlsx"))
    if not files:
        raise UsageError("没有找到任何记录文件（.yaml 案卷或需求信息表，.xlsx 需求信息表）")
    bad = warned = 0
    cases = []
    results = []
    for file in files:
        loaded = load_record(file)
        results.append((file, loaded))
        number = checked_id_number(loaded)  # a refused record too: every problem in one run
        if number is not None:
            cases.append((file, number))
    duplicates = duplicate_ids(cases)
    ineligible = drafts = 0
    for file, loaded in results:
        problems = list(loaded.problems)
        stopped = problems.pop() if problems and problems[-1].message == STOPPED_CROSS else None
        if loaded.draft:
            drafts += 1
            problems = problems[1:]  # the draft's own line says it is one
            open_ = [p for p in problems if p.is_error and p.message != STOPPED_CROSS]
            _echo_err(f"{file}: 草稿（尚未完成，不生成文书）："
                      + (f"{len(open_)} 处有误或待填写，如 {_first(open_)}" if open_ else
                         "内容已可通过检查；在工作台保存为正式记录，或删除第一行「# 草稿：…」")
                      + ("" if show_drafts or not open_ else "（formkit check --drafts 逐条列出）"))
            if not show_drafts:
                problems, stopped = [], None
        for problem in [*problems, *duplicates.get(file, []), *([stopped] if stopped else [])]:
            if problem.is_error or not quiet:
                _echo_err(str(problem))
        bad += (not loaded.ok and not loaded.draft) or file in duplicates
        warned += bool(loaded.warnings)
        if loaded.ok and file not in duplicates and hasattr(loaded.record, "applicant"):
            reasons = _ineligible(loaded.record)
            if reasons:
                ineligible += 1
                _echo_err(f"{file}: 不符合第二条（不能签订协议）：" + "；".join(reasons))
    good = len(files) - bad - sum(1 for f, loaded in results if loaded.draft and f not in duplicates)
    summary = f"检查 {len(files)} 份记录：{good} 份有效，{bad} 份有误"
    if drafts:
        summary += f"，{drafts} 份草稿"
    if ineligible:
        summary += f"；{ineligible} 份不符合第二条（不能签订协议）"
    if warned:
        summary += f"；{warned} 份有警告"
    click.echo(summary)
    sys.exit(1 if bad or ineligible or drafts else 0)


def _first(problems) -> str:
    """The first of a draft's problems, as one clause: ``applicant.id_number（公民身份号码）: …``."""
    from formkit.privacy import scrub

    p = problems[0]
    head = f"{p.path}（{p.label}）" if p.path and p.label else p.path
    return scrub(f"{head}: {p.message}" if head else p.message)


def _ineligible(case) -> tuple[str, ...]:
    """Why ``case`` is outside 第二条 today (each reason cites its article); () when eligible."""
    from formkit.facts import derive

    try:
        return derive(case, date.today()).eligibility.reason_texts
    except InvalidValue as exc:  # a checked record derives; say so rather than hide it
        return (str(exc),)


@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(), metavar="案卷...")
@click.option("--as-of", "as_of", metavar="年-月-日", help="按哪一天计算（默认今天）。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（供其他程序使用）。")
def explain(cases: tuple[str, ...], as_of: str | None, as_json: bool) -> None:
    """逐条说明政策对每份案卷的结论，并注明依据的条款。

    包括：是否符合条件（第二条）、申请报送和联系落实岗位的部门（第四、五条）、服务期满几周年
    （第十三条）、应进行的考核鉴定（第九条）、工作岗位补贴（第十、十一、十三条，金额含大写）。
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
FORM_WORDS = {
    "附件2": "application", "申请登记表": "application", "申请表": "application", "附件二": "application",
    "服务协议": "agreement", "服务协议书": "agreement", "协议": "agreement", "协议书": "agreement",
    "附件3": "appraisal", "考核鉴定表": "appraisal", "鉴定表": "appraisal", "附件三": "appraisal",
}
"""What a clerk types for ``--forms``: the 附件 number or the form's name."""
FORMS_SHOWN = "附件2（申请登记表，application）、服务协议（agreement）、附件3（考核鉴定表，appraisal）"
LEVEL_WORDS = {"县": "county", "县级": "county", "县（市、区）": "county", "县(市、区)": "county",
               "州": "prefecture", "市": "prefecture", "州市": "prefecture", "州（市）": "prefecture",
               "州(市)": "prefecture", "州级": "prefecture", "州（市）级": "prefecture",
               "省": "province", "省级": "province"}
KIND_WORDS = {"案卷": "case", "案卷记录": "case", "记录": "case", "需求": "demand", "需求信息表": "demand",
              "需求表": "demand", "附件1": "demand", "名单": "roster", "人员名单": "roster"}


def _split_option(value: str, allowed: tuple[str, ...], option: str) -> tuple[str, ...]:
    return words(value, {}, allowed, option, "、".join(allowed))


def _forms(value: str) -> tuple[str, ...]:
    return words(value, FORM_WORDS, PERSON_FORMS, "--forms", FORMS_SHOWN)


def _record_files(paths: tuple[str, ...]) -> list[Path]:
    from formkit.load import record_files

    files = record_files(paths)
    if not files:
        raise UsageError("没有找到任何 .yaml 记录文件")
    return files


def _report(outcome) -> None:
    for problem in outcome.problems:
        _echo_err(str(problem))


def _summary(outcomes, what: str, remade: frozenset[str] = frozenset()) -> tuple[str, int]:
    failed = sum(o.unsuccessful for o in outcomes)
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
    outdated = sorted({t for r in results for t in r.outdated} - remade)  # remade: by this very run
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
_ALLOW_INELIGIBLE = click.option(
    "--allow-ineligible", "allow_ineligible", is_flag=True,
    help="不符合第二条的人员也生成附件2 申请登记表和服务协议（默认不予生成，该记录计为失败）；输出中逐人注明。")
_WAIT = click.option("--wait", "wait", metavar="秒数", default=30.0, show_default=True, type=float,
                     help="输出目录被另一进程占用时最多等待的秒数。")


@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(), metavar="案卷...")
@_OUT
@click.option("--format", "formats", metavar="格式", default="docx,pdf", show_default=True, help="docx、pdf 或两者。")
@click.option("--forms", "forms", metavar="文书", default=",".join(PERSON_FORMS), show_default=True,
              help="生成哪些文书，可用逗号组合：附件2（申请登记表、application）、服务协议（协议、agreement）、"
                   "附件3（考核鉴定表、appraisal），如 --forms 附件2,服务协议。")
@_ALLOW_INELIGIBLE
@_FORCE
@_WAIT
def render(cases: tuple[str, ...], out: str, formats: str, forms: str, allow_ineligible: bool, force: bool,
           wait: float) -> None:
    """生成每个人的文书：每份（联）一个 .docx，每种文书一个可直接打印的 PDF。

    文件写到 OUT/<此人的文件夹>/（首次生成时按记录文件命名），如
    申请登记表_张三_第1份_申请人.docx 和 申请登记表_张三.pdf；每条已记录的考核鉴定都生成
    附件3。只重新生成内容有变化的文书；更正后的文书为下一版，已出具的旧版移入
    superseded/v<N>/。有误的记录会报告（文件、行、字段），其余记录照常生成；有失败时退出码为 1。

    不符合第二条的人员（不能签订协议）不生成附件2 和服务协议，列出原因及条款，计为失败；附件3
    照常生成（记录的是已完成的服务）。加 --allow-ineligible 则仍然生成，并逐人注明。
    """
    from formkit.jobs.persons import Selection, run
    from formkit.output.ledger import Ledger

    selection = Selection(_forms(forms), _split_option(formats, ("docx", "pdf"), "--format"))
    files = _record_files(cases)
    out_root = Path(out)
    with Ledger.open(out_root, wait=wait) as ledger:

        def done(outcome) -> None:
            _report(outcome)
            r = outcome.result
            if r is not None:
                extra = f"，撤回 {r.withdrawn}" if r.withdrawn else ""
                note = ""
                if outcome.ineligible_allowed:
                    note = "；不符合第二条，按 --allow-ineligible 仍生成"
                elif outcome.refused:
                    note = "；不符合第二条，未生成申请登记表、服务协议"
                click.echo(f"{outcome.path} → {out_root / outcome.folder}/（新 {r.new}，更正 {r.corrected}，"
                           f"未变 {r.unchanged}{extra}）{note}")

        outcomes = run(ledger, files, selection, date.today(), force=force, allow_ineligible=allow_ineligible,
                       on_done=done)
    text, failed = _summary(outcomes, "生成")
    click.echo(text)
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(), metavar="案卷...")
@click.option("--forms", "forms", metavar="文书", default="appraisal", show_default=True,
              help="打印哪些文书，可用逗号组合：附件3（考核鉴定表、appraisal）、附件2（申请登记表、application）、"
                   "服务协议（协议、agreement），如 --forms 附件3。")
@click.option("--year", "year", metavar="年度", type=YEAR, help="只打印该年度的文书（附件3：考核期间结束的年度；其他：协议签订年度）。")
@click.option("--jobs", "jobs", metavar="进程数", type=click.IntRange(min=0), default=0,
              help="并行进程数（0 或不填：CPU 核数）。")
@_OUT
@_ALLOW_INELIGIBLE
@_FORCE
@_WAIT
@click.option("--no-progress", is_flag=True, help="不显示进度条。")
def batch(cases: tuple[str, ...], forms: str, year: int | None, jobs: int, out: str, allow_ineligible: bool,
          force: bool, wait: float, no_progress: bool) -> None:
    """批量打印：生成所有记录的所选文书，并合成一个打印用 PDF。

    每个人的文件同 formkit render；另写 OUT/print/<表名>_<年度>_打印.pdf：全部文书的全部份数
    依次排列，每份从奇数页开始（插入的空白页印有「此页无正文」），便于双面打印；只有其中某份
    文书有变化时才重新合成。多进程并行并显示进度条；有误的记录会报告（文件、行、字段），
    其余照常生成（此时退出码为 1）。按 Ctrl-C 或进程被终止时，已写出的文件都是完整的，
    发文登记与之一致。

    不符合第二条的人员不生成附件2 和服务协议（同 formkit render；--allow-ineligible 则仍生成）。
    """
    import os
    import signal

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from formkit.forms import load_form
    from formkit.jobs.persons import Selection, print_job, run
    from formkit.load.records import display_path
    from formkit.output.ledger import Ledger

    selection = Selection(_forms(forms), ("docx", "pdf"), year)
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
                    if outcome.unsuccessful or outcome.ineligible_allowed:
                        head = "[red]失败[/red]" if outcome.unsuccessful else "[yellow]不符合第二条，仍生成[/yellow]"
                        progress.console.print(f"{head} {display_path(outcome.path)}", highlight=False, soft_wrap=True)
                        for problem in outcome.problems:
                            progress.console.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
                    progress.advance(task)

                outcomes = run(ledger, files, selection, date.today(), jobs=jobs, force=force,
                               allow_ineligible=allow_ineligible, on_done=done)
            names = "、".join(load_form(f).short_title for f in selection.forms)
            job_name = f"{names}_{year or '全部'}_打印"
            job = print_job(ledger, job_name, outcomes, force=force)
    except KeyboardInterrupt:
        _echo_err("已中断：已写出的文件都是完整的，发文登记与之一致；重新运行会从中断处继续。")
        sys.exit(130)
    text, failed = _summary(outcomes, "批量生成", frozenset({job_name}) if job.path is not None else frozenset())
    click.echo(text)
    if job.path is not None:
        state = "已生成" if job.written else "未变（各文书均未更改，未重新合成）"
        click.echo(f"打印文件：{job.path}（{job.documents} 份文书，共 {job.pages} 页，其中插入空白页 {job.blanks} 页；{state}）")
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("case", type=click.Path(exists=True, dir_okay=False), metavar="案卷")
@_OUT
def diff(case: str, out: str) -> None:
    """列出记录自文书出具以来改动了什么，以及哪些文书会因此更正。

    把记录与发文登记（OUT/ledger.jsonl）中最近一次出具时保存的内容比较：列出每个改动的字段
    （中文名称、原值和新值；身份证号码和手机号码打码，并说明改动的是第几位），再按出具时的
    文件名列出重新生成时会更正的文书。没有改动时退出码为 0，否则为 1。
    """
    from formkit.jobs.diff import record_diff

    lines, changed = record_diff(Path(case), Path(out), date.today())
    for line in lines:
        click.echo(line)
    sys.exit(1 if changed else 0)


@main.command()
@click.argument("kind", type=Words(["case", "demand"], KIND_WORDS, "案卷|需求|case|demand"), default="case",
                metavar="[种类]")
def schema(kind: str) -> None:
    """输出案卷记录（case/案卷）或需求信息表（demand/需求）的 JSON Schema，供编辑器自动补全。"""
    from formkit.model import Case, DemandList

    model = Case if kind == "case" else DemandList
    doc = model.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


@main.command()
@click.argument("kind", type=Words(["case", "demand", "roster"], KIND_WORDS, "案卷|需求|名单|case|demand|roster"),
                metavar="种类")
@click.option("--out", "out", type=click.Path(dir_okay=False),
              help="写入文件（已存在则拒绝）；需求信息表写成 .xlsx 时为待填写的空白 Excel 表；名单只能写成 .xlsx。")
def new(kind: str, out: str | None) -> None:
    """输出（或写入文件）一份带注释的空白记录：案卷（case）、需求信息表（demand）或人员名单（roster）。

    例如 formkit new 案卷 > data/cases/张三.yaml，或 formkit new 需求 --out 需求.yaml；
    formkit new 需求 --out 需求.xlsx 写出空白的附件1 Excel 表（含下拉选项和「说明」工作表）；
    formkit new 名单 --out 名单.xlsx 写出空白的人员名单 Excel 表（每人一行，供 formkit import 导入）。
    """
    from importlib import resources

    blank_xlsx = out is not None and Path(out).suffix.lower() == ".xlsx"
    if kind == "roster" and not blank_xlsx:
        raise UsageError("人员名单是 Excel 表：请用 --out 名单.xlsx 指定要写出的 .xlsx 文件")
    if blank_xlsx and kind == "case":
        raise UsageError("案卷不能写成 .xlsx；多人的基本信息请用 formkit new 名单 --out 名单.xlsx，单个案卷请写成 .yaml")
    if out is None:
        text = (resources.files("formkit") / "data" / f"new_{kind}.yaml").read_text("utf-8")
        click.echo(text, nl=False)
        return
    target = Path(out)
    if target.exists():
        raise UsageError(f"{target} 已存在，不覆盖")
    from formkit.atomic import write_atomic

    if kind == "roster":
        from formkit.render.xlsx import write_blank_roster_xlsx

        data = write_blank_roster_xlsx()
    elif blank_xlsx:
        from formkit.forms import load_form
        from formkit.render.xlsx import write_blank_demand_xlsx

        data = write_blank_demand_xlsx(load_form("demand"))
    else:
        data = (resources.files("formkit") / "data" / f"new_{kind}.yaml").read_text("utf-8").encode("utf-8")
    write_atomic(target, data)
    click.echo(f"已写入 {target}")


@main.command("import")
@click.argument("roster", type=click.Path(dir_okay=False), metavar="名单.xlsx")
@click.option("--into", "into", default="data", show_default=True, type=click.Path(file_okay=False),
              help="数据目录：在其中按公民身份号码查找已有记录；新记录写到其中的 cases/ 子目录（没有则写到该目录）。")
@click.option("--yes", "-y", "yes", is_flag=True, help="不询问，直接写入（名单无误时）。")
def import_roster(roster: str, into: str, yes: bool) -> None:
    """从人员名单（Excel，formkit new 名单 生成的模板）导入：每人一份 YAML 案卷记录。

    先逐行列出将要做什么：新建（名单不含简历、业绩等，新记录为草稿，在工作台补齐）、更新（已有
    同一公民身份号码的记录：列出改动的项目，空着的单元格不改原有内容）、无变化或有误；有误的单元格
    全部按「名单!F6 公民身份号码（公民身份号码）: …」列出，此时不写入任何文件（退出码为 1）。
    无误时询问「确认写入？」，回答 y 才写入（--yes 不询问）。文件名为姓名拼音（如 ma-jun.yaml），
    重名时加 -2、-3，不会覆盖别人的记录。
    """
    from formkit.jobs.roster_import import apply_import, plan_import

    plan = plan_import(roster, into)
    for problem in plan.problems:
        _echo_err(str(problem))
    actions = {"new": "新建", "update": "更新", "unchanged": "无变化", "error": "有误"}
    for row in plan.rows:
        who = f"{row.name or '（无姓名）'}" + (f"（{row.id_masked}）" if row.id_masked else "")
        line = f"第{row.row}行 {who}：{actions[row.action]}"
        if row.path is not None and row.action != "error":
            line += f" {row.path}"
        if row.action in ("new", "update") and row.draft:
            line += "（草稿" + (f"；待填写：{'、'.join(row.missing)}" if row.missing else "") + "）"
        click.echo(line)
        for change in row.changes:
            click.echo(f"    {change}")
        for problem in row.problems:
            _echo_err(f"    {problem}" if not problem.is_error else str(problem))
    click.echo(plan.summary())
    if not plan.ok:
        _echo_err(f"名单有 {len(plan.errors)} 处错误，未写入任何文件；请改正后重新导入")
        sys.exit(1)
    if not plan.count("new") and not plan.count("update"):
        click.echo("没有需要写入的内容。")
        return
    if not yes:
        try:
            confirmed = click.confirm("确认写入？", default=False)
        except click.exceptions.Abort:
            confirmed = False
        if not confirmed:
            click.echo("未写入任何文件。")
            return
    results = apply_import(plan)
    click.echo(f"已写入 {sum(r.written for r in results)} 份记录（其中草稿 {sum(r.draft for r in results)} 份）；"
               f"草稿补齐后用 formkit check 检查。")


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(), metavar="需求表...")
@click.option("--level", "level", required=True,
              type=Words(["county", "prefecture", "province"], LEVEL_WORDS, "县|州|省|county|prefecture|province"),
              help="汇总到哪一级：县（county）、州（市）（州、州市、prefecture）或省（province）。")
@click.option("--division", "division", metavar="代码", help="县或州（市）的行政区划代码；只涉及一个时可省略。")
@click.option("--year", "year", metavar="年度", required=True, type=YEAR, help="年度。")
@click.option("--out", "out", default="output", show_default=True, type=click.Path(file_okay=False), help="输出目录。")
@click.option("--format", "formats", metavar="格式", default="docx,pdf,xlsx", show_default=True, help="docx、pdf、xlsx 的任意组合。")
@click.option("--reported-on", "reported_on", metavar="年-月-日", help="州（市）、省级表的填报时间（默认留空待填）。")
@click.option("--filled-by", "filled_by", metavar="姓名", help="州（市）、省级表的填表人（默认留空）。")
@click.option("--reviewed-by", "reviewed_by", metavar="姓名", help="州（市）、省级表的审核人（默认留空）。")
@click.option("--phone", "phone", metavar="电话", help="州（市）、省级表的联系电话（默认留空）。")
@click.option("--accept-computed-total", "accept_computed_total", is_flag=True,
              help=".xlsx 中填写的小计、合计与各行之和不符时，采用各行之和（只警告，不报错）。")
@_FORCE
@_WAIT
def demand(sources: tuple[str, ...], level: str, division: str | None, year: int, out: str, formats: str,
           reported_on: str | None, filled_by: str | None, reviewed_by: str | None, phone: str | None,
           accept_computed_total: bool, force: bool, wait: float) -> None:
    """生成县、州（市）或省级的附件1 需求信息表（第三条），格式为 .docx、PDF 和 .xlsx。

    需求表 为各县的需求信息表：YAML 文件或县里报送的 .xlsx（文件或文件夹），也可以是 formkit
    生成的州（市）级汇总表 .xlsx（按其中各县读回）。州（市）级和省级表把 --division 下属各县
    的岗位合并，按行政区划代码排序，每县、每州（市）有小计行，最后是合计行。有误的需求表按
    formkit check 的格式报告（.xlsx 按单元格，如「文件.xlsx: 附件1!K6」），此时不写出任何文件
    （退出码为 1）。.xlsx 中填写的合计与各行之和不符是错误，加 --accept-computed-total 则采用
    各行之和。
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
            raise UsageError(f"--reported-on 应为 年-月-日（如 2026-03-05），实为 {reported_on[:30]!r}")
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
                            reporting=reporting, force=force, accept_computed_total=accept_computed_total)
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
@click.argument("cases", nargs=-1, required=True, type=click.Path(), metavar="案卷...")
@click.option("--prefecture", "prefecture", required=True, metavar="代码", help="州（市）的行政区划代码，如 532500。")
@click.option("--year", "year", metavar="年度", required=True, type=YEAR, help="申报年度。")
@click.option("--out", "out", default="output", show_default=True, type=click.Path(file_okay=False), help="输出目录。")
@click.option("--as-of", "as_of", metavar="年-月-日", help="按哪一天计算（默认该年12月31日，未到则今天）。")
@click.option("--format", "formats", metavar="格式", default="docx,pdf,xlsx", show_default=True, help="名册和申报表的格式。")
@click.option("--no-bundle", "no_bundle", is_flag=True, help="不生成附申请登记表和考核鉴定表的合订 PDF。")
@click.option("--jobs", "workers", metavar="进程数", type=click.IntRange(min=1),
              help="生成合订本的并行进程数（默认 CPU 核数）。")
@click.option("--workers", "workers", type=int, hidden=True, help="同 --jobs（旧名）。")
@_FORCE
@_WAIT
def declare(cases: tuple[str, ...], prefecture: str, year: int, out: str, as_of: str | None, formats: str,
            no_bundle: bool, workers: int | None, force: bool, wait: float) -> None:
    """生成州（市）某年度的附件4 期满人员名册和附件5 岗位补贴申报表（第十条），以及合订本。

    列入本年度由本州（市）申报、考核期已满且考核合格的人员及本次核发的年数，按县汇总，金额含
    大写。写出两张表的 .docx/.pdf/.xlsx、按归档顺序合订的 PDF（名册、申报表，然后是每人的附件2
    和附件3），以及未列入人员的说明（谁未列入、原因、依据条款），说明也输出到屏幕。有任何一份
    记录有误时不生成申报材料（退出码为 1）。草稿（尚未完成的记录）不列入，逐份说明，其余照常
    申报（退出码为 1）。
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
    for line in result.drafts:
        _echo_err(line)
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
    if result.drafts:
        _echo_err(f"有 {len(result.drafts)} 份草稿未列入申报（见上）")
        sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="数据目录...")
@click.option("--year", "year", metavar="年度", type=YEAR, help="哪一年的待办（默认今年）。")
@click.option("--as-of", "as_of", metavar="年-月-日", help="按哪一天计算（默认今天）。")
@click.option("--ics", "ics", metavar="文件", type=click.Path(dir_okay=False),
              help="同时写出 iCalendar 日历文件（.ics，可导入 Outlook、手机日历等）。")
def calendar(paths: tuple[str, ...], year: int | None, as_of: str | None, ics: str | None) -> None:
    """列出一年中到期的事项（第三、九、十条），可另存为 .ics 日历。

    包括：需求信息的各个日期（第三条：年初征集，3月初县级公布并上报，4月初州（市）报省，5月初省级
    公布）；服务期满、考核期已结束但记录中尚无考核鉴定结果的人员（第九条，附件3，由服务地县级
    人力资源和社会保障部门填写；往年未做的也列出，标为已到期）；各州（市）当年年底前的补贴申报
    （第十条，附件4、附件5，并说明目前可列入的人数）。草稿不计入；有误的记录会报告（退出码为 1）。
    """
    from formkit.jobs.calendar import due_items, item_line, write_ics
    from formkit.load import load_case, record_files, record_kind

    day = _as_of(as_of)
    year = year or day.year
    cases, failed, drafts = [], 0, 0
    for file in record_files(paths):
        if record_kind(file) != "case":
            continue
        loaded = load_case(file)
        if loaded.draft:
            drafts += 1
        elif loaded.record is None:
            failed += 1
            for problem in loaded.errors:
                _echo_err(str(problem))
        else:
            cases.append((file, loaded.record))
    items = due_items(cases, year, day)
    click.echo(f"{year}年待办（按 {day} 计；{len(cases)} 份记录）：")
    for item in items:
        click.echo(f"  {item_line(item)}")
    overdue = sum(i.state == "overdue" for i in items)
    tail = f"共 {len(items)} 项，其中已到期尚无结果 {overdue} 项"
    if drafts:
        tail += f"；{drafts} 份草稿未计入"
    if failed:
        tail += f"；{failed} 份记录有误，未计入"
    click.echo(tail)
    if ics:
        from formkit.atomic import write_atomic

        write_atomic(Path(ics), write_ics(items, year, day))
        click.echo(f"已写入日历 {ics}")
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("data_dir", default="data", type=click.Path(file_okay=False), metavar="[记录目录]")
@click.option("--out", "out", default="output", show_default=True, type=click.Path(file_okay=False),
              help="文书输出目录（发文登记在 OUT/ledger.jsonl），与 formkit render 相同。")
@click.option("--host", "host", default="127.0.0.1", show_default=True,
              help="监听地址；不是本机地址（127.0.0.1）时必须设定 --password。")
@click.option("--port", "port", default=8765, show_default=True, type=click.IntRange(1, 65535), help="端口。")
@click.option("--password", "password", metavar="密码",
              help="登录密码（也可用环境变量 FORMKIT_DESK_PASSWORD）；设定后每个页面都要先登录。")
@click.option("--open", "open_browser", is_flag=True, help="启动后打开浏览器。")
def serve(data_dir: str, out: str, host: str, port: int, password: str | None, open_browser: bool) -> None:
    """启动工作台：在浏览器里录入、检查、预览和生成文书。

    记录目录 默认为 data（人员记录在其中的 cases/ 下）。启动后输出网址（默认
    http://127.0.0.1:8765/），在浏览器中打开即可；按 Ctrl-C 停止。工作台读写的是同一批 YAML
    记录和同一个发文登记，与命令行的 check、render、diff 结果一致。
    """
    from formkit.desk.server import serve as run_desk

    run_desk(Path(data_dir), Path(out), host, port, password, open_browser, echo=click.echo)


@main.command("forms")
@click.option("--copy", "copy_to", metavar="目录", type=click.Path(file_okay=False),
              help="把全部表单（模板）复制到新目录，供在 Word/WPS 中修改。")
def forms_folder(copy_to: str | None) -> None:
    """显示表单（模板）所在的文件夹；--copy 目录 复制一份供修改。

    表单随 formkit 安装。要修改模板：先运行 formkit forms --copy 我的表单，在 Word 或 WPS 中
    修改副本，再把环境变量 FORMKIT_FORMS 设为该文件夹；此后 formkit 的所有命令都使用这份副本。
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
@click.argument("forms", nargs=-1, type=click.Path(), metavar="[表单]...")
@click.option("--as", "as_form", metavar="表单名", help="检查单个模板文件时，按哪个表单的数据检查（如 application）。")
@click.option("--quiet", "-q", is_flag=True, help="只输出错误，不输出警告。")
def lint(forms: tuple[str, ...], as_form: str | None, quiet: bool) -> None:
    """检查表单的 Word 和 HTML 模板（不指定时检查全部表单）。

    表单 为表单名（如 application）、表单文件夹或模板文件（.docx/.html；不在表单文件夹中时用
    --as 表单名 指定按哪个表单检查）。查找被 Word 拆开或格式不一的标签、不成对的 {{ }} / {% %}、
    位置不对的 {%tr %} 行循环、数据中没有的字段——正文、表格、文本框、页眉页脚都查——并说明
    位置（如「第1个表格第3行第2列「…」」）。没有错误时退出码为 0（可有警告），否则为 1。
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
