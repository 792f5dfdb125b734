"""Paragraph layout: one per line, blank-line blocks of wrapped lines, wrapped without blanks."""

import re

import pytest

from topics.corpus.layout import detect_layout, display_width, join_wrapped, split_long_line
from topics.corpus.prepare import prepare_corpus
from topics.corpus.runon import RUN_ON_PARAGRAPH_CHARS, run_on_units
from topics.corpus.sections import MAX_HEADING_CHARS

PARAGRAPHS = [
    "乡镇财政负债问题突出，由于乡镇经济发展步伐不快和财税体制改革的影响，财政收入来源窄，"
    "而税费改革后给予乡镇的转移支付资金是一个固定常数，乡镇的财政收入短期内难有大幅度的增长。",
    "村民自治功能弱化。乡镇政府习惯于把村委会当作自己直接的下属行政组织，控制村委会的独立性，"
    "导致村委会的行政化，疏远了村干部和群众的关系。",
    "干部考核与激励机制不健全，考核结果与工资挂钩，缺乏科学的评价机制和激励机制，"
    "各村普遍反映达标升级活动多、需要农户签字的多、一票否决的多。",
]


def wrap(text: str, width: int = 40) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)]


def wrap_columns(text: str, columns: int = 60) -> list[str]:
    """Wrap at ``columns`` display columns, never inside a Latin word (as editors do)."""
    lines, line = [], ""
    for unit in re.findall(r"[A-Za-z]+ ?|.", text):
        if display_width(line + unit.rstrip()) > columns:
            lines.append(line.rstrip())
            line = ""
        line += unit
    return lines + [line]


def prepared_paragraphs(tmp_path, text: str, **options) -> tuple[list[str], str]:
    (tmp_path / "report.txt").write_text(text, encoding="utf-8")
    corpus = prepare_corpus(tmp_path, **options)
    return corpus.paragraphs["text"].tolist(), corpus.pages["layout"].iloc[0]


def test_bundled_pages_are_one_paragraph_per_line(prepared):
    assert set(prepared.pages["layout"]) == {"lines"}
    assert len(prepared.paragraphs) == 238


def test_blank_line_blocks_of_wrapped_lines_are_paragraphs(tmp_path):
    text = "乡镇治理调研报告\n\n" + "\n\n".join("\n".join(wrap(p)) for p in PARAGRAPHS) + "\n"
    paragraphs, layout = prepared_paragraphs(tmp_path, text)
    assert layout == "blocks"
    assert paragraphs == PARAGRAPHS


def test_heading_directly_above_a_wrapped_block_stays_a_heading(tmp_path):
    text = (
        "乡镇治理调研报告\n\n一、财政\n" + "\n".join(wrap(PARAGRAPHS[0])) + "\n\n二、自治\n"
        + "\n".join(wrap(PARAGRAPHS[1])) + "\n\n" + "\n".join(wrap(PARAGRAPHS[2])) + "\n"
    )  # fmt: skip
    (tmp_path / "report.txt").write_text(text, encoding="utf-8")
    corpus = prepare_corpus(tmp_path)
    assert corpus.paragraphs["text"].tolist() == PARAGRAPHS
    assert corpus.paragraphs["section"].tolist() == ["一、财政", "二、自治", "二、自治"]


def test_wrapped_without_blank_lines_splits_at_short_or_indented_lines(tmp_path):
    indented = "\n".join("\u3000\u3000" + "\n".join(wrap(p)) for p in PARAGRAPHS)
    paragraphs, layout = prepared_paragraphs(tmp_path, "乡镇治理调研报告\n" + indented + "\n")
    assert layout == "wrapped"
    assert paragraphs == PARAGRAPHS
    plain = "\n".join("\n".join(wrap(p)) for p in PARAGRAPHS)
    paragraphs, layout = prepared_paragraphs(tmp_path, "乡镇治理调研报告\n" + plain + "\n")
    assert layout == "wrapped" and len(paragraphs) >= 2  # short last lines end paragraphs


def test_wrapping_by_display_columns_is_found(tmp_path):
    mixed = [p.replace("转移支付", "transfer payments 转移支付") for p in PARAGRAPHS]
    text = "\n\n".join("\n".join(wrap_columns(p)) for p in mixed)
    paragraphs, layout = prepared_paragraphs(tmp_path, text + "\n")
    assert layout == "blocks"
    assert paragraphs == mixed


