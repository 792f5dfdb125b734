"""Corpus preparation on the bundled pages and on small made-up pages."""

import re
from pathlib import Path

import pandas as pd
import pytest

from topics.corpus.cleaning import load_furniture, normalise_line
from topics.corpus.prepare import Line, join_broken_lines, prepare_corpus
from topics.errors import InputError

FURNITURE = [
    "下载本文", "点此处下载文档", "相关范文推荐", "免责声明", "声明:本文内容", "http", "www.",
    "更多请搜索", "当前位置", "写写帮文库", "本站为你精心整理", "龙源期刊网", "文档为doc格式",
    "由互联网用户整理提供", "《改进和完善乡镇执政方式与研究》",
]  # fmt: skip


def test_bundled_corpus_has_sixteen_articles(prepared):
    assert len(prepared.pages) == 4
    assert len(prepared.articles) == 16
    assert prepared.articles.groupby("page_id").size().tolist() == [5, 5, 5, 1]


def test_article_titles_come_from_markers(prepared):
    titles = prepared.articles.set_index("article_id")["title"]
    assert titles["000_786013f1ef10bced#2"] == "改进和完善乡镇执政方式研究"
    assert titles["001_ebcc36c3b1595f89#4"].startswith("建立村组运转协调机制推动乡村治理")
    # a page without markers is one article titled by its first line
    assert (
        titles["003_c52d0679af3027a5#1"]
        == "以领导班子和领导干部队伍建设为抓手切实加强党的执政能力建设"
    )


def test_known_near_duplicates_are_flagged(prepared):
    articles = prepared.articles.set_index("article_id")
    copy = articles.loc["000_786013f1ef10bced#2"]
    assert copy["duplicate_of"] == "000_786013f1ef10bced#1"
    assert copy["duplicate_jaccard"] > 0.9
    contained = articles.loc["002_f5720e37d39fd83a#1"]
    assert contained["duplicate_of"] == "002_f5720e37d39fd83a#2"
    assert contained["duplicate_containment"] > 0.85
    assert articles["duplicate_of"].notna().sum() == 2
    # same title, different text: not duplicates
    assert pd.isna(articles.loc["000_786013f1ef10bced#4", "duplicate_of"])


def test_duplicate_paragraphs_point_to_kept_articles(prepared):
    paragraphs = prepared.paragraphs
    dups = paragraphs[paragraphs["duplicate_of"].notna()]
    assert len(dups) >= 24  # every paragraph of 000#2 repeats one of 000#1
    assert (dups["article_id"] == "000_786013f1ef10bced#2").sum() == 24
    originals = paragraphs.set_index("paragraph_id").loc[dups["duplicate_of"]]
    assert originals["duplicate_of"].isna().all()
    kept_articles = set(
        prepared.articles.loc[prepared.articles["duplicate_of"].isna(), "article_id"]
    )
    assert set(originals["article_id"]) <= kept_articles
    assert len(prepared.modelling_paragraphs()) == len(paragraphs) - len(dups)


def test_no_furniture_left_in_any_paragraph(prepared):
    text = "\n".join(prepared.paragraphs["text"])
    for marker in FURNITURE:
        assert marker not in text, marker
    assert not re.search(r"^-\d+-$", text, flags=re.M)
    assert not re.search(r"第[一二三四五六七八九十]+篇[::]", text)


def test_headings_are_sections_not_paragraphs(prepared):
    paragraphs = prepared.paragraphs.set_index("paragraph_id")
    first = paragraphs.loc["000_786013f1ef10bced#1/p003"]
    assert first["section"] == "一、乡镇调控力现状 > (一)调控主体能力偏弱"
    assert "一、乡镇调控力现状" not in set(prepared.paragraphs["text"])
    # a numbered item followed by its sibling is a paragraph, not a heading
    assert "3、结合实际,做好乡村撤并工作。" in set(prepared.paragraphs["text"])


