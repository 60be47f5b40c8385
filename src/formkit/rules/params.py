"""Policy parameters (rate, minimum years, grades, calendar) read from ``data/policy.yaml``.

The rules in ``formkit.rules`` take a :class:`PolicyParams` argument (default: the packaged
file), so tests and a changed policy can pass other values without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml

from formkit.errors import PolicyParamsError

__all__ = [
    "DeadlineRule",
    "PolicyParams",
    "load_params",
    "params_from_mapping",
]

LEVELS = ("county", "prefecture", "province")


@dataclass(frozen=True)
class DeadlineRule:
    """A yearly deadline: ``level`` ('county' | 'prefecture' | 'province') must do ``action``
    by ``month``/``day`` of the year; ``wording`` is how the policy says it ("3月初")."""

    level: str
    action: str
    month: int
    day: int
    wording: str
    article: str

    def on(self, year: int) -> date:
        """The deadline's date in ``year``."""
        return date(year, self.month, self.day)


@dataclass(frozen=True)
class PolicyParams:
    """Parameters of the policy; see ``data/policy.yaml`` for the article behind each.

    ``subsidy_per_year_yuan`` is in 元 (第二条); ``minimum_years`` (第二、十三条) and
    ``first_payment_years`` (第十一条) are whole anniversary years; ``grade_synonyms`` maps a
    synonym (称职) to the canonical grade (合格). Tests derive variants with
    ``dataclasses.replace(load_params(), ...)``.
    """

    subsidy_per_year_yuan: Decimal
    minimum_years: int
    first_payment_years: int
    passing_grades: tuple[str, ...]
    failing_grades: tuple[str, ...]
    grade_synonyms: Mapping[str, str] = field(hash=False)
    demand_calendar: tuple[DeadlineRule, ...]
    declaration_deadline: DeadlineRule
    demand_collection: DeadlineRule | None = None
    """When the counties start collecting the townships' demand (第三条 每年年初)."""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # pickled with ``Facts`` for the worker processes; a mappingproxy does not pickle, so
        # rebuild through the constructor (which wraps the dict again)
        values = (getattr(self, f.name) for f in fields(self))
        return type(self), tuple(dict(v) if isinstance(v, MappingProxyType) else v for v in values)

    def __post_init__(self) -> None:
        object.__setattr__(self, "grade_synonyms", MappingProxyType(dict(self.grade_synonyms)))
        rate = self.subsidy_per_year_yuan
        if not isinstance(rate, Decimal) or not rate.is_finite() or rate < 0:
            raise PolicyParamsError(f"subsidy_per_year_yuan 应为非负的 Decimal 金额，实为 {rate!r}")
        for name in ("minimum_years", "first_payment_years"):
            value = getattr(self, name)
            if type(value) is not int or value < 1:
                raise PolicyParamsError(f"{name} 应为正整数（周年），实为 {value!r}")
        overlap = set(self.passing_grades) & set(self.failing_grades)
        if overlap:
            raise PolicyParamsError(f"考核等次同时列为合格与不合格：{'、'.join(sorted(overlap))}")
        known = set(self.passing_grades) | set(self.failing_grades)
        for synonym, canonical in self.grade_synonyms.items():
            if synonym not in known or canonical not in known:
                raise PolicyParamsError(f"grade_synonyms 中 {synonym}→{canonical} 含未列出的考核等次")
            if (synonym in self.passing_grades) != (canonical in self.passing_grades):
                raise PolicyParamsError(f"grade_synonyms 中 {synonym}→{canonical} 合格与否不一致")


def _rule(raw: Any, where: str) -> DeadlineRule:
    if not isinstance(raw, dict):
        raise PolicyParamsError(f"{where} 应为映射")
    try:
        rule = DeadlineRule(
            level=str(raw["level"]),
            action=str(raw["action"]),
            month=int(raw["month"]),
            day=int(raw["day"]),
            wording=str(raw["wording"]),
            article=str(raw["article"]),
        )
        rule.on(2000)  # a leap year: accepts every real month/day
    except KeyError as exc:
        raise PolicyParamsError(f"{where} 缺少 {exc.args[0]}") from None
    except (TypeError, ValueError) as exc:
        raise PolicyParamsError(f"{where} 日期无效：{exc}") from None
    if rule.level not in LEVELS:
        raise PolicyParamsError(f"{where}.level 应为 {'/'.join(LEVELS)}，实为 {rule.level!r}")
    return rule


def params_from_mapping(raw: Mapping[str, Any], source: str = "<policy>") -> PolicyParams:
    """Build :class:`PolicyParams` from the parsed YAML mapping; ``source`` names it in errors."""
    try:
        amount = raw["subsidy_per_year_yuan"]
        fields = dict(
            minimum_years=raw["minimum_years"],
            first_payment_years=raw["first_payment_years"],
            passing_grades=tuple(str(g) for g in raw["passing_grades"]),
            failing_grades=tuple(str(g) for g in raw["failing_grades"]),
            grade_synonyms={str(k): str(v) for k, v in (raw.get("grade_synonyms") or {}).items()},
            demand_calendar=tuple(
                _rule(r, f"{source}: demand_calendar[{i}]")
                for i, r in enumerate(raw.get("demand_calendar") or [])
            ),
            declaration_deadline=_rule(
                raw["declaration_deadline"], f"{source}: declaration_deadline"
            ),
            demand_collection=(_rule(raw["demand_collection"], f"{source}: demand_collection")
                               if raw.get("demand_collection") is not None else None),
        )
    except KeyError as exc:
        raise PolicyParamsError(f"{source}: 缺少参数 {exc.args[0]}") from None
    if not isinstance(amount, str):
        raise PolicyParamsError(
            f'{source}: subsidy_per_year_yuan 应写成带引号的字符串（如 "10000"），实为 {amount!r}'
        )
    try:
        rate = Decimal(amount.strip())
    except InvalidOperation:
        raise PolicyParamsError(f"{source}: subsidy_per_year_yuan 不是金额：{amount!r}") from None
    try:
        return PolicyParams(subsidy_per_year_yuan=rate, **fields)
    except PolicyParamsError as exc:
        raise PolicyParamsError(f"{source}: {exc}") from None


@lru_cache(maxsize=8)
def _load(path: Path | None) -> PolicyParams:
    if path is None:
        resource = resources.files("formkit") / "data" / "policy.yaml"
        source, text = "formkit/data/policy.yaml", resource.read_text(encoding="utf-8")
    else:
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyParamsError(f"无法读取政策参数文件 {source}：{exc.strerror}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyParamsError(f"{source}: YAML 格式错误：{exc}") from None
    if not isinstance(raw, dict):
        raise PolicyParamsError(f"{source}: 应为映射")
    return params_from_mapping(raw, source)


def load_params(path: str | Path | None = None) -> PolicyParams:
    """The policy parameters from ``path`` (default: the packaged ``data/policy.yaml``).

    Cached per path: the file is read once per process. Raises :class:`PolicyParamsError`.
    """
    return _load(None if path is None else Path(path))
