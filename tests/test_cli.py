"""The command line: help everywhere, summaries printed, errors as one line without traceback."""

import enum
import re
import typing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from topics.cli import app

runner = CliRunner()
README = Path(__file__).resolve().parents[1] / "README.md"
COMMANDS = [
    "prepare",
    "tokens",
    "fit",
    "select-k",
    "show",
    "infer",
    "similar",
    "compare",
    "passages",
    "share",
    "effect",
    "words-by",
    "figures",
    "report",
]
READS_A_RUN = {"show", "infer", "similar", "compare", "passages", "share", "effect", "words-by"}
WRITES_A_TABLE = {"select-k", "show", "infer", "similar", "passages", "share", "effect",
                  "words-by"}  # fmt: skip
HAS_PROGRESS = {"prepare", "tokens", "fit", "select-k", "infer", "figures", "words-by", "report"}


def _enum(annotation) -> type[enum.Enum] | tuple:
    """The Enum of an option's annotation (``Level`` or ``Level | None``), else ()."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return candidate
    return ()


def cli_options() -> dict[str, dict[str, tuple[str, ...]]]:
    """Command → option name (short and long) → its choices (empty when free)."""
    group = typer.main.get_command(app)
    table = {}
    for name, command in group.commands.items():
        options = {}
        for param in command.params:
            if param.param_type_name == "option" and "--help" not in param.opts:
                choices = tuple(m.value for m in _enum(param.type_descriptor.annotation))
                options.update({opt: choices for opt in param.opts})
        table[name] = options
    return table


def readme_options() -> dict[str, dict[str, tuple[str, ...]]]:
    """The same, read from the README's command table (choices written ``a|b``)."""
    table = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)]
        match = re.fullmatch(r"`topics ([a-z-]+)[^`]*`", cells[2]) if len(cells) > 3 else None
        if not match:
            continue
        options = {}
        for token in re.findall(r"`([^`]+)`", cells[3]):
            names, _, value = token.partition(" ")
            choices = tuple(value.replace("\\|", "|").split("|")) if "|" in value else ()
            options.update({name: choices for name in names.split("/")})
        table[match.group(1)] = options
    return table


def test_help_and_the_readme_describe_the_same_commands_and_options():
    cli, readme = cli_options(), readme_options()
    assert set(readme) == set(cli) == set(COMMANDS)
    for command, options in cli.items():
        assert set(readme[command]) == set(options), command
        for name, choices in options.items():
            if choices:
                assert set(readme[command][name]) == set(choices), (command, name)


def test_every_command_has_help():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output
        sub = runner.invoke(app, [command, "--help"])
        assert sub.exit_code == 0, command
        assert "--config" in sub.output and "-c" in sub.output
        options = cli_options()[command]
        assert ("--run" in options) == (command in READS_A_RUN), command
        assert ("--output" in options) == (command in WRITES_A_TABLE), command
        assert ("--quiet" in options) == (command in HAS_PROGRESS), command
        for long, short in (("--config", "-c"), ("--run", "-r"), ("--output", "-o"), ("--quiet", "-q")):  # fmt: skip
            assert (long in options) == (short in options), (command, long)


