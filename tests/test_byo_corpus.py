"""Bring your own corpus, end to end through the command line: a folder of .txt (several
encodings and layouts), .docx and .html reports with metadata in file names and a sidecar CSV;
``topics prepare --input DIR && topics fit && topics share --by year && topics infer``."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from topics import pipeline
from topics.cli import app
from topics.config import Settings

runner = CliRunner()
PLACES = ["湖北", "湖南", "四川"]


def _docx(path, paragraphs):
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path)


@pytest.fixture(scope="module")
def my_reports(prepared, tmp_path_factory):
    """Twelve reports cut from the bundled paragraphs, in every supported form."""
    folder = tmp_path_factory.mktemp("my_reports")
    paragraphs = prepared.modelling_paragraphs()["text"].tolist()
    rows = ["file,level"]
    for n in range(12):
        year, place = 2019 + n % 3, PLACES[n % 3]
        chunk = paragraphs[n * 15 : n * 15 + 15]
        title = f"{place}乡镇治理调研报告{n}"
        stem = f"{year}_{place}_{n:02d}"
        if n % 4 == 0:
            name = f"{stem}.docx"
            _docx(folder / name, [title, *chunk])
        elif n % 4 == 1:
            name = f"{stem}.html"
            body = "".join(f"<p>{p}</p>" for p in chunk)
            html = f"<html><body><nav>首页</nav><h1>{title}</h1>{body}</body></html>"
            (folder / name).write_bytes(html.encode("gbk", errors="ignore"))
        elif n % 4 == 2:  # hard-wrapped at 40 characters, paragraphs in blank-line blocks
            name = f"{stem}.txt"
            wrapped = ["\n".join(p[i : i + 40] for i in range(0, len(p), 40)) for p in chunk]
            (folder / name).write_text(title + "\n\n" + "\n\n".join(wrapped) + "\n", "utf-8")
        else:
            name = f"{stem}.txt"
            text = title + "\n" + "\n".join(chunk) + "\n"
            (folder / name).write_bytes(text.encode("utf-16"))
        rows.append(f"{name},{'县' if n % 2 else '乡'}")
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def config(my_reports, tmp_path_factory):
    out = tmp_path_factory.mktemp("my_project")
    path = out / "topics.toml"
    path.write_text(
        f"""[paths]
raw = "{out / "unused"}"
processed = "{out / "processed"}"
cache = "{out / "interim"}"
runs = "{out / "runs"}"
figures = "{out / "figures"}"

[corpus]
filename_pattern = '^(?P<year>\\d{{4}})_(?P<place>[^_]+)_'

