"""Typed settings: values checked against a dataclass's field types, with one-line errors.

Every settings section is a frozen dataclass. :func:`build` makes one from a TOML table (unknown
keys are named with the closest known one); :func:`check_fields` checks an instance's types
(called from ``__post_init__``, so settings built in code are checked too); :func:`require`
states a range. Errors read ``<section>.<key> must be <expected>, not <value>``.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Demo:
...     passes: int = 20
>>> build(Demo, {"pases": 5}, "demo")
Traceback (most recent call last):
topics.errors.InputError: [demo] has unknown setting 'pases' (did you mean 'passes'?) (known: passes)
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from topics.errors import InputError, input_error

_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string",
          Path: "a path (a string)", type(None): "nothing"}  # fmt: skip
_PLURALS = {str: "strings", int: "integers", float: "numbers", Path: "paths"}


def describe(hint: Any) -> str:
    """What a value of type ``hint`` looks like, in words.

    >>> describe(int | Literal["auto"])
    'an integer or "auto"'
    """
    origin = get_origin(hint)
    if origin is Literal:
        return " or ".join(json.dumps(option) for option in get_args(hint))
    if origin in (typing.Union, types.UnionType):
        options = [describe(option) for option in get_args(hint) if option is not type(None)]
        return " or ".join(options)
    if origin is tuple:
        return f"a list of {_PLURALS[get_args(hint)[0]]}"
    return _NAMES[hint]


def convert(value: Any, hint: Any) -> Any:
    """``value`` as type ``hint`` (a list becomes a tuple, a string a Path); TypeError if it
    is not of that type. Integers pass as numbers; true and false do not pass as integers."""
    origin = get_origin(hint)
    if origin is Literal:
        if any(value == option and type(value) is type(option) for option in get_args(hint)):
            return value
    elif origin in (typing.Union, types.UnionType):
        for option in get_args(hint):
            try:
                return convert(value, option)
            except TypeError:
                pass
    elif origin is tuple:
        if isinstance(value, list | tuple):
            return tuple(convert(item, get_args(hint)[0]) for item in value)
    elif hint is Path:
        if isinstance(value, str | Path):
            return Path(value)
    elif hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif hint is type(None):
        if value is None:
            return value
    elif isinstance(value, hint):
        return value
    raise TypeError(f"not {describe(hint)}")


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _wrong_type(section: str, name: str, hint: Any, value: Any) -> InputError:
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return input_error(None, f"{section}.{name} must be {describe(hint)}, not {shown}")


def check_fields(obj: Any, section: str) -> None:
    """Check every field of dataclass instance ``obj`` against its type, converting in place
    (lists to tuples, strings to paths); raises an :class:`InputError` naming the field."""
    for name, hint in _hints(type(obj)).items():
        value = getattr(obj, name)
        try:
            converted = convert(value, hint)
        except TypeError:
            raise _wrong_type(section, name, hint, value) from None
        if converted is not value:
            object.__setattr__(obj, name, converted)


def require(ok: bool, section: str, name: str, rule: str, value: Any) -> None:
    """Raise ``<section>.<name> must be <rule>, not <value>`` unless ``ok``."""
    if not ok:
        shown = json.dumps(value, ensure_ascii=False, default=str)
        raise input_error(None, f"{section}.{name} must be {rule}, not {shown}")


def check_names(given: Iterable[str], known: list[str], what: str, source: str | None) -> None:
    """Raise ``<what> 'x' (did you mean 'y'?)`` for names in ``given`` that are not ``known``."""
    unknown = [name for name in given if name not in known]
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, known, n=1)
            hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise input_error(source, f"{what} {', '.join(hints)}", f"known: {', '.join(known)}")


def build(cls: type, table: Mapping[str, Any], section: str, source: str | None = None):
    """Dataclass ``cls`` from a TOML table; errors name ``source`` (the file), section and key."""
    names = [f.name for f in dataclasses.fields(cls) if f.init]
    check_names(table, names, f"[{section}] has unknown setting", source)
    values = {}
    for key, value in table.items():
        hint = _hints(cls)[key]
        try:
            values[key] = convert(value, hint)
        except TypeError:
            raise _located(_wrong_type(section, key, hint, value), source) from None
    try:
        return cls(**values)
    except InputError as exc:
        raise _located(exc, source) from None


def _located(exc: InputError, source: str | None) -> InputError:
    """``exc`` naming ``source`` when it names no file yet."""
    return input_error(source, exc.problem, exc.hint) if exc.path is None else exc
