"""Atomic writes, provenance records (manifests) and the one rule for reusing saved outputs.

A folder of outputs is written into a temporary sibling and swapped in with renames, so a run
that fails or is interrupted leaves the previous folder as it was. Temporary names carry the
process id, so two processes never share one, and the next save removes those of processes
that died (``kill -9``). :func:`reuse_or_build` loads a saved artefact while the inputs in its
manifest are unchanged, and otherwise builds it anew through :func:`atomic_folder`.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import platform
import re
import secrets
import shutil
import socket
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from topics.errors import TopicsError, input_error

LIBRARIES = ("topics", "jieba", "gensim", "numpy", "scipy", "pandas", "scikit-learn", "matplotlib")
MANIFEST = "manifest.json"
#: An empty file in every folder :func:`atomic_folder` makes: only such a folder (or one with a
#: manifest, from before the marker) is ever replaced, so a mistyped path never removes data.
MARKER = ".made-by-topics"
#: A temporary file or folder without a live process behind it is removed by the next save in
#: its folder; one whose process cannot be checked (another host, an older version's name)
#: once it is this old.
STALE_TEMP_SECONDS = 6 * 3600
#: Renames tried when other processes keep swapping in the same folder at the same moment.
SWAP_ATTEMPTS = 20

T = TypeVar("T")


def digest(value: object, length: int = 16) -> str:
    """Short SHA-256 of a JSON value (keys sorted): the one way inputs and settings are hashed.

    >>> digest({"b": 1, "a": [2, 3]}) == digest({"a": [2, 3], "b": 1})
    True
    """
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:length]


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """Python and the versions of the libraries that shape results."""
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_manifest(kind: str, inputs: dict[str, str], settings: dict, **extra) -> dict:
    """A record of how an artefact was made: input hashes, settings, versions, time."""
    return {
        "kind": kind,
        "format_version": 1,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "",
        "inputs": inputs,
        "settings": settings,
        "versions": library_versions(),
        **extra,
    }


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]


def temp_name(name: str, kind: str = "tmp") -> str:
    """A hidden sibling name for a temporary copy of ``name``, unique to this process."""
    return f".{name}.{kind}-{os.getpid()}@{_host_tag()}-{secrets.token_hex(4)}"


_TEMP = re.compile(r"^\..+\.(?:tmp|old)-(?P<pid>\d+)@(?P<host>[0-9a-f]{6})-[0-9a-f]{8}$")
# names earlier versions used: mkdtemp/mkstemp suffixes, ".old-<pid>", a bare ".tmp"
_OLDER_TEMP = re.compile(r"^\..+\.(?:tmp-[a-z0-9_]{8}|old-\d+|[a-z0-9_]{8}\.tmp|tmp)$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale_temporaries(folder: str | Path) -> list[Path]:
    """Remove temporary files and folders left in ``folder`` by saves that were killed: those
    of processes no longer running on this host, and any older than ``STALE_TEMP_SECONDS``."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = _TEMP.match(entry.name)
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_SECONDS
        except OSError:
            continue
        if match and match["host"] == _host_tag():
            stale = not _alive(int(match["pid"]))
        else:
            stale = old and bool(match or _OLDER_TEMP.match(entry.name))
        if stale:
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


#: Errors by which the operating system refuses a file: permissions, read-only or full disk.
REFUSED = (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT)


def refusal(exc: OSError, where: str | Path) -> TopicsError | None:
    """The one-line error for the operating system's refusal ``exc`` (permissions, a read-only
    or full disk) to write in ``where`` (or the file it names); None for any other error."""
    if exc.errno not in REFUSED:
        return None
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    hint = (
        "free some space on that disk; earlier results were kept"
        if full
        else "check its permissions"
    )
    problem = (exc.strerror or os.strerror(exc.errno)).lower()
    return input_error(exc.filename or where, problem, hint)


@contextmanager
def _writing(target: Path) -> Iterator[None]:
    """Turn the operating system's refusal to write ``target`` into a one-line error."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in REFUSED:
            raise
        parent = Path(exc.filename).parent if exc.filename else target
        where = f" in {parent}" if parent != target else ""
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        raise input_error(
            target,
            f"cannot save it: {(exc.strerror or os.strerror(exc.errno)).lower()}{where}",
            "free some space on that disk; earlier results were kept"
            if full else "make the folder writable, or choose other [paths] in topics.toml",
        ) from None  # fmt: skip


def _prepare_folder(folder: Path) -> None:
    with _writing(folder):
        folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(folder)


@contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path that replaces ``path`` (by rename) only if the block succeeds."""
    path = Path(path)
    _prepare_folder(path.parent)
    tmp = path.with_name(temp_name(path.name))
    try:
        yield tmp
        with _writing(path):
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    with atomic_file(path) as tmp:
        with _writing(Path(path)):
            tmp.write_text(text, encoding="utf-8")


