"""Jinja/docxtpl tags in template text: scanning, block balance, docxtpl's row/paragraph/cell tags."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any





# --------------------------------------------------------------------------- tags


_TAG_OPEN = {"{{": "}}", "{%": "%}", "{#": "#}"}
_PREFIX_RE = re.compile(r"^\{([%{#])(tr|tc|p|r) ")
_FULLWIDTH_RE = re.compile(r"[｛{][｛{％%#＃]|[％%#＃｝}][｝}]")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
OPENERS = {"for", "if", "macro", "call", "filter", "with", "block", "raw", "autoescape", "set", "trans"}
MIDDLES = {"elif": ("if",), "else": ("if", "for"), "pluralize": ("trans",)}


@dataclass
class Tag:
    """A Jinja tag found in a template: its ``text`` as written, the ``jinja`` Jinja sees (docxtpl
    prefix and curly quotes removed), the docxtpl ``prefix`` (``tr``/``tc``/``p``/``r`` or ""),
    ``kind`` (``{{``, ``{%`` or ``{#``), the block ``keyword`` (``for``, ``endfor`` …), where it is,
    and for Word the paragraph element it stands in."""

    text: str
    where: str
    jinja: str = ""
    prefix: str = ""
    kind: str = "{{"
    keyword: str = ""
    para: Any = None

    def __post_init__(self) -> None:
        text = self.text.translate(_QUOTES)
        self.kind = text[:2]
        m = _PREFIX_RE.match(text)
        if m:
            self.prefix = m[2]
            text = text[:2] + " " + text[m.end():]
        self.jinja = text
        if self.kind == "{%":
            inner = text[2:-2].strip("-+ \t")
            self.keyword = inner.split(None, 1)[0] if inner.split() else ""
            if self.keyword == "set" and "=" not in inner:
                self.keyword = "set-block"
            if self.keyword in ("vm", "hm"):  # docxtpl merge markers, removed before Jinja sees them
                self.jinja = ""
            elif self.keyword in ("colspan", "cellbg"):
                self.jinja = "{{ " + inner.split(None, 1)[1] + " }}" if len(inner.split()) > 1 else ""

    @property
    def opener(self) -> str | None:
        """The block this tag opens (``for``), or ``None``."""
        if self.keyword == "set-block":
            return "set"
        return self.keyword if self.keyword in OPENERS - {"set"} else None

    @property
    def end_tag(self) -> str:
        """The tag that closes this block, as it must be written (``{%p endif %}``)."""
        return f"{{%{self.prefix or ''} end{self.opener} %}}" if self.prefix else f"{{% end{self.opener} %}}"

    @property
    def closes(self) -> str | None:
        return self.keyword[3:] if self.keyword.startswith("end") and len(self.keyword) > 3 else None


def scan_text(text: str, *, strays: bool = True) -> tuple[list[tuple[int, int]], list[tuple[int, str]]]:
    """The tags in ``text`` as ``(start, end)`` spans, and the faults as ``(offset, message)``:
    an opening ``{{`` ``{%`` ``{#`` without its closing, a closing without an opening (unless
    ``strays`` is false: in HTML, CSS such as ``a{width:100%}`` or ``@media{p{…}}`` has them),
    full-width braces."""
    spans: list[tuple[int, int]] = []
    faults: list[tuple[int, str]] = []
    i = 0
    while i < len(text):
        opens = [(text.find(o, i), o) for o in _TAG_OPEN if text.find(o, i) >= 0]
        closes = [(text.find(c, i), c) for c in set(_TAG_OPEN.values()) if text.find(c, i) >= 0]
        start, opener = min(opens) if opens else (-1, "")
        stray = min(closes) if closes else (-1, "")
        if stray[0] >= 0 and (start < 0 or stray[0] < start):
            if strays:
                faults.append((stray[0], f"多出一个「{stray[1]}」：前面没有与它配对的「{_opening(stray[1])}」"))
            i = stray[0] + 2
            continue
        if start < 0:
            break
        end = text.find(_TAG_OPEN[opener], start + 2)
        if end < 0:
            faults.append((start, f"「{opener}」没有对应的「{_TAG_OPEN[opener]}」：标记不完整，或被拆到了下一段"))
            break
        spans.append((start, end + 2))
        i = end + 2
    wide = [m for m in _FULLWIDTH_RE.finditer(text) if any(ord(ch) > 0xFF for ch in m[0])]
    if wide:
        shown = "".join(f"「{m[0]}」" for m in wide)
        faults.append((wide[0].start(), f"{shown}用了全角括号或百分号，不会被当作标记：标记只能用半角的 {{ }} %"
                                        "（切换到英文输入法重新输入）"))
    return spans, faults


def _opening(closer: str) -> str:
    return {v: k for k, v in _TAG_OPEN.items()}[closer]


def check_blocks(tags: list[Tag]) -> list[tuple[Tag, str]]:
    """Faults of the block structure: closings without an opening, crossed blocks, unclosed
    blocks, ``else``/``elif`` outside their block. Returns ``(tag, message)`` pairs."""
    faults: list[tuple[Tag, str]] = []
    stack: list[Tag] = []
    in_raw = False
    for tag in tags:
        if tag.kind != "{%":
            continue
        if in_raw:
            if tag.keyword == "endraw":
                in_raw = False
                stack.pop()
            continue
        if tag.opener:
            stack.append(tag)
            in_raw = tag.opener == "raw"
        elif tag.keyword in MIDDLES:
            if not stack or stack[-1].opener not in MIDDLES[tag.keyword]:
                inside = "、".join(f"{{% {k} %}}" for k in MIDDLES[tag.keyword])
                faults.append((tag, f"「{tag.text}」不在 {inside} … {{% end… %}} 之内"))
        elif tag.closes:
            if not any(t.opener == tag.closes for t in stack):
                faults.append((tag, f"「{tag.text}」前面没有与它配对的「{{% {tag.closes} … %}}」"
                                    "（多余的结束标记，或开始标记被删掉了）"))
            else:
                while stack[-1].opener != tag.closes:
                    top = stack.pop()
                    faults.append((top, f"「{top.text}」没有对应的「{top.end_tag}」"
                                        f"（在「{tag.text}」之前应先结束它）"))
                stack.pop()
    for tag in stack:
        faults.append((tag, f"「{tag.text}」没有对应的「{tag.end_tag}」"))
    return faults


def block_groups(tags: list[Tag]) -> list[list[Tag]]:
    """Each well-nested block as its tags: opening, middles (``else``…), closing."""
    groups: list[list[Tag]] = []
    stack: list[list[Tag]] = []
    for tag in tags:
        if tag.kind != "{%":
            continue
        if tag.opener:
            stack.append([tag])
        elif tag.keyword in MIDDLES and stack:
            stack[-1].append(tag)
        elif tag.closes and stack and stack[-1][0].opener == tag.closes:
            group = stack.pop()
            group.append(tag)
            groups.append(group)
    return groups


