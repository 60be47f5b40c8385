"""``formkit diff``: what changed in a record since its person's documents were issued, and
which issued documents a re-render will correct. Reads the ledger, writes nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from formkit.errors import RecordError, UsageError


def record_diff(path: Path, out_root: Path, as_of: date, *, chinese_only: bool = False) -> tuple[list[str], bool]:
    """Lines to print and whether anything changed. Raises ``UsageError`` when the person has
    no issued documents in ``out_root``, ``RecordError`` when the record is invalid.

    A changed field is headed ``applicant.mobile（手机）`` (the path ``formkit check`` and the YAML
    use); with ``chinese_only`` (the desk) by its labels alone, ``学习及工作简历第2项 学习或工作单位``."""
    from formkit.context import document_context
    from formkit.facts import derive
    from formkit.forms import load_form
    from formkit.jobs.persons import document_key, file_names
    from formkit.load import load_case, parse_loc
    from formkit.model import Case, flatten, label_for
    from formkit.output.ledger import Ledger, sha256
    from formkit.plan import plan_documents
    from formkit.render import render_document

    loaded = load_case(path)
    if loaded.record is None:
        raise RecordError(list(loaded.errors))
    record = loaded.record
    ledger = Ledger.read(out_root)
    lines = ["注意：上次运行在出具文书时被中断，下次运行 formkit 时会先补完；以下按补完后的状态比较。"] if ledger.interrupted else []
    person = ledger.person_by_id(record.applicant.id_number) or ledger.person_by_record(str(path.resolve()))
    issued = [d for d in ledger.of_person(person.number) if not d.withdrawn] if person else []
    if person is None or not issued:
        raise UsageError(f"{out_root} 中没有为此人（{path}）出具过文书；请先运行 formkit render")
    now = flatten(record.model_dump(mode="json"))
    # what each current document was issued from: a partial run (--forms, --year) leaves some
    # documents issued from an older state of the record, and their changes still count
    snapshots = [person.snapshots.get(d.meta.get("fields")) or person.fields for d in issued]
    changed: list[str] = []
    for before in sorted(snapshots, key=len, reverse=True):
        keys = list(now) + [k for k in before if k not in now]  # in the order of the record (附件2's)
        for key in keys:
            if now.get(key) != before.get(key) and key not in changed:
                changed.append(key)
                label = label_for(Case, parse_loc(key))
                old, new = before.get(key, "（无）"), now.get(key, "（无）")
                head = chinese_head(parse_loc(key)) if chinese_only else f"{key}（{label}）"
                lines += field_change(head, old, new)
    lines += _old_name_still_written(snapshots, now, chinese_only)
    facts = derive(record, as_of)
    affected = []
    changing: list = []  # (ledger document, its key after a re-render) of what will change
    planned = set()
    for form_id in sorted({d.form for d in issued}):
        for doc in plan_documents(load_form(form_id), record, facts):
            doc_id = f"{person.number}/{doc.identity}"
            planned.add(doc_id)
            entry = ledger.documents.get(doc_id)
            if entry is None or entry.withdrawn:
                affected.append(f"{doc.stem}（新文书）")
                continue
            context = document_context(record, facts, doc)
            key = document_key(record, doc, context, path.parent)
            if entry.key == key:
                continue
            # The inputs changed; the document only if a page shows it: render the cheapest
            # format and compare with what was issued.
            fmt = ("docx",) if "docx" in entry.formats else ("pdf",)
            files = render_document(record, facts, doc, fmt, assets_dir=path.parent, context=context).files
            names = set(file_names(doc, fmt))
            if set(files) != names or any(entry.files.get(n, [None])[0] != sha256(d) for n, d in files.items()):
                affected.append(f"{entry.title}（第 {entry.version} 版 → 第 {entry.version + 1} 版；"
                                f"旧版将移入 superseded/v{entry.version}/）")
                changing.append((entry, key))
    affected += [f"{d.title}（记录中已无此文书；重新生成时移入 superseded/）"
                 for d in sorted(issued, key=lambda d: d.id) if d.id not in planned]
    changing += [(d, None) for d in issued if d.id not in planned]
    outdated = _dependents(ledger, person, changing)
    if not changed and not affected:
        return ["自出具以来没有变化。"], False
    lines.append(f"共 {len(changed)} 个字段有变化；受影响的文书：" + ("；".join(affected) if affected else "无"))
    if outdated:
        lines.append("重新生成后，以下汇总文书将失效（移入 superseded/），需再运行 formkit batch / formkit declare："
                     + "；".join(f"「{t}」" for t in outdated))
    return lines, True


def _old_name_still_written(snapshots: list[dict], now: dict, chinese_only: bool) -> list[str]:
    """After a name correction: the fields whose text still holds the old name (an 意见 written
    「马俊同志……」 is printed as written), one warning line naming them; [] when none."""
    from formkit.load import parse_loc
    from formkit.model import Case, label_for

    name = now.get("applicant.name")
    old_names = {b.get("applicant.name") for b in snapshots} - {name, None, ""}
    lines = []
    for old in sorted(old_names):
        if name and old in name:  # 马俊 → 马俊杰: the new name contains the old one
            continue
        places = [chinese_head(parse_loc(k)) if chinese_only else f"{k}（{label_for(Case, parse_loc(k))}）"
                  for k, v in now.items() if k != "applicant.name" and isinstance(v, str) and old in v]
        if places:
            lines.append(f"注意：姓名已由「{old}」改为「{name}」，但以下文字中仍写着「{old}」，会照原样印在文书上，"
                         "请一并改正：" + "；".join(places))
    return lines


def chinese_head(loc: tuple) -> str:
    """A field's place by its Chinese labels: ``("resume", 1, "unit")`` → ``学习及工作简历第2项
    学习或工作单位``, ``("applicant", "mobile")`` → ``手机``, ``("agreement",
    "applicant_duties", 0)`` → ``乙方（申请人）权利义务第1条``."""
    from formkit.model import Case, label_for

    parts: list[str] = []
    for i, part in enumerate(loc):
        if isinstance(part, int):
            unit = "条" if i == len(loc) - 1 else "项"
            parts[-1:] = [f"{label_for(Case, loc[:i])}第{part + 1}{unit}"]
        elif i == len(loc) - 1 or isinstance(loc[i + 1], int):
            parts.append(label_for(Case, loc[: i + 1]))
    return " ".join(p for p in parts if p)


def _dependents(ledger, person, changing: list) -> list[str]:
    """Titles of the current print jobs and declarations made from a document that will change."""
    refs: dict[str, str | None] = {}
    for doc, key in changing:
        refs[doc.id] = key
        refs[f"{person.id_number}/{doc.id.split('/', 1)[1]}"] = key
    return sorted(d.title for d in ledger.documents.values() if not d.withdrawn and any(
        ref in refs and refs[ref] != key for ref, key in dict(d.meta.get("depends") or {}).items()))


def field_change(head: str, old: str, new: str) -> list[str]:
    """Lines showing one changed field: ``head：old → new`` (masked); for paragraphs, only the
    lines that differ, each marked 原/新 (a one-sentence correction is not lost in a page)."""
    from formkit.privacy import masked_change, scrub

    if "\n" not in old + new and len(old) + len(new) <= 120:
        return [f"{head}：{masked_change(old, new)}"]
    before, after = old.splitlines(), new.splitlines()
    out = [f"{head}：段落有改动（仅列出改动的行）"]
    import difflib

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        out += [f"    原第{i + 1}行：{scrub(before[i])}" for i in range(i1, i2)]
        out += [f"    新第{j + 1}行：{scrub(after[j])}" for j in range(j1, j2)]
    return out

