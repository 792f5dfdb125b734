"""The one reuse rule, atomic saves under races and kills, stale temporaries, the TOML edit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

import pytest

from topics import storage
from topics.storage import Outdated, atomic_folder, reuse_or_build, toml_with_value


class Artefact:
    """A tiny artefact: ``value.txt`` holding the inputs' ``n``; counts its builds."""

    def __init__(self, folder: Path):
        self.folder, self.builds = folder, 0

    def build(self, tmp: Path) -> tuple[str, dict]:
        self.builds += 1
        (tmp / "value.txt").write_text(str(self.inputs["n"]), encoding="utf-8")
        return str(self.inputs["n"]), storage.build_manifest("test", self.inputs, {})

    @staticmethod
    def load(folder: Path, manifest: dict) -> str:
        return (folder / "value.txt").read_text(encoding="utf-8")

    def get(self, inputs: dict, **options) -> tuple[str, bool]:
        self.inputs = inputs
        return reuse_or_build(self.folder, inputs, self.build, self.load, **options)


def test_reuse_while_inputs_are_unchanged_else_rebuild(tmp_path):
    art = Artefact(tmp_path / "art")
    assert art.get({"n": 1, "ks": (4, 6)}) == ("1", True)
    assert art.get({"n": 1, "ks": [4, 6]}) == ("1", False)  # tuples and lists are one input
    assert art.builds == 1
    assert art.get({"n": 2, "ks": [4, 6]}) == ("2", True)
    assert art.get({"n": 2, "ks": [4, 6]}, force=True) == ("2", True)
    assert art.builds == 3
    assert [p.name for p in tmp_path.iterdir()] == ["art"]  # no temporary left


@pytest.mark.parametrize(
    "damage",
    [
        lambda folder: (folder / "value.txt").unlink(),  # a file is missing: load fails
        lambda folder: (folder / "manifest.json").write_text("[1, 2]", encoding="utf-8"),
        lambda folder: (folder / "manifest.json").write_text("{not json", encoding="utf-8"),
    ],
)
def test_a_damaged_artefact_is_built_again(tmp_path, damage):
    art = Artefact(tmp_path / "art")
    art.get({"n": 1})
    damage(art.folder)
    assert art.get({"n": 1}) == ("1", True)
    assert art.get({"n": 1}) == ("1", False)


def test_a_load_that_says_outdated_means_rebuild(tmp_path):
    calls = []

    def load(folder, manifest):
        calls.append(folder)
        raise Outdated("figures changed")

    def build(tmp):
        return "built", storage.build_manifest("test", {"n": 1}, {})

    assert reuse_or_build(tmp_path / "a", {"n": 1}, build, load) == ("built", True)
    assert reuse_or_build(tmp_path / "a", {"n": 1}, build, load) == ("built", True)
    assert len(calls) == 1


def test_a_failed_build_leaves_the_saved_artefact(tmp_path):
    art = Artefact(tmp_path / "art")
    art.get({"n": 1})

    def failing(tmp):
        (tmp / "value.txt").write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reuse_or_build(art.folder, {"n": 2}, failing, art.load)
    assert (art.folder / "value.txt").read_text(encoding="utf-8") == "1"
    assert [p.name for p in tmp_path.iterdir()] == ["art"]


def test_a_build_must_record_its_inputs(tmp_path):
    def build(tmp):
        return "x", storage.build_manifest("test", {"n": 1}, {})

    with pytest.raises(ValueError, match="does not record the inputs"):
        reuse_or_build(tmp_path / "a", {"n": 2}, build, Artefact.load)
    assert not (tmp_path / "a").exists()


def test_digest_is_the_short_sorted_json_hash():
    assert storage.digest({"b": [1, 2], "a": "x"}) == storage.digest({"a": "x", "b": [1, 2]})
    assert storage.digest({"a": 1}) != storage.digest({"a": 2})
    assert len(storage.digest({}, 8)) == 8


def _python(code: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], **kwargs)


