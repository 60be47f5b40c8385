"""formkit's command line: thin — parse, call the pipeline, print, map errors to exit codes.

Exit codes: 0 all good; 1 some record or template is invalid; 2 usage or environment problem.
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


class _Group(click.Group):
    def invoke(self, ctx: click.Context):  # one place maps formkit errors to exit codes
        try:
            return super().invoke(ctx)
        except FormkitError as exc:
            _echo_err(f"formkit: {exc}")
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="formkit")
def main() -> None:
    """formkit — 云南省专业技术人员到基层服务: records in, official documents out."""


def _as_of(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--as-of 应为 YYYY-MM-DD，实为 {value!r}") from None


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--quiet", "-q", is_flag=True, help="只输出错误和汇总，不输出警告。")
def check(paths: tuple[str, ...], quiet: bool) -> None:
    """Validate case records and demand lists (files or folders).

    Prints every problem as ``file:line:col field（标签）: message``; exits 0 when all records
    are valid, 1 when any is not.
    """
    from formkit.load import iter_record_files, load_record

    try:
        files = iter_record_files(list(paths))
    except FileNotFoundError as exc:
        raise UsageError(f"找不到文件或目录：{exc}") from None
    if not files:
        raise UsageError("没有找到任何 .yaml 记录文件")
    bad = warned = 0
    for file in files:
        loaded = load_record(file)
        for problem in loaded.problems:
            if problem.is_error or not quiet:
                _echo_err(str(problem))
        bad += not loaded.ok
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
    from formkit.load import iter_record_files, load_case

    day = _as_of(as_of)
    try:
        files = iter_record_files(list(cases))
    except FileNotFoundError as exc:
        raise UsageError(f"找不到文件或目录：{exc}") from None
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


@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path())
@click.option("--out", "out", default="output", show_default=True, type=click.Path(file_okay=False),
              help="输出目录；每人一个子目录。")
@click.option("--format", "formats", default="docx,pdf", show_default=True, help="docx、pdf 或两者。")
@click.option("--forms", "forms", default=",".join(PERSON_FORMS), show_default=True,
              help="application（附件2）、agreement（服务协议）、appraisal（附件3）。")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="按哪一天计算（默认今天）。")
def render(cases: tuple[str, ...], out: str, formats: str, forms: str, as_of: str | None) -> None:
    """Render each person's documents: one .docx per copy, one print-ready PDF per document.

    Files go to ``OUT/<record name>/``, e.g. ``申请登记表_张三_第1份_申请人.docx`` and
    ``申请登记表_张三.pdf``. 附件3 is made for every recorded term appraisal. A bad record is
    reported (file, line, field) and the others are still rendered; exit 1 if any failed.
    """
    from formkit.facts import derive
    from formkit.forms import load_form
    from formkit.load import iter_record_files, load_case
    from formkit.plan import plan_documents
    from formkit.render import render_document
    from formkit.write import write_atomic

    fmt = _split_option(formats, ("docx", "pdf"), "--format")
    wanted = _split_option(forms, PERSON_FORMS, "--forms")
    day = _as_of(as_of)
    try:
        files = iter_record_files(list(cases))
    except FileNotFoundError as exc:
        raise UsageError(f"找不到文件或目录：{exc}") from None
    out_root = Path(out)
    failed = written = 0
    for file in files:
        loaded = load_case(file)
        if loaded.record is None:
            failed += 1
            for problem in loaded.errors:
                _echo_err(str(problem))
            continue
        case = loaded.record
        folder = out_root / file.stem
        try:
            facts = derive(case, day)
            for form_id in wanted:
                for doc in plan_documents(load_form(form_id), case, facts):
                    for name, data in render_document(case, facts, doc, fmt).files.items():
                        write_atomic(folder / name, data)
                        written += 1
        except (FormkitError, InvalidValue) as exc:
            failed += 1
            _echo_err(f"{file}: {exc}")
            continue
        click.echo(f"{file} → {folder}/")
    click.echo(f"写入 {written} 个文件；{len(files) - failed} 份记录成功，{failed} 份失败")
    sys.exit(1 if failed else 0)


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
    from formkit.write import write_atomic

    write_atomic(target, text.encode("utf-8"))
    click.echo(f"已写入 {target}")


if __name__ == "__main__":  # pragma: no cover
    main()