def write_json(path: str | Path, data: dict) -> None:
    """Write JSON atomically (temporary file, then rename)."""
    write_text(path, json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _swap_in(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` to ``target``, moving an existing ``target`` aside first. When another
    process swaps in its own copy at the same moment, try again: the last one wins."""
    for _ in range(SWAP_ATTEMPTS):
        old: Path | None = target.with_name(temp_name(target.name, "old"))
        try:
            os.rename(target, old)
        except FileNotFoundError:
            old = None
        try:
            os.rename(tmp, target)
        except OSError as exc:
            if old is not None:  # put the previous copy back (unless another took its place)
                try:
                    os.rename(old, target)
                except OSError:
                    shutil.rmtree(old, ignore_errors=True)
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
            continue
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return
    raise OSError(errno.EBUSY, "other processes keep replacing it", str(target))


def made_by_topics(folder: Path) -> bool:
    """Whether ``folder`` may be replaced: missing, empty, or a folder this package made (it
    holds :data:`MARKER`, or a manifest written by an earlier version)."""
    if not os.path.lexists(folder):
        return True
    if folder.is_symlink() or not folder.is_dir():
        return False
    if (folder / MARKER).is_file() or not any(folder.iterdir()):
        return True
    saved = read_manifest(folder)
    return saved is not None and {"kind", "format_version", "inputs"} <= saved.keys()


def check_writable(folder: Path) -> None:
    """Raise a one-line error when ``folder`` exists and this process may not write in it: a
    folder made read-only is kept as it is, even where its parent would allow replacing it."""
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise input_error(
            folder, "is read-only for this user: refused to write or replace it",
            "make the folder writable, or choose other [paths] in topics.toml",
        )  # fmt: skip


def check_replaceable(folder: Path) -> None:
    """Raise a one-line error unless ``folder`` may be replaced (:func:`made_by_topics`)."""
    if not made_by_topics(folder):
        what = "a file" if folder.exists() and not folder.is_dir() else "a folder"
        raise input_error(
            folder, f"is {what} that topics did not make (no {MARKER} or {MANIFEST}): "
            "refused to replace it", "choose another [paths] folder for outputs",
        )  # fmt: skip


@contextmanager
def atomic_folder(target: str | Path) -> Iterator[Path]:
    """Yield an empty temporary folder that replaces ``target`` only if the block succeeds.
    A ``target`` that this package did not make is refused before any work
    (:func:`check_replaceable`), and so is one this process may not write in.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "processed"
    >>> with atomic_folder(target) as tmp:
    ...     _ = (tmp / "articles.csv").write_text("a,b")
    >>> sorted(p.name for p in target.iterdir())  # with the marker that allows replacing it
    ['.made-by-topics', 'articles.csv']
    >>> with atomic_folder(target) as tmp:
    ...     _ = (tmp / "half.csv").write_text("a,")
    ...     raise ValueError("interrupted")
    Traceback (most recent call last):
    ValueError: interrupted
    >>> sorted(p.name for p in target.iterdir())
    ['.made-by-topics', 'articles.csv']
    """
    target = Path(target)
    check_replaceable(target)
    check_writable(target)  # a folder made read-only is kept, though its parent allows a swap
    _prepare_folder(target.parent)
    tmp = target.with_name(temp_name(target.name))
    with _writing(target):
        tmp.mkdir()
        (tmp / MARKER).touch()
    try:
        yield tmp
        with _writing(target):
            _swap_in(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def read_manifest(folder: str | Path, name: str = MANIFEST) -> dict | None:
    """The manifest saved in ``folder``, or None when it is missing, unreadable or not a JSON
    object."""
    try:
        data = json.loads((Path(folder) / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def current_manifest(folder: str | Path, inputs: dict, name: str = MANIFEST) -> dict | None:
    """The manifest in ``folder`` if it records exactly ``inputs``, else None."""
    saved = read_manifest(folder, name)
    if saved is None or changed_inputs(saved.get("inputs"), inputs):
        return None
    return saved


def changed_inputs(recorded: object, expected: dict) -> list[str]:
    """Names of the inputs that differ between a manifest's record and ``expected`` (compared
    as JSON, so tuples equal lists)."""
    recorded = recorded if isinstance(recorded, dict) else {}
    recorded, expected = json.loads(json.dumps([recorded, expected], default=str))
    return sorted(k for k in set(recorded) | set(expected) if recorded.get(k) != expected.get(k))


class Outdated(Exception):
    """Raised by a ``load`` function when what is saved cannot stand in for its inputs."""


#: What a failed ``load`` may raise: the artefact is then built again.
REBUILD_ON = (Outdated, TopicsError, OSError, ValueError, KeyError, EOFError)


def reuse_or_build(
    folder: str | Path,
    inputs: dict,
    build: Callable[[Path], tuple[T, dict]],
    load: Callable[[Path, dict], T],
    *,
    force: bool = False,
    manifest: str = MANIFEST,
    swap: bool = True,
) -> tuple[T, bool]:
    """The artefact in ``folder``: loaded while its manifest records exactly ``inputs``, else
    built anew. Returns ``(value, rebuilt)``.

    ``load(folder, manifest)`` reads it (raising one of ``REBUILD_ON`` if it is damaged);
    ``build(tmp)`` computes it, writes its files into ``tmp`` and returns ``(value, manifest)``,
    whose ``inputs`` must be ``inputs``. The manifest is written last and the temporary folder
    swapped in, so an interrupted build leaves the previous artefact as it was. With
    ``swap=False`` (a folder shared with other files, like ``figures/``) ``build`` writes into
    ``folder`` itself, one atomic file at a time, and the manifest is replaced last.
    """
    folder = Path(folder)
    if swap:
        check_replaceable(folder)
    # leftovers of a killed save go even when nothing is saved now (an up-to-date figure folder)
    remove_stale_temporaries(folder if not swap else folder.parent)
    saved = None if force else current_manifest(folder, inputs, manifest)
    if saved is not None:
        try:
            return load(folder, saved), False
        except REBUILD_ON:
            pass
    with atomic_folder(folder) if swap else _in_place(folder) as where:
        try:
            value, record = build(where)
        except OSError as exc:  # e.g. a read-only cache folder, a full disk
            raise refusal(exc, folder) or exc from None
        if changed_inputs(record.get("inputs"), inputs):
            raise ValueError(f"{folder}: the manifest does not record the inputs it was built from")
        write_json(where / manifest, record)
    return value, True


@contextmanager
def _in_place(folder: Path) -> Iterator[Path]:
    """``folder`` itself, once it is known to be writable (before any work is done)."""
    check_writable(folder)
    _prepare_folder(folder)
    probe = folder / temp_name("probe")
    with _writing(folder):
        probe.touch()
    probe.unlink()
    yield folder


def toml_with_value(text: str, section: str, key: str, value: str) -> str:
    r"""TOML ``text`` with ``key = "value"`` set in ``[section]``, every other line and comment
    kept (the section is added when missing). Raises ``ValueError`` when the text is written
    in a form this cannot edit safely: the result is parsed and checked.

    >>> print(toml_with_value('[paths]  # where\nraw = "a"   # pages\n', "paths", "raw", "b"))
    [paths]  # where
    raw = "b"   # pages
    <BLANKLINE>
    """
    before = tomllib.loads(text)
    quoted = json.dumps(value, ensure_ascii=False)
    lines = text.splitlines(keepends=True)
    header = re.compile(rf"^\s*\[\s*{re.escape(section)}\s*\]\s*(#.*)?$")
    start = next((i for i, line in enumerate(lines) if header.match(line.rstrip("\r\n"))), None)
    if start is None:
        gap = "" if not text else "\n" if text.endswith("\n") else "\n\n"
        lines.append(f"{gap}[{section}]\n{key} = {quoted}\n")
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")),
            len(lines),
        )
        assign = re.compile(rf"""^(\s*{re.escape(key)}\s*=\s*)("(?:[^"\\]|\\.)*"|'[^']*')(.*)$""")
        for i in range(start + 1, end):
            body = lines[i].rstrip("\r\n")
            match = assign.match(body)
            if match:
                lines[i] = match[1] + quoted + match[3] + lines[i][len(body) :]
                break
        else:
            lines.insert(start + 1, f"{key} = {quoted}\n")
    result = "".join(lines)
    expected = {**before, section: {**before.get(section, {}), key: value}}
    try:
        ok = tomllib.loads(result) == expected
    except tomllib.TOMLDecodeError:
        ok = False
    if not ok:
        raise ValueError(f"cannot set {section}.{key} in this file's layout")
    return result
