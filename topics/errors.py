"""Errors raised by `topics`, with messages that name the file and the problem.

Every user-facing failure goes through :func:`input_error`, so messages share one shape:
``<file>: <problem>[ (<hint>)]``. The CLI prints them without a traceback.
"""

from __future__ import annotations

from os import PathLike, fsencode


class TopicsError(Exception):
    """Base class of every error `topics` raises on purpose."""


class InputError(TopicsError):
    """A file or setting the user supplied cannot be used."""

    def __init__(self, path: str | PathLike | None, problem: str, hint: str | None = None):
        # a file name that is not UTF-8 is shown escaped (b"\xb0" as \xb0): it can be printed
        self.path = None if path is None else fsencode(path).decode("utf-8", "backslashreplace")
        self.problem = problem
        self.hint = hint
        where = f"{self.path}: " if self.path else ""
        tail = f" ({hint})" if hint else ""
        super().__init__(f"{where}{problem}{tail}")

    def __reduce__(self):  # an error raised in a worker process reaches the parent whole
        return type(self), (self.path, self.problem, self.hint)


class TopicsWarning(UserWarning):
    """Something a researcher should know that does not stop the run (the CLI prints it)."""


class StaleRunError(TopicsError):
    """A saved run was made from inputs or settings that have changed since."""


def input_error(path: str | PathLike | None, problem: str, hint: str | None = None) -> InputError:
    """Build the :class:`InputError` for ``path``; ``raise input_error(...)`` at the call site.

    >>> str(input_error("data/raw/a.txt", "file is empty"))
    'data/raw/a.txt: file is empty'
    """
    return InputError(path, problem, hint)
