"""Hostile settings and files, round two (issue 20): each case is a one-line error naming the
file or setting, a file skipped by name, or a correct reading; never a traceback, a hang or
unbounded work. Cases that hung on the old code run in a subprocess with a time limit."""

from __future__ import annotations

import codecs
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from topics import storage
from topics.cli import app
from topics.config import Settings
from topics.corpus import cleaning
from topics.corpus.extract import html_to_text
from topics.corpus.metadata import sidecar_metadata
from topics.corpus.prepare import prepare_corpus
from topics.corpus.readers import decode_bytes, read_folder
from topics.errors import InputError
from topics.model.themes import load_themes

runner = CliRunner()
TEXT = "第一篇:乡镇财政\n乡镇财政负债沉重,转移支付不足。\n第二篇:村民自治\n村务公开是村民自治的关键。\n"


def cli(root: Path, *args: str):
    return runner.invoke(app, [*args, "--config", str(root / "topics.toml")])


def one_line_error(result, *fragments: str, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def subprocess_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The CLI in its own process, killed (and the test failed) past ``timeout`` seconds."""
    command = [sys.executable, "-c", "from topics.cli import app; app()", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


# Settings and options checked before any work.


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("suffixes", "[]", 'corpus.suffixes must be a non-empty list such as [".txt"], not []'),
        ("seed", "4294967296", "model.seed must be an integer from 0 to 4294967295"),
        ("max_file_mb", "0", "corpus.max_file_mb must be a number of MB > 0"),
    ],
)
def test_settings_out_of_range_are_named(tmp_path, copy_project, key, value, message):
    root = copy_project(tmp_path, **{key: value})
    one_line_error(cli(root, "prepare", "-q"), message)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ("fit", "--seed", str(2**32)),
            "'--seed': Input should be less than or equal to 4294967295",
        ),
        (
            ("select-k", "--resamples", "0"),
            "'--resamples': Input should be greater than or equal to 1",
        ),
        (("select-k", "--ks", "2-100000000"), "each K must be from 2 to 1000"),
        (("select-k", "--ks", "4,2000"), "each K must be from 2 to 1000"),
        (
            ("effect", "~ year", "--draws", "10000000"),
            "'--draws': Input should be less than or equal to 10000",
        ),
    ],
)
def test_amounts_of_work_are_bounded_by_usage_errors(tmp_path, copy_project, args, fragment):
    root = copy_project(tmp_path)
    result = cli(root, *args)
    assert result.exit_code == 2, result.output
    assert fragment in " ".join(result.output.split()), result.output


def test_the_bounds_are_in_help():
    from topics.cli import MAX_DRAWS

    outputs = {
        c: " ".join(runner.invoke(app, [c, "--help"]).output.split())
        for c in ("select-k", "effect", "fit")
    }
    assert "[1<=x<=100]" in outputs["select-k"] and "from 2 to 1000" in outputs["select-k"]
    assert f"1<=x<={MAX_DRAWS}]" in outputs["effect"]
    assert "[0<=x<=4294967295]" in outputs["fit"] and "[2<=x<=1000]" in outputs["fit"]


def test_cli_and_library_draw_bounds_agree():
    from topics.analysis import effects
    from topics.cli import MAX_DRAWS

    assert effects.MAX_DRAWS == MAX_DRAWS


def test_select_k_with_resamples_0_in_the_config_is_named(tmp_path, copy_project):
    root = copy_project(tmp_path, resamples="0")
    one_line_error(cli(root, "select-k", "-q"), "select-k needs [select_k] resamples >= 1")


# Files: encodings, names, links, sizes, pipes.


def test_utf32_with_a_bom_is_read_as_utf32():
    for codec in ("utf-32", "utf-32-le", "utf-32-be"):
        data = TEXT.encode(codec)
        if codec != "utf-32":
            bom = codecs.BOM_UTF32_LE if codec.endswith("le") else codecs.BOM_UTF32_BE
            data = bom + data
        text, encoding, _ = decode_bytes(data)
        assert (text.lstrip("\ufeff"), encoding) == (TEXT, "utf-32")


def test_a_lt_inside_an_attribute_keeps_the_page():
    html = '<p title="a<b>c</p><script>">乡镇财政负债沉重。</p><p>村务公开 a < b。</p>'
    assert html_to_text(html) == "乡镇财政负债沉重。\n村务公开 a < b。"


def _corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "2019_good.txt").write_text(TEXT, encoding="utf-8")
    return folder


def test_file_names_that_are_not_utf8_are_named_escaped(tmp_path, copy_project):
    root = copy_project(tmp_path / "project")
    raw = _corpus(tmp_path / "names")
    for name in (b"\xb0\xa1\xb9\xfa.txt", "乡镇".encode("gbk") + b".txt"):
        with open(os.path.join(os.fsencode(raw), name), "w", encoding="utf-8") as handle:
            handle.write(TEXT)
    result = cli(root, "prepare", "-q", "--input", str(raw))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert r"skipped \xb0\xa1\xb9\xfa.txt: file name is not valid UTF-8" in result.output
    assert r"skipped \xcf\xe7\xd5\xf2.txt: file name is not valid UTF-8" in result.output
    assert "tables written to" in result.output


def test_a_link_out_of_the_input_folder_is_skipped_unless_allowed(tmp_path):
    raw = _corpus(tmp_path / "raw")
    secret = tmp_path / "secret.txt"
    secret.write_text("机密文件的内容,不应被读取。\n", encoding="utf-8")
    (raw / "link.txt").symlink_to(secret)
    (raw / "inside.txt").symlink_to(raw / "2019_good.txt")  # a link inside is read
    texts, problems = read_folder(raw)
    assert [t.path.name for t in texts] == ["2019_good.txt", "inside.txt"]
    assert [(p.path.name, p.problem.split(",")[0]) for p in problems] == [
        ("link.txt", f"links to {secret}")
    ]
    assert "corpus.outside_links = true" in problems[0].problem
    texts, problems = read_folder(raw, outside_links=True)
    assert len(texts) == 3 and not problems


def test_a_huge_sparse_file_is_skipped_unread(tmp_path):
    raw = _corpus(tmp_path / "raw")
    with open(raw / "huge.txt", "wb") as handle:
        handle.truncate(3 << 30)  # 3 GB of holes: takes no disk, reading it would take RAM
    corpus = prepare_corpus(raw)
    assert corpus.problems.to_dict("records") == [
        {"path": "huge.txt", "problem": "is 3,072 MB, over the limit of 256 MB"}
    ]
    assert len(corpus.pages) == 1


def test_infer_on_a_fifo_is_refused_not_waited_on(tmp_path, copy_project):
    root = copy_project(tmp_path / "project")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    config = str(root / "topics.toml")
    result = subprocess_cli("infer", str(fifo), "--run", str(tmp_path / "norun"), "-c", config,
                            timeout=60)  # fmt: skip
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    from topics.corpus.readers import read_text

    with pytest.raises(InputError, match="is not a regular file"):
        read_text(fifo)


# Rules files: unknown names, runaway patterns.


def test_unknown_furniture_sections_and_keys_are_named(tmp_path):
    path = tmp_path / "furniture.toml"
    path.write_text("[drop_line]\nx = 'a'\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"unknown section 'drop_line' \(did you mean 'drop_lines'"
    ):
        cleaning.load_furniture(path)
    path.write_text("[title_echo]\nprefix = ['a']\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"\[title_echo\] has unknown key 'prefix' \(did you mean"):
        cleaning.load_furniture(path)


def test_unknown_theme_keys_are_named(tmp_path):
    path = tmp_path / "themes.toml"
    path.write_text('[[theme]]\nid = "a"\nlabel_zh = "甲"\nlabel_en = "A"\nseeds = ["财政"]\n'
                    'seed = ["负债"]\n', encoding="utf-8")  # fmt: skip
    with pytest.raises(InputError, match=r"theme 1 has unknown key 'seed' \(did you mean 'seeds'"):
        load_themes(path)
    path.write_text('[[themes]]\nid = "a"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown section 'themes' \(did you mean 'theme'"):
        load_themes(path)


@pytest.mark.parametrize("section", ["drop_lines", "drop_inline"])
def test_a_runaway_furniture_pattern_finishes_or_stops_with_its_name(
    tmp_path, copy_project, section
):
    root = copy_project(tmp_path / "project")
    raw = _corpus(tmp_path / "raw")
    (raw / "2019_good.txt").write_text(TEXT + "," * 40 + "\n" + "a" * 40 + "!\n", encoding="utf-8")
    rules = root / "data" / "furniture.toml"
    config = str(root / "topics.toml")
    # the pattern: endless with Python's re, linear with the regex module used now
    rules.write_text(f"[{section}]\nbad = '(.*,)*x'\n", encoding="utf-8")
    result = subprocess_cli("prepare", "-q", "--input", str(raw), "-c", config)
    assert result.returncode == 0, result.stderr
    # one that backtracks in any engine: stopped by the time limit, named
    rules.write_text(f"[{section}]\nbad = '(a|aa)+$'\n", encoding="utf-8")
    result = subprocess_cli("prepare", "-q", "--input", str(raw), "-c", config)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1 and len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {rules}: rule {section}.bad '(a|aa)+$' takes over 1.0 s")


# metadata.csv headers.


@pytest.mark.parametrize(
    ("header", "message"),
    [("file,year,year", "column 'year' appears twice in the header (columns 2 and 3)"),
     ("file,,place", "column 2 of the header has no name")],
)  # fmt: skip
def test_a_bad_metadata_header_is_named(tmp_path, header, message):
    path = tmp_path / "metadata.csv"
    path.write_text(f"{header}\na.txt,2019,2020\n", encoding="utf-8")
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        sidecar_metadata(path, ["a.txt"])


# Leftovers of a killed save.


def test_a_killed_saves_temporary_file_goes_at_the_next_run_even_if_nothing_is_redrawn(tmp_path):
    folder = tmp_path / "figures"

    def build(where: Path):
        (where / "a.png").write_bytes(b"png")
        return "drawn", storage.build_manifest("figures", {"x": 1}, {})

    storage.reuse_or_build(folder, {"x": 1}, build, lambda f, m: "reused", swap=False)
    dead = subprocess.Popen(["true"])
    dead.wait()
    leftover = folder / f".a.png.tmp-{dead.pid}@{storage._host_tag()}-0123abcd"
    leftover.write_bytes(b"half a png")
    value, rebuilt = storage.reuse_or_build(
        folder, {"x": 1}, build, lambda f, m: "reused", swap=False
    )
    assert (value, rebuilt) == ("reused", False)
    assert not leftover.exists()


def test_a_figures_run_killed_with_sigkill_leaves_nothing_behind(tmp_path):
    """A save killed between writing and renaming; the next save in the folder cleans up."""
    folder = tmp_path / "figures"
    folder.mkdir()
    script = (
        "import os, signal; from topics import storage\n"
        f"with storage.atomic_file({str(folder / 'topic_terms.png')!r}) as tmp:\n"
        "    tmp.write_bytes(b'half'); os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == -signal.SIGKILL
    assert [p.name.split("-")[0] for p in folder.iterdir()] == [".topic_terms.png.tmp"]
    storage.write_text(folder / "other.txt", "x")
    assert [p.name for p in folder.iterdir()] == ["other.txt"]


def test_settings_built_in_code_are_checked_too(tmp_path):
    from dataclasses import replace

    settings = Settings(root=tmp_path)
    with pytest.raises(InputError, match=r"paths.cache \(.*\) is paths.raw"):
        replace(settings, paths=replace(settings.paths, cache=Path("data/raw")))


def _small_disk(folder: Path, megabytes: int = 8) -> None:
    """Mount a tmpfs of ``megabytes`` at ``folder`` (root only), or skip the test."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)],
                          capture_output=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")


def test_a_full_disk_during_prepare_is_one_line_and_keeps_earlier_tables(tmp_path, copy_project):
    root = copy_project(tmp_path / "project", processed=f'"{tmp_path / "disk" / "processed"}"')
    disk = tmp_path / "disk"
    _small_disk(disk)
    try:
        assert cli(root, "prepare", "-q").exit_code == 0
        before = {p.name: p.read_bytes() for p in (disk / "processed").iterdir()}
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        with open(disk / "filler", "wb") as handle:  # leave a few KB: the tables need more
            handle.write(b"\0" * (free - 8192))
        line = one_line_error(cli(root, "prepare", "-q"), "no space left on device")
        assert line.startswith(f"error: {disk / 'processed'}")
        assert "earlier results were kept" in line
        assert {p.name: p.read_bytes() for p in (disk / "processed").iterdir()} == before
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "processed"]  # no temporaries
    finally:
        subprocess.run(["umount", str(disk)], check=False)