def test_layout_can_be_forced(tmp_path):
    text = "\n\n".join("\n".join(wrap(p)) for p in PARAGRAPHS)
    paragraphs, layout = prepared_paragraphs(tmp_path, text, layout="lines")
    assert layout == "lines"
    assert len(paragraphs) > len(PARAGRAPHS)  # every line its own paragraph
    with pytest.raises(Exception, match="corpus.layout must be one of"):
        prepare_corpus(tmp_path, layout="columns")


def test_detect_layout_needs_evidence():
    assert detect_layout(["乡镇财政。", "村民自治。"]).kind == "lines"
    lines = [line for p in PARAGRAPHS for line in [*wrap(p), ""]]
    found = detect_layout(lines)
    assert (found.kind, found.width, found.columns) == ("blocks", 40, False)
    # full lines that end sentences are a list of sentences, not a wrapped text
    assert detect_layout(["乡镇财政负债问题突出,转移支付资金不足。"] * 6).kind == "lines"


def test_join_wrapped_spaces_only_between_latin_words():
    assert join_wrapped("乡镇", "财政") == "乡镇财政"
    assert join_wrapped("rural", "finance") == "rural finance"
    assert join_wrapped("GDP", "增长") == "GDP增长"
    assert join_wrapped("2019", "年") == "2019年"


def test_split_long_line_cuts_at_sentence_ends_and_keeps_every_character():
    line = "".join(PARAGRAPHS) * 50
    pieces = split_long_line(line, 500)
    assert "".join(pieces) == line
    assert all(len(p) <= 500 for p in pieces)
    assert sum(p.endswith("。") for p in pieces) >= 0.9 * len(pieces)
    assert split_long_line("没有标点" * 100, 30)[0] == ("没有标点" * 100)[:30]
    assert split_long_line("短句。", 30) == ["短句。"]


def test_report_saved_as_one_line_is_cut_into_bounded_paragraphs(raw_dir, prepared, tmp_path):
    """The bundled page 000 with every line break removed keeps its articles and its text."""
    source = raw_dir / "000_786013f1ef10bced.txt"
    (tmp_path / "x.txt").write_text(source.read_text("utf-8").replace("\n", ""), "utf-8")
    corpus = prepare_corpus(tmp_path)
    lined = prepared.paragraphs[prepared.paragraphs["page_id"] == source.stem]
    assert len(corpus.articles) == 5
    titles = corpus.articles["title"].tolist()
    assert titles[:2] == ["改进和完善乡镇执政方式与研究", "改进和完善乡镇执政方式研究"]
    assert corpus.articles["duplicate_of"].tolist()[1] == "x#1"  # as with line breaks
    # headings now sit inside paragraphs, so at least as much text is kept as with line breaks
    assert corpus.paragraphs["n_chars"].sum() >= lined["n_chars"].sum()
    assert len(corpus.paragraphs) > len(lined) / 4
    assert corpus.paragraphs["n_chars"].max() <= RUN_ON_PARAGRAPH_CHARS
    text = "".join(corpus.paragraphs["text"])
    for furniture in ("荟聚奇文", "当前位置", "由互联网用户整理提供", "http", "更多请搜索"):
        assert furniture not in text
    assert corpus.pages["warning"].iloc[0].startswith("line 1 has 13,832 characters: cut at")


def test_run_on_units_keep_every_character_and_start_at_markers():
    line = (
        "荟聚奇文当前位置:首页第一篇:乡镇财政“" + "甲。" * 200 + "一、村民自治" + "乙," * 300 + "。"
    )
    units = run_on_units(line, 400)
    assert "".join(piece for piece, _ in units) == line
    starts = [piece for piece, start in units if start]
    assert starts[:3] == ["荟聚奇文当前位置:首页", "第一篇:乡镇财政", "“甲。"]
    assert any(piece.startswith("一、村民自治") for piece in starts)
    paragraphs: list[str] = []
    for piece, start in units:
        if start:
            paragraphs.append("")
        paragraphs[-1] += piece
    assert max(map(len, paragraphs)) <= 400
    assert all(len(p) > MAX_HEADING_CHARS for p in paragraphs[2:-1])  # none passes for a heading