def test_lines_broken_by_page_numbers_are_joined(prepared):
    # 002 line 86 ends "…运行机制,促" and line 88 goes on "进了社区党建…" after the page number "-1-"
    across = prepared.paragraphs.set_index("paragraph_id").loc["002_f5720e37d39fd83a#4/p004"]
    assert "提出了“小社区、大服务”的工作思路" in across["text"]
    assert "运行机制,促进了社区党建工作的制度化" in across["text"]
    assert "-1-" not in across["text"]
    assert (across["line_start"], across["line_end"]) == (86, 88)
    joined = prepared.paragraphs.set_index("paragraph_id").loc["001_ebcc36c3b1595f89#4/p009"]
    assert "由于乡镇经济发展步伐不快" in joined["text"]
    assert (joined["line_start"], joined["line_end"]) == (98, 100)


def test_journal_metadata_moves_to_fields(prepared):
    article = prepared.articles.set_index("article_id").loc["000_786013f1ef10bced#3"]
    assert article["author"] == "刘兴华"
    assert "神州" in article["source"]
    assert "执政方式" in article["keywords"]
    assert article["abstract"].startswith("新的历史时期")
    refs = prepared.articles.set_index("article_id").loc["002_f5720e37d39fd83a#3", "references"]
    assert "十七大报告辅导读本" in refs
    assert "十七大报告辅导读本" not in "\n".join(prepared.paragraphs["text"])


def test_every_character_is_accounted_for(prepared):
    summary = prepared.summary()
    assert summary["characters in raw pages"] == (
        summary["characters kept in paragraphs"]
        + summary["characters moved to titles, headings, metadata"]
        + summary["characters dropped"]
    )
    assert summary["characters dropped"] < 0.03 * summary["characters in raw pages"]


def test_ids_are_stable_and_readable(prepared):
    ids = prepared.paragraphs["paragraph_id"]
    assert ids.is_unique
    assert ids.str.fullmatch(r"\d{3}_[0-9a-f]{16}#\d+/p\d{3}").all()
    again = prepare_corpus(prepared.pages.attrs.get("root", "data/raw"))
    assert again.paragraphs["paragraph_id"].tolist() == ids.tolist()


def test_letter_spaced_headings_are_joined():
    assert normalise_line("创 新 运 行 机 制 点 燃 创 争 激 情") == "创新运行机制点燃创争激情"
    assert normalise_line("党的领导方式 问题 改进") == "党的领导方式 问题 改进"


def test_join_broken_lines_keeps_headings_apart():
    lines = [Line("一、乡镇财政", 1, 1), Line("乡镇财力不足。由于乡镇经济发展步伐不快和财税体制改革的影响,财政收入来源窄,而税费改革后给予乡镇的转移支付资金是", 2, 2),
             Line("一个固定数。", 4, 4), Line("二、村民自治", 5, 5)]  # fmt: skip
    joined = join_broken_lines(lines)
    assert [line.text for line in joined] == [
        "一、乡镇财政",
        "乡镇财力不足。由于乡镇经济发展步伐不快和财税体制改革的影响,财政收入来源窄,而税费改革后给予乡镇的转移支付资金是一个固定数。",
        "二、村民自治",
    ]  # fmt: skip
    assert (joined[1].start, joined[1].end) == (2, 4)


def test_page_without_markers_is_one_article(tmp_path):
    (tmp_path / "report.txt").write_text(
        "乡镇财政调研报告\n\n一、基本情况\n\n乡镇财政收入少,负债多。\n\n二、对策\n\n加强转移支付。\n",
        encoding="utf-8",
    )
    corpus = prepare_corpus(tmp_path)
    assert corpus.articles["title"].tolist() == ["乡镇财政调研报告"]
    assert corpus.paragraphs["text"].tolist() == ["乡镇财政收入少,负债多。", "加强转移支付。"]
    assert corpus.paragraphs["section"].tolist() == ["一、基本情况", "二、对策"]