[model]
k = 3
passes = 5
no_below = 2
themes = []
""",
        encoding="utf-8",
    )
    return path


def test_prepare_fit_share_infer(my_reports, config, tmp_path):
    result = runner.invoke(app, ["prepare", "-q", "--input", str(my_reports), "-c", str(config)])
    assert result.exit_code == 0, result.output
    settings = Settings.load(config)
    corpus = pipeline.load_prepared(settings.path(settings.paths.processed))
    pages = corpus.pages.set_index("path")
    assert len(pages) == 12 and corpus.problems.empty
    assert set(pages["layout"]) >= {"lines", "blocks"}
    assert pages["encoding"].str.startswith(("docx", "html:", "utf-16")).sum() == 9
    assert pages.loc["2019_湖北_00.docx", ["year", "place", "level"]].tolist() == [
        2019,
        "湖北",
        "乡",
    ]
    assert corpus.paragraphs["year"].notna().all()

    result = runner.invoke(app, ["fit", "-q", "-c", str(config)])  # uses the prepared folder
    assert result.exit_code == 0, result.output
    run = pipeline.open_run(Settings.load(config), check=False)
    assert set(run.paragraphs["page_id"]) == set(corpus.pages["page_id"])

    out = tmp_path / "by_year.csv"
    result = runner.invoke(app, ["share", "--by", "year", "-c", str(config), "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert table["year"].tolist() == [2019, 2020, 2021]
    # by hand: each year's articles (no duplicates here), their shares weighted by tokens
    articles = run.articles.merge(corpus.articles[["article_id", "year"]], on="article_id")
    assert articles["duplicate_of"].isna().all()
    for row in table.itertuples():
        group = articles[articles["year"] == row.year]
        weights = group["n_tokens"] / group["n_tokens"].sum()
        expected = (group[["T1", "T2", "T3"]].mul(weights, axis=0)).sum()
        assert [row.T1, row.T2, row.T3] == pytest.approx(expected.tolist(), abs=1e-6)
        assert (row.n, row.n_tokens) == (len(group), group["n_tokens"].sum())
    result = runner.invoke(app, ["share", "--by", "province", "-c", str(config)])
    assert result.exit_code == 1 and "no metadata column 'province'" in result.output

    # a copy of one of the reports, under a new name: inferred, its mix is that report's
    new = tmp_path / "new.docx"
    new.write_bytes((my_reports / "2019_湖北_00.docx").read_bytes())
    out = tmp_path / "new.csv"
    result = runner.invoke(app, ["infer", str(new), "-q", "-c", str(config), "-o", str(out)])
    assert result.exit_code == 0, result.output
    inferred = pd.read_csv(out, encoding="utf-8-sig").iloc[0]
    assert inferred["document"] == "new"
    mixes = run.articles.set_index("article_id")[["T1", "T2", "T3"]]
    distance = (mixes - inferred[["T1", "T2", "T3"]].astype(float)).abs().sum(axis=1)
    original = pages.at["2019_湖北_00.docx", "page_id"]
    assert distance.idxmin().startswith(original) and distance.min() < 0.1, distance


def test_the_input_folder_becomes_the_projects_corpus(my_reports, tmp_path):
    """``prepare --input`` writes the folder into topics.toml (the rest kept); a plain
    ``prepare`` then stays on it; another folder in the config is prepared with a warning."""
    text = """# my project
[paths]   # where things are
raw = "data/raw"   # the pages
processed = "processed"
cache = "interim"

[corpus]
filename_pattern = '^(?P<year>\\d{4})_'
"""
    config = tmp_path / "topics.toml"
    config.write_text(text, encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["prepare", "-q", "--input", str(empty), "-c", str(config)])
    assert result.exit_code == 1 and config.read_text(encoding="utf-8") == text  # failed: kept
    result = runner.invoke(app, ["prepare", "-q", "--input", str(my_reports), "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert f"{my_reports} is the corpus now ([paths] raw in {config})" in result.output
    assert config.read_text(encoding="utf-8") == text.replace('"data/raw"', f'"{my_reports}"')
    result = runner.invoke(app, ["prepare", "-q", "-c", str(config)])
    assert result.exit_code == 0 and "warning" not in result.output, result.output
    settings = Settings.load(config)
    assert len(pipeline.load_prepared(settings.path(settings.paths.processed)).pages) == 12

    inside = tmp_path / "reports"  # inside the project: recorded relative to it
    inside.mkdir()
    (inside / "2020_a.txt").write_text("乡镇财政负债沉重,转移支付不足。\n", encoding="utf-8")
    result = runner.invoke(app, ["prepare", "-q", "--input", str(inside), "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert 'raw = "reports"   # the pages' in config.read_text(encoding="utf-8")
    config.write_text(text.replace('"data/raw"', f'"{my_reports}"'), encoding="utf-8")
    result = runner.invoke(app, ["prepare", "-q", "-c", str(config)])  # edited by hand
    assert result.exit_code == 0, result.output
    assert f"prepared from {inside} before, now from {my_reports}" in result.output


def test_a_config_that_cannot_record_the_corpus_is_refused_before_preparing(my_reports, tmp_path):
    config = tmp_path / "topics.toml"
    text = f'paths = {{ raw = "data/raw", processed = "{tmp_path / "processed"}" }}\n'
    config.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["prepare", "-q", "--input", str(my_reports), "-c", str(config)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{config}: cannot record {my_reports} as the corpus" in result.output
    assert f'set [paths] raw = "{my_reports}" yourself' in result.output
    assert config.read_text(encoding="utf-8") == text
    assert not (tmp_path / "processed").exists()
