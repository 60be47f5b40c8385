"""``formkit diff``: what changed in a record since its person's documents were issued, and
which issued documents a re-render will correct. Reads the ledger, writes nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from formkit.errors import RecordError, UsageError


def record_diff(path: Path, out_root: Path, as_of: date) -> tuple[list[str], bool]:
    """Lines to print and whether anything changed. Raises ``UsageError`` when the person has
    no issued documents in ``out_root``, ``RecordError`` when the record is invalid."""
    from formkit.context import document_context
    from formkit.facts import derive
    from formkit.forms import load_form
    from formkit.jobs.persons import document_key, file_names
    from formkit.load import load_case, parse_loc
    from formkit.model import Case, flatten, label_for
    from formkit.output.ledger import Ledger, sha256
    from formkit.plan import plan_documents
    from formkit.privacy import masked_change
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
        keys = sorted(set(now) | set(before), key=lambda k: (k not in before, k))
        for key in keys:
            if now.get(key) != before.get(key) and key not in changed:
                changed.append(key)
                label = label_for(Case, parse_loc(key))
                old, new = before.get(key, "（无）"), now.get(key, "（无）")
                lines.append(f"{key}（{label}）：{masked_change(old, new)}")
    facts = derive(record, as_of)
    affected = []
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
            if entry.key == document_key(record, doc, context, path.parent):
                continue
            # The inputs changed; the document only if a page shows it: render the cheapest
            # format and compare with what was issued.
            fmt = ("docx",) if "docx" in entry.formats else ("pdf",)
            files = render_document(record, facts, doc, fmt, assets_dir=path.parent, context=context).files
            names = set(file_names(doc, fmt))
            if set(files) != names or any(entry.files.get(n, [None])[0] != sha256(d) for n, d in files.items()):
                affected.append(f"{entry.title}（第 {entry.version} 版 → 第 {entry.version + 1} 版；"
                                f"旧版将移入 superseded/v{entry.version}/）")
    affected += [f"{d.title}（记录中已无此文书；重新生成时移入 superseded/）"
                 for d in sorted(issued, key=lambda d: d.id) if d.id not in planned]
    if not changed and not affected:
        return ["自出具以来没有变化。"], False
    lines.append(f"共 {len(changed)} 个字段有变化；受影响的文书：" + ("；".join(affected) if affected else "无"))
    return lines, True

