"""The shape of a form's context (``Shape``): keys, list items, scalar types — what a template may use."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any





# --------------------------------------------------------------------------- context shapes


class Shape:
    """The union of the values a context position took in the samples: a dict's ``keys``, a
    list's ``item``, the scalar ``types`` seen (``NoneType`` included)."""

    __slots__ = ("keys", "item", "types")

    def __init__(self) -> None:
        self.keys: dict[str, Shape] | None = None
        self.item: Shape | None = None
        self.types: set[type] = set()

    def add(self, value: Any) -> Shape:
        if isinstance(value, dict):
            if self.keys is None:
                self.keys = {}
            for key, item in value.items():
                self.keys.setdefault(str(key), Shape()).add(item)
        elif isinstance(value, (list, tuple)):
            if self.item is None:
                self.item = Shape()
            for item in value:
                self.item.add(item)
        else:
            self.types.add(type(value))
        return self

    def leaves(self, path: str = "") -> Iterator[str]:
        """Every leaf path: ``applicant.name``, ``resume[].unit``, ``agreement.applicant_duties[]``."""
        if self.keys:
            for key in self.keys:
                yield from self.keys[key].leaves(f"{path}.{key}" if path else key)
        if self.item is not None:
            yield from self.item.leaves(f"{path}[]")
        if not self.keys and self.item is None and path:
            yield path

    def has_attr(self, attr: str) -> bool:
        """Whether ``x.attr`` works on some sample (a method of ``str``, ``int``, ``list``, ``dict``)."""
        kinds = {t for t in self.types if t is not type(None)}
        if self.keys is not None:
            kinds.add(dict)
        if self.item is not None:
            kinds.add(list)
        return any(hasattr(kind, attr) for kind in kinds)

    @property
    def is_dict(self) -> bool:
        return self.keys is not None


def context_shape(contexts: list[dict[str, Any]]) -> Shape:
    """The merged shape of sample contexts."""
    shape = Shape()
    for ctx in contexts:
        shape.add(ctx)
    return shape


