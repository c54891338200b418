"""UserError: the one base of every error a user can fix (a setting, an expression, a file, a device).

str() is one line that names what is wrong; the CLI prints it with exit code 2, the dashboard next to
its control. Anything else that escapes is a bug and keeps its traceback."""
from __future__ import annotations


class UserError(ValueError):
    """A rejected input; str() is one line."""


class UnknownName(UserError, KeyError):
    """A name that is not in a registry. A KeyError too (lookups), but printed without KeyError's quotes."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