def test_temporaries_of_a_killed_save_are_removed_by_the_next(tmp_path):
    """A save killed with SIGKILL leaves its temporary folder; the next save in that folder
    removes it, but never the temporary of a save still running."""
    code = f"""
        import sys, time
        from topics.storage import atomic_folder
        with atomic_folder({str(tmp_path / "{name}")!r}) as tmp:
            (tmp / "big.bin").write_bytes(bytes(1_000_000))
            print("ready", flush=True)
            time.sleep(600)
    """
    killed = _python(code.replace("{name}", "run-a"), stdout=subprocess.PIPE, text=True)
    running = _python(code.replace("{name}", "run-b"), stdout=subprocess.PIPE, text=True)
    try:
        assert killed.stdout.readline().strip() == "ready"
        assert running.stdout.readline().strip() == "ready"
        killed.kill()
        killed.wait()
        litter = [p for p in tmp_path.iterdir() if p.name.startswith(".run-a.tmp-")]
        assert len(litter) == 1 and (litter[0] / "big.bin").stat().st_size == 1_000_000
        older = tmp_path / ".run-c.tmp-abcd1234"  # an earlier version's name: judged by age
        older.mkdir()
        os.utime(older, (time.time() - storage.STALE_TEMP_SECONDS - 60,) * 2)
        recent = tmp_path / ".run-d.tmp-abcd1234"
        recent.mkdir()
        with atomic_folder(tmp_path / "other") as tmp:
            (tmp / "x").write_text("x", encoding="utf-8")
        names = sorted(p.name for p in tmp_path.iterdir())
        assert not litter[0].exists() and not older.exists() and recent.exists()
        assert any(name.startswith(".run-b.tmp-") for name in names)  # still being written
    finally:
        running.kill()
        running.wait()
        killed.kill()


def test_two_processes_saving_the_same_folder_and_figure_at_once(tmp_path):
    """Every save of either process succeeds (a shared temporary name made one process's
    rename fail), and the result is always one whole copy."""
    code = f"""
        import sys
        from pathlib import Path
        import matplotlib.pyplot as plt
        from topics.plots.style import save_figure
        from topics.storage import atomic_folder
        root = Path({str(tmp_path)!r})
        for i in range(40):
            with atomic_folder(root / "shared") as tmp:
                for n in range(5):
                    (tmp / f"part{{n}}.txt").write_text(sys.argv[1], encoding="utf-8")
            save_figure(plt.subplots(figsize=(1, 1))[0], root / "figure.png")
        print("done")
    """
    procs = [
        subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), name],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env={**os.environ, "MPLBACKEND": "Agg"})
        for name in ("a", "b")
    ]  # fmt: skip
    results = [proc.communicate(timeout=600) for proc in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0 and out.strip() == "done", err
    parts = {(tmp_path / "shared" / f"part{n}.txt").read_text(encoding="utf-8") for n in range(5)}
    assert parts in ({"a"}, {"b"})  # one whole copy, never a mix
    assert (tmp_path / "figure.png").read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure.png", "shared"]


def test_toml_value_is_set_keeping_the_rest_of_the_file():
    text = textwrap.dedent("""\
        # project settings
        [paths]   # where things are
        raw = "data/raw"   # the pages
        runs = "data/runs"

        [model]
        k = 8  # topics
    """)
    edited = toml_with_value(text, "paths", "raw", "my_reports")
    assert edited == text.replace('raw = "data/raw"', 'raw = "my_reports"')
    assert tomllib.loads(toml_with_value("[model]\nk = 8\n", "paths", "raw", "语料/a"))[
        "paths"
    ] == {"raw": "语料/a"}
    inserted = toml_with_value("[paths]\nruns = 'r'\n[model]\n", "paths", "raw", 'C:\\x "y"')
    assert tomllib.loads(inserted)["paths"] == {"raw": 'C:\\x "y"', "runs": "r"}
    assert toml_with_value("", "paths", "raw", "a") == '[paths]\nraw = "a"\n'
    with pytest.raises(ValueError, match="cannot set paths.raw"):
        toml_with_value('paths = {raw = "a"}\n', "paths", "raw", "b")


def test_a_write_refused_in_a_worker_process_reaches_the_parent_as_one_line(tmp_path):
    """Figures are saved in worker processes: their one-line errors must survive pickling."""
    import pickle

    from topics.errors import InputError, input_error

    error = pickle.loads(pickle.dumps(input_error(tmp_path / "a.png", "cannot save it", "hint")))
    assert (
        isinstance(error, InputError)
        and str(error) == f"{tmp_path / 'a.png'}: cannot save it (hint)"
    )
