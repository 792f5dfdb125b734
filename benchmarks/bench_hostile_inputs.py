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


def bench_one_line(mb: float = 2.0) -> None:
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


if __name__ == "__main__":
    bench_html()
    bench_docx()
    bench_one_line()
    bench_pattern()
    print(
        f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10} MB"
    )