@pytest.fixture
def config(write_config, tmp_path):
    """A topics.toml pointing at the bundled raw pages and temp outputs."""
    return write_config(tmp_path, processed=tmp_path / "processed")


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
    """Without ``--run``, show and infer read the run that ``latest`` names: a K = 6 fit made
    after the session's K = 8 run, then the K = 8 run once ``latest`` names it again."""
    import shutil

    from topics.model.runs import load_run

    runs = tmp_path / "runs"
    text = config.read_text(encoding="utf-8").replace(
        f'runs = "{run.path.parent}"', f'runs = "{runs}"'
    )
    assert text != config.read_text(encoding="utf-8")
    config.write_text(text, encoding="utf-8")
    shutil.copytree(run.path, runs / run.path.name)
    fitted = runner.invoke(app, ["fit", "-k", "6", "-q", "--config", str(config)])
    assert fitted.exit_code == 0, fitted.output
    six = load_run(runs / (runs / "latest").read_text(encoding="utf-8").strip())
    assert six.k == 6 and six.path.name != run.path.name
    doc = tmp_path / "doc.txt"
    doc.write_text("乡镇财政负债沉重,转移支付不足,财力紧张。\n", encoding="utf-8")
    for latest in (six, run):
        (runs / "latest").write_text(latest.path.name + "\n", encoding="utf-8")
        shown = runner.invoke(app, ["show", "--config", str(config)])
        assert shown.exit_code == 0, shown.output
        floor, ceiling = latest.topics[["stability_floor", "stability_ceiling"]].iloc[0]
        cut = floor + (ceiling - floor) / 2  # the run's threshold, midway
        assert f"below {cut:.2f}, midway between them, marked !" in shown.output
        for row in latest.topics.itertuples():  # each topic's stability, unstable ones marked "!"
            mark = "!" if row.stability < cut else " "
            assert f"{row.stability:.2f}{mark} {row.label}" in shown.output
        assert f"T{latest.k + 1}" not in shown.output
        out = tmp_path / f"shares{latest.k}.csv"
        result = runner.invoke(
            app, ["infer", str(doc), "--config", str(config), "-o", str(out), "-q"]
        )
        assert result.exit_code == 0, result.output
        shares = pd.read_csv(out, encoding="utf-8-sig")
        topics = [c for c in shares.columns if re.fullmatch(r"T\d+", c)]
        assert topics == latest.topic_columns
        assert shares.loc[0, topics].sum() == pytest.approx(1)
        # the topic seeded with finance (at K = 6 it does not form: it carries no label)
        finance = f"T{latest.topics.set_index('seeded_theme').at['finance', 'topic']}"
        assert shares.loc[0, topics].idxmax() == finance, shares.loc[0, topics]
        assert (tmp_path / f"shares{latest.k}_paragraphs.csv").exists()


def test_select_k_says_when_the_best_k_is_at_the_edge(config):
    result = runner.invoke(
        app, ["select-k", "--config", str(config), "--ks", "6,8", "--resamples", "1", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "stable_topics" in result.output and "recommended K = 8" in result.output
    assert "note: K = 8 is the largest K of the grid [6, 8]" in result.output
    seeds = config.with_name("seeds.toml")
    text = config.read_text(encoding="utf-8").replace(
        "[select_k]\n", "[select_k]\nseeds = [1, 2]\n"
    )
    seeds.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["select-k", "--config", str(seeds), "-q"])
    assert result.exit_code == 1 and "[select_k] has unknown setting 'seeds'" in result.output


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
    assert wrong.exit_code == 1 and "theme 'welfare' labels no topic" in wrong.output


BAD_OPTIONS = [  # (arguments, what the usage error names): rejected before any work is done
    (["show", "--method", "cosine"], "'cosine' is not one of"),
    (["show", "-n", "-3"], "'-n': Input should be greater than or equal to 1"),
    (["show", "--lambda", "5"], "'--lambda': Input should be less than or equal to 1"),
    (
        ["similar", "000#1", "--metric", "cosine"],
        "'cosine' is not one of 'jensen_shannon', 'hellinger'",
    ),  # fmt: skip
    (["similar", "000#1", "--level", "bogus"], "'bogus' is not one of 'article', 'paragraph'"),
    (["similar", "000#1", "-n", "-5"], "'-n': Input should be greater than or equal to 1"),
    (["share", "--by", "year", "--level", "page"], "'page' is not one of"),
    (
        ["share", "--by", "year", "-o", "x.png"],
        "x.png: cannot write a table as .png (use .csv, .parquet, .xlsx, .tex, .md)",
    ),  # fmt: skip
    (["passages", "--theme", "finance", "-o", "x"], "x: cannot write a table as no suffix"),
    (["effect", "~ year", "--level", "page"], "'page' is not one of 'article', 'paragraph'"),
    (["effect", "~ year", "--draws", "0"], "'--draws': Input should be greater than or equal to 1"),
    (["effect", "~ year", "-o", "x.png"], "x.png: cannot write a table as .png"),
    (["fit", "--k", "1"], "'-k': Input should be greater than or equal to 2"),
    (["select-k", "--ks", "4-x"], "expected '4-16' or '4,6,8', got '4-x'"),
]


@pytest.mark.parametrize(("args", "message"), BAD_OPTIONS)
def test_bad_option_values_are_one_line_usage_errors(tmp_path, args, message):
    result = runner.invoke(app, [*args, "-c", str(tmp_path / "absent.toml")])
    assert result.exit_code == 2, result.output  # a usage error: the command never ran
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0], result.output
    assert "Traceback" not in result.output and not (tmp_path / "x.png").exists()


