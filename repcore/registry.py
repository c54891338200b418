"""Named choices: every selectable thing (model, activation, target, law, device...) lives in a
Registry keyed by a stable name. A selectbox lists `names()`, the URL stores the key, and a bad key
gets one clear message listing the valid ones. No if/elif chains on strings anywhere else.

A registry that backs a RunConfig field says so (`field=`) and is then found by `for_field`, so the
config checks names without importing the modules that fill the registries (the package's
__init__ imports each of them once)."""
from __future__ import annotations

from typing import Generic, Iterator, TypeVar

from .errors import UnknownName

T = TypeVar("T")
_BY_FIELD: dict[str, "Registry"] = {}


class Registry(Generic[T]):
    """An ordered name -> entry map with a one-line help text per entry."""

    def __init__(self, kind: str, field: str | None = None):
        self.kind = kind
        self._items: dict[str, T] = {}
        self._help: dict[str, str] = {}
        if field is not None:
            if field in _BY_FIELD:
                raise ValueError(f"two registries for the config field {field!r}")
            _BY_FIELD[field] = self

    def add(self, name: str, item: T, help: str = "") -> T:
        if name in self._items:
            raise ValueError(f"duplicate {self.kind} name {name!r}")
        self._items[name] = item
        self._help[name] = help
        return item

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except (KeyError, TypeError):
            raise UnknownName(f"unknown {self.kind} {name!r}; choose one of: {', '.join(self._items)}") from None

    def help(self, name: str) -> str:
        self.get(name)  # raises the clear error for a bad name
        return self._help[name]

    def names(self) -> list[str]:
        return list(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)


def for_field(name: str) -> Registry | None:
    """The registry that lists the choices of RunConfig field `name`, if any."""
    return _BY_FIELD.get(name)
