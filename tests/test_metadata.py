"""File-level metadata from file names and a sidecar CSV, and topic share by metadata."""

import numpy as np
import pandas as pd
import pytest

from topics.analysis.share import share_by
from topics.corpus.metadata import (
    file_metadata,
    filename_year,
    metadata_columns,
    usable_columns,
)
from topics.corpus.prepare import prepare_corpus
from topics.errors import InputError

TEXT = "第一篇:乡镇财政\n乡镇财政负债沉重,转移支付不足。\n第二篇:村民自治\n村务公开是村民自治的关键。\n"


@pytest.fixture
def reports(tmp_path):
    folder = tmp_path / "reports"
    (folder / "hubei").mkdir(parents=True)
    (folder / "2019_湖北_县乡财政.txt").write_text(TEXT, encoding="utf-8")
    (folder / "hubei" / "2021_湖北_村治.txt").write_text(TEXT.replace("乡镇", "县"), "utf-8")
    (folder / "notes.txt").write_text("干部考核与激励。\n", encoding="utf-8")
    return folder


def test_filename_pattern_gives_columns_on_every_table(reports):
    corpus = prepare_corpus(reports, filename_pattern=r"(?P<year>\d{4})_(?P<province>[^_/]+)_")
    pages = corpus.pages.set_index("path")
    assert pages.loc["2019_湖北_县乡财政.txt", "year"] == 2019
    assert pages.loc["hubei/2021_湖北_村治.txt", "province"] == "湖北"
    assert pd.isna(pages.loc["notes.txt", "year"])
    assert str(corpus.pages["year"].dtype) == "Int64"
    assert metadata_columns(corpus.pages) == ["year", "province"]
    by_article = corpus.articles.set_index("article_id")["year"]
    assert by_article["2019_湖北_县乡财政#2"] == 2019
    assert corpus.paragraphs.groupby("page_id")["year"].first().dropna().tolist() == [2019, 2021]


def test_sidecar_csv_adds_and_overrides_columns(reports):
    (reports / "metadata.csv").write_bytes(
        "file,year,county\nnotes.txt,2020,秭归\n2021_湖北_村治.txt,2022,兴山\n".encode("utf-8-sig")
    )
    corpus = prepare_corpus(reports, filename_pattern=r"(?P<year>\d{4})_")
    year = corpus.pages.set_index("path")["year"]
    assert year.to_dict() == {"2019_湖北_县乡财政.txt": 2019, "hubei/2021_湖北_村治.txt": 2022,
                              "notes.txt": 2020}  # fmt: skip
    assert corpus.pages.set_index("path").loc["notes.txt", "county"] == "秭归"
    assert "metadata.csv" not in set(corpus.pages["path"])


def test_sidecar_in_gbk_from_a_spreadsheet(reports):
    (reports / "metadata.csv").write_bytes("file,地区\nnotes.txt,宜昌\n".encode("gbk"))
    corpus = prepare_corpus(reports)
    assert corpus.pages.set_index("path").loc["notes.txt", "地区"] == "宜昌"