def test_bad_k_grid_names_the_setting(tmp_path):
    config = tmp_path / "topics.toml"
    config.write_text("[corpus]\n", encoding="utf-8")
    result = runner.invoke(app, ["select-k", "--ks", "1-3", "-c", str(config)])
    assert result.exit_code == 1, result.output
    assert (
        "select_k.ks must be a non-empty list of integers from 2 to 1000, not [1, 3]"
        in result.output
    )


def test_short_ids_as_in_the_figures(config, run):
    base = ["--config", str(config), "--run", str(run.path)]
    full = runner.invoke(app, ["similar", "000_786013f1ef10bced#1", "-n", "3", *base])
    short = runner.invoke(app, ["similar", "000#1", "-n", "3", *base])
    assert full.exit_code == short.exit_code == 0, short.output
    assert short.output == full.output and len(short.output.splitlines()) == 4
    paragraph = runner.invoke(app, ["similar", "003#1/p032", "-n", "2", *base])
    assert paragraph.exit_code == 0, paragraph.output
    assert paragraph.output.splitlines()[1].split()[1].startswith("003_c52d0679af3027a5#1/p")
    both = runner.invoke(app, ["compare", "000#1", "001#4", "--passages", "0", *base])
    assert "A  000_786013f1ef10bced#1" in both.output and "B  001_ebcc36c3b1595f89#4" in both.output
    wrong = runner.invoke(app, ["similar", "009#1", *base])
    assert wrong.exit_code == 1 and "no article or paragraph '009#1'" in wrong.output


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx", ".tex", ".md"])
def test_show_writes_the_format_its_suffix_names(config, run, tmp_path, suffix):
    out = tmp_path / f"topics{suffix}"
    base = ["--config", str(config), "--run", str(run.path)]
    result = runner.invoke(app, ["show", "-n", "4", "-o", str(out), *base])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    first = run.terms(n=4)
    first = " ".join(first[(first["topic"] == 1) & (first["method"] == "relevance")]["term"])
    readers = {".csv": pd.read_csv, ".parquet": pd.read_parquet, ".xlsx": pd.read_excel}
    if suffix in readers:
        table = readers[suffix](out)
        assert table["topic"].tolist() == [f"T{k}" for k in range(1, run.k + 1)]
        assert table["terms"].iloc[0] == first
        expected = run.topics["prevalence"].to_numpy()
        np.testing.assert_allclose(table["prevalence"], expected, rtol=1e-12)  # not rounded
    else:
        text = out.read_text(encoding="utf-8")
        assert first in text and text.count("\n") >= run.k + 2
        assert ("\\toprule" in text) == (suffix == ".tex")
        assert (text.startswith("| topic | prevalence |")) == (suffix == ".md")
        # for pasting: topics named, shares as percent with one decimal, a caption and a label
        share = f"{run.topics['prevalence'].iloc[0]:.1%}".replace(
            "%", "\\%" if suffix == ".tex" else "%"
        )
        assert f"T1 {'&' if suffix == '.tex' else '|'} {share} " in text
        assert "0.0454" not in text and "0.045469" not in text
        if suffix == ".tex":
            assert "\\caption{Topics of run " in text and "\\label{tab:topics}" in text


def test_similar_and_passages_export(config, run, tmp_path):
    base = ["--config", str(config), "--run", str(run.path)]
    near = tmp_path / "near.parquet"
    result = runner.invoke(app, ["similar", "000#1", "-n", "3", "-o", str(near), *base])
    assert result.exit_code == 0, result.output
    assert pd.read_parquet(near)["id"].iloc[0] == "000_786013f1ef10bced#2"
    found = tmp_path / "finance.md"
    result = runner.invoke(app, ["passages", "--theme", "finance", "-n", "2", "-o", str(found), *base])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert found.read_text(encoding="utf-8").count("\n") == 2 + 2


def test_similar_names_topics_like_everywhere_and_prints_no_nan(config, run, tmp_path):
    """T1 … TK in printed and exported tables; an empty duplicate_of cell, never NaN."""
    base = ["--config", str(config), "--run", str(run.path)]
    out = tmp_path / "similar.csv"
    result = runner.invoke(app, ["similar", "000#1", "-o", str(out), *base])
    assert result.exit_code == 0, result.output
    assert "NaN" not in result.output and re.search(r" T\d+ ", result.output)
    table = pd.read_csv(out, keep_default_na=False)
    assert table["shared_topic"].str.fullmatch(r"T\d+").all()
    shown = runner.invoke(app, ["show", "--all", *base])
    assert re.search(r"(?m)^ +T1 +probability", shown.output), shown.output
