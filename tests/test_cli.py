"""The command line: help everywhere, summaries printed, errors as one line without traceback."""

import re

import pytest
from typer.testing import CliRunner

from topics.cli import app

runner = CliRunner()
COMMANDS = [
    "prepare",
    "tokens",
    "fit",
    "show",
    "infer",
    "similar",
    "compare",
    "passages",
    "figures",
]


def test_every_command_has_help():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output
        sub = runner.invoke(app, [command, "--help"])
        assert sub.exit_code == 0, command
        assert "--config" in sub.output


@pytest.fixture
def config(project_settings, tmp_path):
    """A topics.toml pointing at the bundled raw pages and temp outputs."""
    paths = project_settings.paths
    text = (project_settings.root / "topics.toml").read_text(encoding="utf-8")
    for key, value in [("raw", paths.raw), ("processed", tmp_path / "processed"),
                       ("cache", paths.cache), ("runs", paths.runs), ("figures", tmp_path / "figures")]:  # fmt: skip
        text = text.replace(f'{key} = "{getattr(type(paths)(), key)}"', f'{key} = "{value}"', 1)
    for name in ("furniture", "themes"):
        text = text.replace(
            f'"data/{name}.toml"', f'"{project_settings.root / "data" / (name + ".toml")}"'
        )
    text = text.replace('"data/lexicons/', f'"{project_settings.root / "data" / "lexicons"}/')
    path = tmp_path / "topics.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_prepare_prints_a_summary(config, tmp_path):
    result = runner.invoke(app, ["prepare", "--config", str(config)])
    assert result.exit_code == 0, result.output
    # rows "name   count"; the first one follows the last progress bar's "]" on its line
    counts = dict(re.findall(r"(?m)(?:^|\])\s*(\w[\w ,]*?)\s{2,}(\d+)$", result.output))
    assert counts["pages"] == "4" and counts["articles"] == "16"
    assert counts["paragraphs"] == "238" and counts["paragraphs for modelling"] == "208"
    assert "furniture:disclaimer" in result.output
    for name in ("articles", "paragraphs"):
        assert (tmp_path / "processed" / f"{name}.parquet").exists()
        assert (tmp_path / "processed" / f"{name}.csv").exists()


def test_show_and_infer_use_the_latest_run(config, run, tmp_path):
    shown = runner.invoke(app, ["show", "--config", str(config), "--run", str(run.path)])
    assert shown.exit_code == 0, shown.output
    assert "T1" in shown.output and "finance" in shown.output
    for row in run.topics.itertuples():  # each topic's stability, unstable ones marked "!"
        mark = "!" if row.stability < 0.5 else " "
        assert f"{row.stability:.2f}{mark} {row.label}" in shown.output
    doc = tmp_path / "doc.txt"
    doc.write_text("乡镇财政负债沉重,转移支付不足。\n", encoding="utf-8")
    out = tmp_path / "shares.csv"
    result = runner.invoke(
        app,
        ["infer", str(doc), "--config", str(config), "--run", str(run.path), "-o", str(out), "-q"],
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and (tmp_path / "shares_paragraphs.csv").exists()


def test_select_k_says_when_the_best_k_is_at_the_edge(config):
    result = runner.invoke(
        app, ["select-k", "--config", str(config), "--ks", "6,8", "--resamples", "1", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "stable_topics" in result.output and "recommended K = 8" in result.output
    assert "note: K = 8 is the largest K of the grid [6, 8]" in result.output
    seeds = config.with_name("seeds.toml")
    seeds.write_text(config.read_text(encoding="utf-8") + "seeds = [1, 2]\n", encoding="utf-8")
    result = runner.invoke(app, ["select-k", "--config", str(seeds), "-q"])
    assert result.exit_code == 1 and "[select_k] seeds is no longer used" in result.output


def test_errors_are_one_line_without_traceback(tmp_path, config):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["prepare", "--config", str(config), "--input", str(empty)])
    assert result.exit_code == 1
    assert "has no .txt files" in result.output
    assert "Traceback" not in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[model]\nk = 8\ncolour = 'red'\n", encoding="utf-8")
    result = runner.invoke(app, ["fit", "--config", str(bad)])
    assert result.exit_code == 1
    assert "unknown setting" in result.output and "colour" in result.output


def test_compare_commands(config, run):
    base = ["--config", str(config), "--run", str(run.path)]
    near = runner.invoke(app, ["similar", "000_786013f1ef10bced#1", "-n", "2", *base])
    assert near.exit_code == 0, near.output
    assert near.output.splitlines()[1].split()[1] == "000_786013f1ef10bced#2"
    both = runner.invoke(
        app, ["compare", "000_786013f1ef10bced#1", "001_ebcc36c3b1595f89#4", *base]
    )
    assert both.exit_code == 0, both.output
    assert "Jensen-Shannon" in both.output and "Shared" in both.output
    finance = runner.invoke(app, ["passages", "--theme", "finance", "-n", "2", "--kwic", *base])
    assert finance.exit_code == 0, finance.output
    assert "【" in finance.output and "keyword" in finance.output
    wrong = runner.invoke(app, ["passages", "--theme", "welfare", *base])
    assert wrong.exit_code == 1 and "no theme 'welfare'" in wrong.output
