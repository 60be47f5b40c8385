"""Build the adversarial corpus ``tests/adversarial/*.yaml`` and its manifest
``tests/adversarial_expected.yaml``.

    .venv/bin/python tests/adversarial/make_corpus.py

Each record is the sample ``data/cases/wang-yan.yaml`` with ONE value replaced by a hazard (the
rest of the file, comments included, untouched), so whatever happens is caused by that value.
``HAZARDS`` below is the single source of truth: for each, the field, the value, whether the
character is written literally into the file or as a YAML escape, and what a county office
wants to happen — ``render`` (the value printed exactly as given, in Word and PDF), ``docx``
(Word prints it; the PDF is refused with a ``FontCoverageError`` naming the field) or
``refuse`` (``formkit check`` refuses the record with file, line, field and a clear message) —
with the reason. The 10 MB file is not committed: ``tests/test_adversarial.py`` generates it.

The files are committed (read them to see the hazards); the test regenerates them and compares.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SAMPLE = ROOT / "data" / "cases" / "wang-yan.yaml"
MANIFEST = HERE.parent / "adversarial_expected.yaml"

LONG_UNIT = "云南省昆明市盘龙区白塔路水利水电勘测设计研究院"  # 24 characters
HUNDRED_KB = ("从事水利水电工程设计近二十年，主持大中型水库设计4座、小型水库除险加固设计60余座。" * 1200)[:34_000]


BOMB = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else '哈'}]\n" for i in range(9))
"""Nine levels of nine aliases: 387,420,489 strings once expanded (billion laughs)."""


@dataclass(frozen=True)
class Hazard:
    """One adversarial record: ``path`` (dotted, ``[i]`` for list items) gets ``value``.

    ``raw``: characters written literally into the file (all others that are not printable are
    written as YAML escapes). ``expect``: ``render`` | ``docx`` | ``refuse``. ``form``: the form
    that prints the field. ``fragment``: a part of the refusal message (or of the PDF's
    ``FontCoverageError``). ``why``: the decision.
    """

    name: str
    path: str
    value: str
    expect: str
    why: str
    form: str = "application"
    fragment: str = ""
    raw: str = ""
    prefix: str = ""  # text put before the whole document (the alias bomb)
    literal: str = ""  # the value written as is (a YAML tag), not as a quoted scalar


HAZARDS = [
    # --- XML / HTML specials: escaped by the one Jinja environment, printed exactly
    Hazard("xml-specials", "applicant.name", "张&<三>\"'", "render",
           "& < > \" ' are ordinary text: escaped by the template environment, a county must be able to print them"),
    Hazard("cdata-end", "home_unit.name", "]]>云南省水利]]>设计院", "render", "]]> ends a CDATA section in XML; as text it is harmless"),
    Hazard("xml-tags-in-value", "service.unit", "<w:t>丘北县</w:t><w:br/>水务站", "render",
           "WordprocessingML in a value must print as text, never become markup"),
    Hazard("html-script", "achievements", "<script>alert(1)</script><img src=x onerror=alert(1)> & <b>粗体</b>", "render",
           "HTML in a narrative must print as text in the PDF, never run or load anything"),
    # --- Jinja syntax inside values: data, never template source
    Hazard("jinja-expression", "applicant.name", "{{ 7*7 }}", "render", "a value is data: prints {{ 7*7 }}, not 49"),
    Hazard("jinja-raw", "service_plan", "{% raw %}{{ applicant.id_number }}{% endraw %}{# 注释 #}", "render",
           "{% raw %} and comments in a value print exactly as written"),
    Hazard("jinja-field-reference", "agreement.applicant_duties[0]", "{{ applicant.id_number }}{{ copy_label }}", "render",
           "a value cannot pull another field (the ID number) or the copy label into the document",
           form="agreement"),
    Hazard("docxtpl-markers", "applicant.position", "{_{ 甲 }_} {_% 乙 %_} {%tr for x in y %}", "render",
           "docxtpl's own {_{ }_} escapes and row tags in a value print as typed"),
    Hazard("copy-label-slot", "applicant.name", "〔份数及持有人〕", "render",
           "the text of formkit's copy-label slot in a value prints as typed; only the template's slot is stamped"),
    # --- control characters
    Hazard("control-raw", "applicant.address", "云南省昆明市\x07盘龙区", "refuse",
           "a raw control character (BEL) in the file: refused where it stands", fragment="U+0007", raw="\x07"),
    Hazard("control-escaped", "applicant.address", "\x1b[31m云南省昆明市", "refuse",
           "an escape sequence (\\e) reaching a field: refused, it would corrupt the Word XML", fragment="U+001B"),
    Hazard("nul-escaped", "applicant.name", "王\x00䶮", "refuse", "NUL cannot be stored in XML", fragment="U+0000"),
    Hazard("tab-in-line", "applicant.name", "王\t䶮", "refuse", "a tab in a single-line field", fragment="制表符"),
    Hazard("newline-in-line", "home_unit.name", "云南省水利水电\n勘测设计研究院", "refuse", "a line break in a single-line field",
           fragment="换行"),
    Hazard("tab-newline-in-paragraph", "achievements", "第一行\t制表符\n第二行\n\n　　第四行（全角空格缩进）", "render",
           "tabs, line breaks and blank lines in a narrative are layout the author meant: kept (w:tab, w:br)"),
    Hazard("line-separator-escaped", "achievements", "第一段\u2028第二段", "refuse",
           "U+2028 is a line break Word and PDF treat differently", fragment="U+2028"),
    # --- invisible characters: refused everywhere (single-line and narrative fields)
    Hazard("zero-width-space-name", "applicant.name", "王\u200b䶮", "refuse",
           "an invisible character in a name makes two names that look alike differ (search, de-duplication, "
           "the ID registry): refused, the clerk deletes it", fragment="零宽空格 U+200B", raw="\u200b"),
    Hazard("zero-width-joiner-paragraph", "service_plan", "每月下村\u200d不少于12天", "refuse",
           "zero-width joiners are invisible in a Chinese narrative", fragment="U+200D", raw="\u200d"),
    Hazard("bom-mid-file", "applicant.school", "河海\ufeff大学", "refuse",
           "a byte-order mark pasted into the middle of a file", fragment="U+FEFF", raw="\ufeff"),
    Hazard("soft-hyphen", "applicant.major", "水利\u00ad工程", "refuse", "a soft hyphen is invisible",
           fragment="软连字符", raw="\u00ad"),
    Hazard("rtl-override-name", "applicant.name", "王\u202e䶮", "refuse",
           "a right-to-left override shows the text in another order than it is stored: never in an official form",
           fragment="文字方向控制符 U+202E", raw="\u202e"),
    Hazard("rtl-override-id-like", "applicant.address", "昆明市白塔路\u202e98号", "refuse",
           "bidi overrides can disguise numbers (98 shown as 89)", fragment="U+202E", raw="\u202e"),
    Hazard("bidi-isolate-paragraph", "service_plan", "第一年：\u2066完成评估\u2069。", "refuse",
           "bidi isolates (U+2066–U+2069) reorder text too", fragment="U+2066", raw="\u2066\u2069"),
    Hazard("rlm-mark", "applicant.school", "河海大学\u200f", "refuse", "a right-to-left mark is invisible",
           fragment="U+200F", raw="\u200f"),
    # --- long values
    Hazard("line-2000", "applicant.address", (LONG_UNIT * 100)[:2000], "refuse",
           "2,000 characters in a single-line cell is a paste accident: single-line fields hold at most 200",
           fragment="最多 200 个字，此处有 2000 个字"),
    Hazard("line-200", "applicant.address", (LONG_UNIT * 9)[:200], "render",
           "exactly 200 characters: the longest a single-line field takes, printed whole"),
    Hazard("paragraph-one-line-2000", "achievements", (LONG_UNIT + "，") * 80, "render",
           "a 2,000-character narrative without a line break wraps in Word and PDF"),
    Hazard("field-100kb", "achievements", HUNDRED_KB, "render",
           "100 KB of narrative (34,000 characters) is long but legal: printed whole over many pages"),
    # --- emoji and rare characters
    Hazard("emoji-name", "applicant.name", "王䶮😀", "docx",
           "no PDF font has emoji: the PDF is refused naming the field (no empty box); Word prints it",
           fragment="applicant.name"),
    Hazard("emoji-zwj-sequence", "achievements", "团队👨\u200d👩\u200d👧合影", "refuse",
           "an emoji sequence is glued by zero-width joiners, which are refused", fragment="U+200D", raw="\u200d"),
    Hazard("cjk-ext-b-covered", "applicant.name", "𠮷野", "render",
           "𠮷 (U+20BB7, CJK Extension B) is in Noto CJK: printed"),
    Hazard("cjk-ext-b-uncovered", "applicant.name", "王𪨊", "docx",
           "𪨊 (U+2AA0A) is in no installed font: the PDF is refused naming applicant.name and U+2AA0A; Word prints it",
           fragment="U+2AA0A"),
    Hazard("cjk-ext-b-uncovered-appraisal", "term_appraisals[0].self_summary", "本人在𪨊山村开展技术服务。", "docx",
           "the coverage error names a field deep in the record", form="appraisal",
           fragment="appraisal.self_summary"),
    # --- values used in file names (the person's name is part of every output file name)
    Hazard("name-path-traversal", "applicant.name", "../../../etc/passwd", "render",
           "printed as typed; the file name part becomes safe (no separators, no ..) and stays in the output folder"),
    Hazard("name-backslash", "applicant.name", "..\\..\\王䶮", "render", "Windows separators too"),
    Hazard("name-dotdot", "applicant.name", "..", "render", "a name that is only dots: file name part 未命名"),
    Hazard("name-dot", "applicant.name", ".", "render", "a single dot"),
    Hazard("name-con", "applicant.name", "CON", "render", "a Windows device name: the file name part gets a _ prefix"),
    Hazard("name-nul", "applicant.name", "NUL", "render", "another Windows device name"),
    Hazard("name-reserved-characters", "applicant.name", "王:*?\"<>|䶮", "render",
           "characters Windows forbids in file names: replaced in the file name, printed in the document"),
    # --- personal numbers that must stay masked in every message
    Hazard("id-number-in-ethnicity", "applicant.ethnicity", "5323 2419 7611 0807 54", "refuse",
           "an ID number typed in the wrong field: refused, and masked in the message", fragment="不是56个民族"),
    Hazard("mobile-in-ethnicity", "applicant.ethnicity", "+86 138-8826-5071", "refuse",
           "a mobile number typed in the wrong field: refused, and masked in the message", fragment="不是56个民族"),
    # --- YAML hazards
    Hazard("python-tag", "applicant.name", "", "refuse", "YAML tags could construct objects: refused",
           fragment="不允许使用 YAML 标签", literal='!!python/object/apply:os.system ["echo pwned"]'),
    Hazard("alias-bomb", "applicant.name", "王䶮", "refuse",
           "a billion-laughs alias bomb: refused at its first anchor, before anything expands",
           fragment="不允许使用 YAML 锚点",
           prefix=BOMB),
]


def scalar(value: str, raw: str = "") -> str:
    """``value`` as a double-quoted YAML scalar; characters in ``raw`` are written literally,
    non-printable ones as escapes."""
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch in raw:
            out.append(ch)
        elif ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0:
            out.append(f"\\x{code:02x}")
        elif ch in "\u2028\u2029\ufeff" or 0x200B <= code <= 0x200F or 0x202A <= code <= 0x202E \
                or 0x2066 <= code <= 0x2069 or code == 0xAD:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _node(root: yaml.Node, path: str) -> yaml.Node:
    node = root
    for part in path.replace("]", "").split("."):
        name, *indexes = part.split("[")
        node = next(v for k, v in node.value if k.value == name)
        for index in indexes:
            node = node.value[int(index)]
    return node


def build(h: Hazard, sample: str) -> tuple[str, int]:
    """The record text of ``h`` and the line (1-based) its value starts on."""
    node = _node(yaml.compose(sample), h.path)
    start, end = node.start_mark.index, node.end_mark.index
    new = h.literal or scalar(h.value, h.raw)
    text = sample[:start] + new + sample[end:]
    if not sample[end:].startswith("\n") and isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        text = sample[:start] + new + "\n" + sample[end:]
    return h.prefix + text, h.prefix.count("\n") + node.start_mark.line + 1


def own_id_number(sample: str, index: int) -> str:
    """``sample`` with an ID number of its own (GB 11643: sequence code ``index``, check digit
    recomputed): one person has one record, so every record of the corpus is another person."""
    from stdnum.cn import ric

    old = yaml.safe_load(sample)["applicant"]["id_number"]
    body = old[:14] + f"{10 + index:02d}" + old[16]  # the 17th digit is the sex: kept
    return sample.replace(old, body + ric.calc_check_digit(body + "0"), 1)  # (it ignores the last digit)


def manifest() -> tuple[dict[str, dict], dict[str, str]]:
    base = SAMPLE.read_text("utf-8")
    files: dict[str, str] = {}
    entries: dict[str, dict] = {}
    for index, h in enumerate(HAZARDS):
        sample = own_id_number(base, index)
        text, line = build(h, sample)
        name = f"{h.name}.yaml"
        files[name] = text
        entry: dict = {"field": h.path, "expect": h.expect, "form": h.form, "why": h.why}
        if h.expect == "refuse":
            entry["line"] = 1 if h.prefix else line
            entry["fragment"] = h.fragment
        elif h.expect == "docx":
            entry["pdf_refused"] = h.fragment
        if h.expect != "refuse" and len(h.value) <= 200:
            entry["shown"] = h.value
        entries[name] = entry
    return entries, files


HEADER = """\
# The adversarial corpus: what each record (tests/adversarial/<name>) must do, and why.
# Generated with the records by adversarial/make_corpus.py (edit HAZARDS there, run it, commit both).
#   expect: render — loads, and the Word and PDF documents of `form` show the value exactly as given
#           docx   — loads; Word shows it exactly; the PDF is refused with a FontCoverageError that
#                    names the field (pdf_refused is part of that message)
#           refuse — refused by the loader: a message `file:line… field（标签）: …fragment…`
#   shown:  the value as it must be printed (omitted for values over 200 characters)
"""


def main() -> int:
    entries, files = manifest()
    for name, text in files.items():
        (HERE / name).write_text(text, "utf-8", newline="")
    body = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=120)
    MANIFEST.write_text(HEADER + body, "utf-8")
    print(f"wrote {len(files)} records to {HERE.relative_to(ROOT)} and {MANIFEST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
