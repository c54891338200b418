"""Named choices: every selectable thing (model, activation, target, law, device...) lives in a
Registry keyed by a stable name. A selectbox lists `names()`, the URL stores the key, and a bad key
gets one clear message listing the valid ones. No if/elif chains on strings anywhere else."""
from __future__ import annotations

from typing import Callable, Generic, Iterator, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """An ordered name -> entry map with a one-line help text per entry."""

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, T] = {}
        self._help: dict[str, str] = {}

    def add(self, name: str, item: T, help: str = "") -> T:
        if name in self._items:
            raise ValueError(f"duplicate {self.kind} name {name!r}")
        self._items[name] = item
        self._help[name] = help
        return item

    def register(self, name: str, help: str = "") -> Callable[[T], T]:
        """Decorator form of `add`."""
        return lambda item: self.add(name, item, help)

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise KeyError(f"unknown {self.kind} {name!r}; choose one of: {', '.join(self._items)}") from None

    def help(self, name: str) -> str:
        self.get(name)  # raises the clear error for a bad name
        return self._help[name]

    def names(self) -> list[str]:
        return list(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)
