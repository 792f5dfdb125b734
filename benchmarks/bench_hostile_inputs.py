"""Hostile inputs: time and memory stay bounded (issue 11).

    python benchmarks/bench_hostile_inputs.py

Prints, for each case, seconds at size n and at 4n side by side (a ratio near 4 is linear, near
16 quadratic), and for the Word zip bomb the refusal time and the peak memory of the reading
process. Cases:

- HTML: 100k open ``<div>`` then 100k unmatched ``</span>``; unclosed comments (``<!--`` × n);
  ``<a`` × n (a ``<`` that never closes). html.parser alone is quadratic on the last two.
- ``.docx`` whose ``word/document.xml`` repeats one short paragraph 12 million times (the issue's
  3.4 MB file that ran past 300 s at 8.2 GB): refused before parsing.
- A report saved as one line (n MB of random Chinese sentences): prepared into bounded paragraphs.
- ``filename_pattern`` ``(?P<x>(a+)+$)`` on a name of thirty-four a's and ``!`` (the issue's
  case), and ``(?P<x>(a|aa)+$)``, which runs into the timeout.

Round two (issue 20):

- A report saved as one line of 12.5 MB and of 50 MB; 500 and 2,000 lines of 6,000 characters.
- A 3 GB sparse file among the bundled pages: skipped by its size before it is read (time
  against the bundled pages alone).
- ``topics infer`` on a 5 MB and a 20 MB file (run fitted once on the bundled corpus, K = 6).
- ``topics fit --k 6`` with ``alpha = 1e-300``, ``eta = 1e300`` and ``no_below = 100000``
  against the shipped settings, each in its own process.
- Furniture rules ``(.*,)*x`` (endless with Python's ``re``) and ``(a|aa)+$`` (stopped by the
  time limit) on lines of 40 characters.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTML_CASES = {
    "open divs, unmatched ends": lambda n: "<div>" * n + "</span>" * n,
    "unclosed comments": lambda n: "<!--" * n,
    "stray '<a'": lambda n: "<p>" + "<a" * n,
}


def _seconds(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def bench_html(n: int = 100_000) -> None:
    from topics.corpus.extract import html_to_text

    for name, make in HTML_CASES.items():
        small, large = _seconds(html_to_text, make(n)), _seconds(html_to_text, make(4 * n))
        print(f"html {name:28s} n={n:,}: {small:6.2f} s  4n: {large:6.2f} s  "
              f"ratio {large / small:4.1f}")  # fmt: skip


def _bomb(path: Path, paragraphs: int) -> None:
    """A .docx whose body repeats one paragraph, written in chunks (bounded memory)."""
    head = b'<?xml version="1.0"?><w:document xmlns:w="x"><w:body>'
    chunk = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 100_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(head)
            for _ in range(paragraphs // 100_000):
                member.write(chunk)
            member.write(b"</w:body></w:document>")


def bench_docx(paragraphs: int = 12_000_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bomb.docx"
        _bomb(path, paragraphs)
        expanded = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
        script = textwrap.dedent(f"""
            import resource, time
            from topics.corpus.readers import read_text
            from topics.errors import InputError
            started = time.perf_counter()
            try:
                read_text({str(path)!r})
            except InputError as exc:
                message = str(exc)
            seconds = time.perf_counter() - started
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{{seconds:.2f}} s, peak {{rss:.0f}} MB: {{message}}")
        """)
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        size = path.stat().st_size / 2**20
        print(f"docx {paragraphs:,} paragraphs, {size:.1f} MB → {expanded / 2**20:,.0f} MB: "
              f"{done.stdout.strip() or done.stderr.strip()}")  # fmt: skip


def _one_line(folder: Path, mb: float) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    n = int(mb * 1e6 / 3)
    codes = rng.integers(0x4E00, 0x9FA5, n).astype("<u4")
    codes[rng.integers(0, n, n // 30)] = ord("。")
    codes[rng.integers(0, n, n // 12)] = ord(",")
    (folder / "one_line.txt").write_bytes(codes.tobytes().decode("utf-32-le").encode("utf-8"))


def bench_one_line(mb: float = 12.5) -> None:
    from topics.corpus.prepare import prepare_corpus

    times = []
    for size in (mb, 4 * mb):
        with tempfile.TemporaryDirectory() as folder:
            _one_line(Path(folder), size)
            started = time.perf_counter()
            corpus = prepare_corpus(folder)
            times.append(time.perf_counter() - started)
        longest = int(corpus.paragraphs["n_chars"].max())
        print(f"one-line report {size:.0f} MB: {times[-1]:6.2f} s, "
              f"{len(corpus.paragraphs):,} paragraphs, longest {longest}")  # fmt: skip
    print(f"one-line report ratio 4x size: {times[1] / times[0]:.1f}")


def bench_pattern() -> None:
    from topics.corpus.metadata import pattern_metadata
    from topics.errors import InputError

    for pattern in ("(?P<x>(a+)+$)", "(?P<x>(a|aa)+$)"):
        started = time.perf_counter()
        try:
            pattern_metadata(["a" * 34 + "!"], pattern)
            outcome = "no match"
        except InputError as exc:
            outcome = str(exc)
        print(f"filename_pattern {pattern}: {time.perf_counter() - started:.2f} s, {outcome}")


def _chinese(n_chars: int, seed: int = 0) -> str:
    import numpy as np

    codes = np.random.default_rng(seed).integers(0x4E00, 0x9FA5, n_chars).astype("<u4")
    codes[::40] = ord("。")
    return codes.tobytes().decode("utf-32-le")


def bench_long_lines(n: int = 500, chars: int = 6000) -> None:
    from topics.corpus.prepare import prepare_corpus

    times = []
    for lines in (n, 4 * n):
        with tempfile.TemporaryDirectory() as folder:
            text = "\n".join(_chinese(chars, i) for i in range(lines))
            (Path(folder) / "long_lines.txt").write_text(text, encoding="utf-8")
            times.append(_seconds(prepare_corpus, folder))
        print(f"{lines:,} lines of {chars:,} characters: {times[-1]:6.2f} s")
    print(f"long lines ratio 4x lines: {times[1] / times[0]:.1f}")


def bench_sparse(gigabytes: int = 3) -> None:
    import shutil

    from topics.corpus.prepare import prepare_corpus

    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "raw"
        shutil.copytree(ROOT / "data" / "raw", raw)
        alone = _seconds(prepare_corpus, raw)
        with open(raw / "huge.txt", "wb") as handle:
            handle.truncate(gigabytes << 30)
        started = time.perf_counter()
        corpus = prepare_corpus(raw)
        print(f"bundled pages {alone:.2f} s; with a {gigabytes} GB sparse file "
              f"{time.perf_counter() - started:.2f} s: {corpus.problems.to_dict('records')}")  # fmt: skip


def _cli(root: Path, *args: str) -> tuple[float, str]:
    command = [sys.executable, "-c", "from topics.cli import app; app()", *args, "-c",
               str(root / "topics.toml")]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - started
    lines = (done.stdout + done.stderr).strip().splitlines()
    return seconds, f"exit {done.returncode}: {lines[0][:110] if lines else ''}"


def bench_infer(mb: float = 5.0) -> None:
    from corpora import project_copy

    root = project_copy()
    _cli(root, "fit", "-q", "--k", "6")
    times = []
    for size in (mb, 4 * mb):
        path = root / f"new_{size:g}mb.txt"
        n = int(size * 1e6 / 3)
        path.write_text("\n".join(_chinese(n)[i : i + 200] for i in range(0, n, 200)), "utf-8")
        seconds, outcome = _cli(root, "infer", str(path), "-q", "-o", str(root / "i.csv"))
        times.append(seconds)
        print(f"infer {size:g} MB: {seconds:6.2f} s ({outcome[:40]})")
    print(f"infer ratio 4x size: {times[1] / times[0]:.1f}")


def bench_settings() -> None:
    from corpora import project_copy

    cases = {"shipped": None, "alpha = 1e-300": ("alpha", "1e-300"),
             "eta = 1e300": ("# eta", "1e300"), "no_below = 100000": ("no_below", "100000")}  # fmt: skip
    for name, change in cases.items():
        root = project_copy()
        _cli(root, "prepare", "-q")
        if change:
            config = root / "topics.toml"
            key, value = change
            lines = config.read_text(encoding="utf-8").splitlines()
            lines = [f"{key.lstrip('# ')} = {value}" if line.startswith(f"{key} =") else line
                     for line in lines]  # fmt: skip
            config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        seconds, outcome = _cli(root, "fit", "-q", "--k", "6")
        print(f"fit K = 6, {name:18s}: {seconds:6.2f} s, {outcome[:90]}")


def bench_furniture() -> None:
    from topics.corpus.cleaning import Rule
    from topics.errors import InputError

    for pattern, line in (("(.*,)*x", "," * 40), ("(a|aa)+$", "a" * 40 + "!")):
        started = time.perf_counter()
        try:
            Rule("drop_lines.bad", pattern).search(line)
            outcome = "finished"
        except InputError as exc:
            outcome = str(exc)
        print(f"furniture {pattern}: {time.perf_counter() - started:.2f} s, {outcome}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    bench_html()
    bench_docx()
    bench_one_line()
    bench_pattern()
    bench_long_lines()
    bench_sparse()
    bench_infer()
    bench_settings()
    bench_furniture()
    print(
        f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10} MB"
    )
