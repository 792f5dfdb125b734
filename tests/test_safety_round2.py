"""Issue 20, the cases first left untried: `fit` and `figures` at once in one project, read-only
folders as an unprivileged user, and `figures` on a full disk. Each ends with a result or a
one-line error, and the earlier results stay whole and loadable."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from typer.testing import CliRunner

from topics import figures
from topics.cli import app
from topics.model.runs import load_run

runner = CliRunner()
CLI = "from topics.cli import app; app()"
#: run files whose bytes differ between two fits of the same inputs (gensim pickles, and the
#: manifest that records their hashes and the time)
SAVED_BY_PICKLE = ("model/", "dictionary.gensim", "manifest")


def cli(root: Path, *args: str):
    return runner.invoke(app, [*args, "--config", str(root / "topics.toml")])


def hashes(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (relative path → SHA-256): temporaries show up too."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def one_line_error(text: str, *fragments: str) -> str:
    assert "Traceback" not in text, text
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def assert_whole(root: Path) -> None:
    """The run and figures of ``root`` load: manifests are JSON, every figure they list exists."""
    runs = root / "data" / "runs"
    (run,) = [p for p in runs.iterdir() if p.name.startswith("k6-")]
    assert load_run(run).k == 6
    manifest = json.loads((root / "figures" / figures.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["inputs"]["run"] == run.name
    drawn = hashes(root / "figures")
    assert {name: drawn.get(name) for name in manifest["figures"]} == {
        name: record["sha256"] for name, record in manifest["figures"].items()
    }
    assert not [n for n in drawn if ".tmp-" in n or ".old-" in n], drawn


@pytest.fixture(scope="module")
def drawn(tmp_path_factory, copy_project) -> Path:
    """A project with its figures drawn once (K fixed at 6, two K values compared)."""
    root = copy_project(
        tmp_path_factory.mktemp("drawn") / "project", k="6", ks="[4, 6]", resamples="2"
    )
    result = cli(root, "figures", "-q")
    assert result.exit_code == 0, result.output
    return root


# A full disk while the figures are redrawn.


def test_figures_on_a_full_disk_is_one_line_and_keeps_the_earlier_figures(drawn, monkeypatch):
    before = hashes(drawn / "figures")

    def full_disk(self, path, *args, **kwargs):
        Path(path).write_bytes(b"\x89PNG half")  # a part is written, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # no filename, as real writers

    monkeypatch.setattr(Figure, "savefig", full_disk)
    result = cli(drawn, "figures", "-q", "--force")
    assert result.exit_code == 1, result.output
    line = one_line_error(result.output, "no space left on device", "earlier results were kept")
    assert line.startswith(f"error: {drawn / 'figures'}")
    assert hashes(drawn / "figures") == before  # no half figure, no temporary
    assert_whole(drawn)


# `fit` and `figures` at once.


def test_fit_and_figures_at_once_both_finish_and_leave_whole_results(drawn):
    run = next(p for p in (drawn / "data" / "runs").iterdir() if p.name.startswith("k6-"))
    before = hashes(run)
    config = str(drawn / "topics.toml")
    commands = [
        ["fit", "-q", "--force"],
        ["figures", "-q", "--force"],
        ["fit", "-q", "--force"],
    ]
    processes = [
        subprocess.Popen([sys.executable, "-c", CLI, *args, "--config", config],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for args in commands
    ]  # fmt: skip
    for process in processes:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
        assert "Traceback" not in err, err
    after = hashes(run)  # the same inputs and seed: the same tables, swapped in whole
    assert after.keys() == before.keys()
    assert {n: h for n, h in after.items() if not n.startswith(SAVED_BY_PICKLE)} == {
        n: h for n, h in before.items() if not n.startswith(SAVED_BY_PICKLE)
    }
    assert (
        sorted(p.name for p in run.parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name) == []
    )
    assert_whole(drawn)


# Read-only folders as an unprivileged user.

USER = "tester"
PACKAGE_ROOT = Path(figures.__file__).resolve().parents[1]


def _as_user(user: str) -> list[str]:
    """The command prefix running this interpreter's `topics` as ``user``, or skip."""
    if os.geteuid() != 0:
        pytest.skip("needs root to create a user and run commands as that user")
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("runuser is missing")
    if subprocess.run(["id", user], capture_output=True).returncode != 0:
        made = subprocess.run(["useradd", "-m", user], capture_output=True, text=True)
        if made.returncode != 0:
            pytest.skip(f"cannot create the user {user}: {made.stderr.strip()}")
    # the interpreter may live where that user cannot go (/root/.pyenv): try the system one
    version = f"import sys; assert sys.version_info[:2] == {tuple(sys.version_info[:2])}"
    # its own standard library, this environment's packages and the package under test
    path = os.pathsep.join([*(p for p in sys.path if "site-packages" in p), str(PACKAGE_ROOT)])
    for python in dict.fromkeys([sys.executable, "/usr/bin/python3"]):
        prefix = [runuser, "-u", user, "--", "env", f"PYTHONPATH={path}", python]
        if subprocess.run([*prefix, "-c", version], capture_output=True).returncode == 0:
            return prefix
    pytest.skip(f"no Python {sys.version_info[:2]} that the user {user} may run")


@pytest.mark.parametrize(
    ("args", "folder"),
    [
        (("prepare", "-q"), "data/processed"),
        (("fit", "-q", "--force"), "run"),
        (("figures", "-q"), "figures"),
    ],
)
def test_a_read_only_folder_of_an_unprivileged_user_is_refused_before_work(drawn, args, folder):
    prefix = _as_user(USER)
    home = Path(tempfile.mkdtemp(prefix="topics-user-"))  # pytest's tmp_path is root's alone
    try:
        _refused_as_user(prefix, drawn, home, args, folder)
    finally:
        shutil.rmtree(home)


def _refused_as_user(prefix: list[str], drawn: Path, home: Path, args, folder: str) -> None:
    shutil.copytree(drawn, home / "project")
    root = home / "project"
    with open(root / "data" / "furniture.toml", "a", encoding="utf-8") as handle:
        handle.write("# edited: the prepared tables are out of date\n")
    subprocess.run(["chown", "-R", f"{USER}:{USER}", str(home)], check=True)
    home.chmod(0o755)
    if folder == "run":
        run = next(p for p in (root / "data" / "runs").iterdir() if p.name.startswith("k6-"))
        # the run of unchanged inputs: `fit --force` must replace that very folder
        shutil.copy(drawn / "data" / "furniture.toml", root / "data" / "furniture.toml")
        target = run
    else:
        target = root / folder
    before = hashes(root)
    target.chmod(0o555)
    try:
        done = subprocess.run(
            [*prefix[:-1], f"MPLCONFIGDIR={home / '.mpl'}", prefix[-1], "-c", CLI, *args,
             "--config", str(root / "topics.toml")],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    finally:
        target.chmod(0o755)
    assert done.returncode == 1, done.stderr
    line = one_line_error(done.stderr, "is read-only for this user: refused")
    assert line.startswith(f"error: {target}:"), line
    assert hashes(root) == before  # nothing rebuilt first: the prepared tables are the old ones