def test_bad_files_are_reported_not_fatal(tmp_path):
    (tmp_path / "good.txt").write_text(
        "第一篇:村民自治\n村务公开是村民自治的关键。\n", encoding="utf-8"
    )
    (tmp_path / "gbk.txt").write_bytes("第一篇:财政\n乡镇财政负债沉重。\n".encode("gbk"))
    (tmp_path / "utf16.txt").write_bytes("第一篇:考核\n干部考核与激励。\n".encode("utf-16"))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    corpus = prepare_corpus(tmp_path)
    assert sorted(corpus.articles["title"]) == ["村民自治", "考核", "财政"]
    assert sorted(corpus.problems["path"]) == ["binary.txt", "empty.txt"]
    assert set(corpus.pages["encoding"]) == {"utf-8", "gb18030", "utf-16"}


def test_bad_furniture_rules_name_the_file(tmp_path):
    rules = tmp_path / "furniture.toml"
    rules.write_text("[drop_lines]\nbroken = '([unclosed'\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"furniture\.toml: rule drop_lines\.broken: bad regular"):
        load_furniture(rules)
    rules.write_text("[drop_lines\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        load_furniture(rules)


def test_a_backtracking_filename_pattern_is_stopped_and_named(tmp_path):
    name = "a" * 40 + "!.txt"
    (tmp_path / name).write_text("乡镇财政负债沉重,转移支付不足。\n", encoding="utf-8")
    # the pattern: the regex engine needs no backtracking for it, so it simply fails
    corpus = prepare_corpus(tmp_path, filename_pattern="(?P<x>(a+)+$)")
    assert corpus.pages["x"].isna().all()
    # one it cannot shortcut runs into the timeout, and the error names pattern and file
    pattern = "(?P<x>(a|aa)+$)"
    with pytest.raises(InputError) as caught:
        prepare_corpus(tmp_path, filename_pattern=pattern)
    message = str(caught.value)
    assert message.startswith(f"{name}: corpus.filename_pattern {pattern!r} takes over 1 s")
    assert "\n" not in message


def test_a_paragraph_is_filed_under_its_own_section(tmp_path):
    """An unnumbered heading inside one numbered section does not head the next one."""
    from topics.corpus.prepare import prepare_corpus

    (tmp_path / "raw").mkdir()
    lines = ["年度工作报告", "一、经济建设", "经济运行总体平稳,主要指标好于预期,就业形势稳定。",
             "城市轨道交通", "城市轨道交通建设加快推进,新增运营里程较多,服务水平提高。",
             "二、外交工作", "全方位外交取得新进展,同各国友好合作不断深化,影响力提升。"]  # fmt: skip
    (tmp_path / "raw" / "report.txt").write_text("\n".join(lines), encoding="utf-8")
    paragraphs = prepare_corpus(tmp_path / "raw").paragraphs.set_index("text")["section"]
    assert paragraphs[lines[4]] == "一、经济建设 > 城市轨道交通"
    assert paragraphs[lines[6]] == "二、外交工作"


def test_a_notice_repeated_in_most_files_is_furniture(tmp_path, prepared):
    """A public-domain notice at the end of every file is removed and reported like the other
    furniture rules; the paragraphs are those of the files without it."""
    from topics.analysis.reports import corpus_text
    from topics.corpus.boilerplate import REASON
    from topics.corpus.prepare import prepare_corpus

    raw = Path(__file__).resolve().parents[1] / "data" / "raw"
    notice = "本文收录于公共领域文献汇编,依据知识共享许可协议发布,可自由复制、传播和改编。"
    (tmp_path / "raw").mkdir()
    for path in sorted(raw.iterdir()):
        text = path.read_text(encoding="utf-8").rstrip("\n") + f"\n{notice}\n"
        (tmp_path / "raw" / path.name).write_text(text, encoding="utf-8")
    corpus = prepare_corpus(tmp_path / "raw")
    assert notice not in set(corpus.paragraphs["text"])
    assert corpus.paragraphs["text"].tolist() == prepared.paragraphs["text"].tolist()
    removed = corpus.removed[corpus.removed["text"] == notice]
    assert removed["page_id"].nunique() == 4  # in every file, by this rule or another
    assert REASON in set(removed["reason"]) and REASON in corpus_text(corpus)