@pytest.mark.parametrize(
    ("csv", "message"),
    [
        ("name,year\nnotes.txt,2019\n", r"metadata\.csv: has no 'file' column"),
        ("file,year\nmissing.txt,2019\n", r"metadata\.csv: line 2: no file 'missing.txt'"),
        ("file,year\nnotes.txt,2019\nnotes.txt,2020\n",
         r"metadata\.csv: line 3: second row for 'notes.txt' \(first on line 2\)"),
        ("file,title\nnotes.txt,x\n", r"metadata\.csv: column\(s\) 'title' clash"),
        ('file,year\n"notes.txt,2019\n', r"metadata\.csv: "),
    ],
)  # fmt: skip
def test_bad_sidecar_names_the_csv_and_the_row(reports, csv, message):
    (reports / "metadata.csv").write_text(csv, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        prepare_corpus(reports)


def test_ambiguous_file_name_and_bad_pattern(reports):
    (reports / "hunan").mkdir()
    for folder in ("hubei", "hunan"):
        (reports / folder / "村务.txt").write_text("村务公开。\n", encoding="utf-8")
    (reports / "metadata.csv").write_text("file,year\n村务.txt,2019\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: '村务.txt' is ambiguous"):
        prepare_corpus(reports)
    (reports / "metadata.csv").write_text("file,year\nhunan/村务.txt,2019\n", encoding="utf-8")
    year = prepare_corpus(reports, year_from_filename=False).pages.set_index("path")["year"]
    assert year.dropna().to_dict() == {"hunan/村务.txt": 2019}
    with pytest.raises(InputError, match=r"corpus.filename_pattern: bad regular expression"):
        file_metadata(["a.txt"], r"(?P<year>\d{4")
    with pytest.raises(InputError, match=r"has no named group"):
        file_metadata(["a.txt"], r"\d{4}")


def test_metadata_file_can_be_switched_off(reports):
    (reports / "metadata.csv").write_text("name\nx\n", encoding="utf-8")
    corpus = prepare_corpus(reports, metadata_file="", year_from_filename=False)
    assert metadata_columns(corpus.pages) == []
    assert metadata_columns(prepare_corpus(reports, metadata_file="").pages) == ["year"]


@pytest.mark.parametrize(
    ("path", "year"),
    [
        ("2019_湖北.txt", 2019),
        ("2019年/乡镇报告.docx", 2019),
        ("report2003.txt", 2003),
        ("1998-2003规划.txt", 1998),
        ("1949.txt", 1949),
        ("1921_中共一大.txt", 1921),  # before 1949 (issue 19, part 7)
        ("1800.txt", 1800),
        ("2100.txt", 2100),
        ("1799_x.txt", None),
        ("2101_x.txt", None),
        ("20191_x.txt", None),  # part of a longer number
        ("000_786013f1ef10bced.txt", None),  # the bundled files: digits of a hash
        ("003_1f2019ab0cde.txt", None),  # a year-like run inside a hash
        ("notes.txt", None),
    ],
)
def test_year_from_file_name(path, year):
    assert filename_year(path) == year


def test_year_column_by_default_and_overridden(reports):
    year = prepare_corpus(reports).pages.set_index("path")["year"]
    assert str(year.dtype) == "Int64"
    assert year.dropna().to_dict() == {
        "2019_湖北_县乡财政.txt": 2019,
        "hubei/2021_湖北_村治.txt": 2021,
    }
    assert "year" not in prepare_corpus(reports, year_from_filename=False).pages
    # a pattern's year wins where it matches; the default fills the rest
    pattern = prepare_corpus(reports, filename_pattern=r"(?P<year>\d\d)_湖北_县")
    assert pattern.pages.set_index("path")["year"].dropna().to_dict() == {
        "2019_湖北_县乡财政.txt": 19, "hubei/2021_湖北_村治.txt": 2021}  # fmt: skip
    (reports / "metadata.csv").write_text("file,year\n2019_湖北_县乡财政.txt,2010\n", "utf-8")
    overridden = prepare_corpus(reports).pages.set_index("path")["year"]
    assert overridden.dropna().to_dict() == {
        "2019_湖北_县乡财政.txt": 2010,
        "hubei/2021_湖北_村治.txt": 2021,
    }


def test_bundled_corpus_gets_no_year(prepared):
    assert metadata_columns(prepared.pages) == []
    assert metadata_columns(prepared.paragraphs) == []


def test_share_by_is_token_weighted_and_skips_duplicates(run, prepared):
    meta = prepared.articles[["article_id", "page_id"]].copy()
    meta["year"] = meta["page_id"].map(lambda p: 2019 if p.startswith(("000", "001")) else 2020)
    table = share_by(run.articles, "year", meta)
    assert table["year"].tolist() == [2019, 2020]
    assert np.allclose(table[run.topic_columns].sum(axis=1), 1.0)
    kept = run.articles[run.articles["duplicate_of"].isna()].merge(meta, on="article_id")
    first = kept[kept["year"] == 2019]
    expected = np.average(first[run.topic_columns], axis=0, weights=first["n_tokens"])
    assert np.allclose(table.loc[0, run.topic_columns].to_numpy(dtype=float), expected)
    assert table["n"].sum() == len(kept)
    # paragraphs give the same shares as articles (articles are token-weighted paragraphs)
    para_meta = prepared.paragraphs[["paragraph_id", "page_id"]].merge(
        meta[["page_id", "year"]].drop_duplicates(), on="page_id"
    )
    by_paragraph = share_by(run.paragraphs, "year", para_meta)
    assert np.allclose(by_paragraph[run.topic_columns], table[run.topic_columns], atol=0.02)


def test_share_by_unknown_column_is_named(run, prepared):
    """Without metadata, the one list of usable columns (the same `topics effect` uses) and how
    to add metadata."""
    from topics.analysis.effects import effect_inputs

    with pytest.raises(InputError, match=r"no metadata column 'year' \(usable columns: page_id; "
                       r"add metadata .*filename_pattern.*metadata\.csv"):  # fmt: skip
        share_by(run.articles, "year", prepared.articles)
    assert usable_columns(prepared.articles) == ["page_id"]
    assert usable_columns(prepared.paragraphs) == ["page_id", "article_id"]
    units = effect_inputs(run, prepared, "article").units
    assert [c for c in units.columns if c != "article_id"] == usable_columns(prepared.articles)
    units = effect_inputs(run, prepared, "paragraph").units
    assert [c for c in units.columns if c != "paragraph_id"] == usable_columns(prepared.paragraphs)
