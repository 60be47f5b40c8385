"""Professional titles (专业技术职务 / 职称) and their levels (spec §4.6, policy 第二条).

Levels, lowest first: 员级 < 助理级 < 中级 < 副高级 < 正高级 (``TITLE_LEVELS``; ``level_rank``
gives 0–4). The catalogue ``data/titles.yaml`` maps exact title names to levels, lists names
that are ambiguous without their series, and names that are not titles at all (执业医师 is a
practice qualification and belongs in its own field). Lookup is by exact name only — never by
substring: 助理研究员 is 中级 and 小学高级教师 is 中级.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from types import MappingProxyType

import yaml

from formkit.errors import InvalidValue

TITLE_LEVELS: tuple[str, ...] = ("员级", "助理级", "中级", "副高级", "正高级")
_LEVEL_ALIASES = {"副高": "副高级", "正高": "正高级"}
_VALID_LEVELS_TEXT = "、".join(TITLE_LEVELS)


@dataclass(frozen=True)
class _Catalogue:
    levels: Mapping[str, str]  # name → level
    ambiguous: Mapping[str, tuple[tuple[str, ...], str]]  # name → (candidate levels, hint)
    not_titles: Mapping[str, str]  # name → hint


@cache
def _catalogue() -> _Catalogue:
    raw = yaml.safe_load((files("formkit") / "data" / "titles.yaml").read_text(encoding="utf-8"))
    levels: dict[str, str] = {}
    for series, by_level in raw["series"].items():
        for level, names in by_level.items():
            if level not in TITLE_LEVELS:
                raise ValueError(f"titles.yaml: {series}: unknown level {level!r}")
            for name in names:
                if levels.setdefault(name, level) != level:
                    raise ValueError(f"titles.yaml: {name!r} has two levels; list it as ambiguous")
    ambiguous = {
        name: (tuple(entry["levels"]), entry["hint"]) for name, entry in raw["ambiguous"].items()
    }
    clash = (levels.keys() & ambiguous.keys()) | (levels.keys() & raw["not_titles"].keys())
    if clash:
        raise ValueError(f"titles.yaml: names listed twice: {sorted(clash)}")
    return _Catalogue(MappingProxyType(levels), MappingProxyType(ambiguous),
                      MappingProxyType(dict(raw["not_titles"])))


def title_catalogue() -> Mapping[str, str]:
    """Every unambiguous title name → its level (read-only)."""
    return _catalogue().levels


def normalize_level(level: str) -> str:
    """The level name for ``level`` (whitespace removed; ``副高``/``正高`` accepted as short
    forms). Raises ``InvalidValue`` listing the valid levels for anything else."""
    text = re.sub(r"\s+", "", level)
    text = _LEVEL_ALIASES.get(text, text)
    if text not in TITLE_LEVELS:
        raise InvalidValue(f"职称等级「{level}」无效，应为以下之一：{_VALID_LEVELS_TEXT}")
    return text


def level_rank(level: str) -> int:
    """0 for 员级 … 4 for 正高级, so that ranks compare like levels. ``InvalidValue`` if unknown."""
    return TITLE_LEVELS.index(normalize_level(level))


def resolve_title(name: str, explicit_level: str | None) -> str:
    """The level of title ``name`` (exact name, whitespace removed), checked against
    ``explicit_level`` (the record's ``title_level``) when one is given.

    - known name: its level; an explicit level that differs raises ``InvalidValue``;
    - ambiguous name (技师 …): the explicit level, which must be one of its candidates;
      without one raises ``InvalidValue`` (职称名称「技师」有歧义…，请在 title_level 中写明等级);
    - a name that is not a title (执业医师, 高级技师 …) raises ``InvalidValue``;
    - unknown name: the explicit level; without one raises ``InvalidValue``.

    An invalid ``explicit_level`` string raises ``InvalidValue`` listing the valid levels.
    """
    title = re.sub(r"\s+", "", name)
    if not title:
        raise InvalidValue("职称名称为空")
    level = None if explicit_level is None else normalize_level(explicit_level)
    cat = _catalogue()
    if title in cat.not_titles:
        raise InvalidValue(f"「{title}」不是职称：{cat.not_titles[title]}")
    if title in cat.ambiguous:
        candidates, hint = cat.ambiguous[title]
        if level is None:
            raise InvalidValue(
                f"职称名称「{title}」有歧义（可能是{'或'.join(candidates)}：{hint}），"
                "请在 title_level 中写明等级"
            )
        if level not in candidates:
            raise InvalidValue(f"职称「{title}」的等级只能是{'或'.join(candidates)}，不是{level}（{hint}）")
        return level
    known = cat.levels.get(title)
    if known is not None:
        if level is not None and level != known:
            raise InvalidValue(f"职称「{title}」是{known}，与 title_level 写的{level}不符")
        return known
    if level is None:
        raise InvalidValue(
            f"职称名称「{title}」不在职称名称表中，请核对名称，或在 title_level 中写明等级"
            f"（{_VALID_LEVELS_TEXT}）"
        )
    return level
