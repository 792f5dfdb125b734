"""The README's Python examples run as written, in a copy of the project."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text("utf-8"), re.S)


def test_the_readme_has_python_examples():
    assert BLOCKS and any("topics.explore(run, corpus)" in block for block in BLOCKS)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i + 1}" for i in range(len(BLOCKS))])
def test_readme_python_block_runs(block, tmp_path, monkeypatch, copy_project, capsys):
    copy_project(tmp_path, k="8")  # no K selection in a unit test
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    if "browser" in namespace:
        import ipywidgets

        assert isinstance(namespace["browser"], ipywidgets.VBox)
        printed = capsys.readouterr().out  # each topic's top terms: finance and cadre incentives
        assert "财政" in printed and "考核" in printed and namespace["run"].k == 8


def test_the_figure_table_names_every_seeded_theme():
    """The README's theme_prevalence row names the themes the shipped config seeds."""
    import tomllib

    config = tomllib.loads((ROOT / "topics.toml").read_text(encoding="utf-8"))
    themes = tomllib.loads((ROOT / "data" / "themes.toml").read_text(encoding="utf-8"))
    seeded = config["model"]["themes"]
    ids = [t["id"] for t in themes["theme"]] if seeded in ("all", ["all"]) else seeded
    row = next(line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
               if line.startswith("| `theme_prevalence.png`"))  # fmt: skip
    for theme in ids:
        assert theme.replace("_", " ") in row, theme
    assert "resampled (bootstrap)" in row
