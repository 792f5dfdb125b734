"""The Makefile a newcomer types first: an aligned `make help`, honest descriptions, `make lab`
that starts as root (the usual user in containers)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(*args: str) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_help_lists_every_target_with_aligned_descriptions():
    lines = make("help").splitlines()
    targets = re.findall(r"(?m)^## .*\n([a-z-]+):", (ROOT / "Makefile").read_text())
    assert [line.split()[1] for line in lines] == targets
    starts = {re.match(r"  make [a-z-]+ +", line).end() for line in lines}
    assert len(starts) == 1, lines  # every description starts in the same column


def test_lab_allows_root_only_when_run_as_root():
    command = make("-n", "lab")
    assert "jupyter lab notebooks/" in command
    assert ("--allow-root" in command) == (os.getuid() == 0)


def test_clean_says_what_it_removes():
    description = next(line for line in make("help").splitlines() if line.split()[1] == "clean")
    removed = make("-n", "clean").split()
    mentioned = "figures" in description.split("(")[0]
    assert mentioned == any(path.startswith("figures") for path in removed), description
    for path in ("data/processed", "data/interim", "data/runs"):
        assert path in removed
    assert "data/raw" not in removed
