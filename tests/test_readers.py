"""Decoding raw files: every common Chinese encoding works, bad files are named and skipped."""

import codecs
import zipfile
from pathlib import Path

import pytest

from topics.corpus.extract import DocxLimits, html_to_text
from topics.corpus.readers import decode_bytes, read_folder, read_text, to_simplified
from topics.errors import InputError

TEXT = "乡镇财政负债问题突出,村两委实行一肩挑。\n第二段:转移支付。"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gbk"), "gb18030"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_decodes_common_encodings(data, encoding):
    text, found, warning = decode_bytes(data, "x.txt")
    assert text == TEXT
    assert found == encoding
    assert warning is None


def test_empty_file_is_named(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"  \n")
    with pytest.raises(InputError, match=r"empty\.txt: file is empty"):
        read_text(path)


def test_binary_file_is_named(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(InputError, match=r"image\.txt: .*(binary|cannot be decoded)"):
        read_text(path)


def test_truncated_utf8_keeps_text_and_warns(tmp_path):
    path = tmp_path / "cut.txt"
    path.write_bytes(TEXT.encode("utf-8") + "财".encode()[:2])
    raw = read_text(path)
    assert raw.text == TEXT
    assert "truncated UTF-8" in raw.warning


def test_crlf_line_endings_are_normalised(tmp_path):
    path = tmp_path / "dos.txt"
    path.write_bytes("第一行\r\n第二行\r\n".encode())
    assert read_text(path).text == "第一行\n第二行\n"


def test_folder_skips_bad_files_and_reports_them(tmp_path):
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "gbk.txt").write_bytes(TEXT.encode("gbk"))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    texts, problems = read_folder(tmp_path)
    assert sorted(t.path.name for t in texts) == ["gbk.txt", "good.txt"]
    assert {p.path.name: p.problem for p in problems}.keys() == {"binary.txt", "empty.txt"}
    with pytest.raises(InputError, match="binary.txt"):
        read_folder(tmp_path, strict=True)


def test_folder_without_text_files_is_an_error(tmp_path):
    (tmp_path / "notes.md").write_text("x")
    with pytest.raises(InputError, match=r"has no \.txt files"):
        read_folder(tmp_path)
    with pytest.raises(InputError, match="is not a folder"):
        read_folder(tmp_path / "missing")


TRADITIONAL = (
    "鄉鎮財政負債問題突出,村兩委實行一肩挑。\n國家發展與改革委員會關於加強農村基層組織建設的意見。"
)
SIMPLIFIED = (
    "乡镇财政负债问题突出,村两委实行一肩挑。\n国家发展与改革委员会关于加强农村基层组织建设的意见。"
)


def test_big5_is_told_apart_from_gbk():
    assert decode_bytes(TRADITIONAL.encode("cp950"))[:2] == (TRADITIONAL, "cp950")
    assert decode_bytes(TRADITIONAL.encode("gbk"))[:2] == (TRADITIONAL, "gb18030")
    assert decode_bytes(SIMPLIFIED.encode("gbk"))[:2] == (SIMPLIFIED, "gb18030")


def test_traditional_is_converted_to_simplified_on_request(tmp_path):
    path = tmp_path / "big5.txt"
    path.write_bytes(TRADITIONAL.encode("cp950"))
    assert read_text(path).text == TRADITIONAL
    assert read_text(path, simplified=True).text == SIMPLIFIED
    assert to_simplified(SIMPLIFIED) is SIMPLIFIED  # nothing to convert: the same object back


def _docx(path, paragraphs, table=None):
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(path)


def test_docx_paragraphs_and_tables_in_order(tmp_path):
    path = tmp_path / "report.docx"
    _docx(path, ["乡镇财政调研报告", "", "乡镇财政负债问题突出。"], table=[["年份", "债务"]])
    raw = read_text(path)
    assert raw.text.split("\n") == [
        "乡镇财政调研报告",
        "",
        "乡镇财政负债问题突出。",
        "年份",
        "债务",
    ]
    assert raw.encoding == "docx"


def test_corrupt_or_empty_docx_is_named(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip file" * 10)
    with pytest.raises(InputError, match=r"broken\.docx: not a valid \.docx Word document"):
        read_text(path)
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"broken\.docx: file is empty"):
        read_text(path)
    blank = tmp_path / "blank.docx"
    _docx(blank, ["", "  "])
    with pytest.raises(InputError, match=r"blank\.docx: has no text"):
        read_text(blank)


def _repeated_docx(path, n):
    """A Word file whose body repeats one short paragraph ``n`` times (compresses very well)."""
    _docx(path, ["乡镇财政"])
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    xml = members["word/document.xml"].decode("utf-8")
    start, stop = xml.index("<w:p>"), xml.index("</w:p>") + len("</w:p>")
    members["word/document.xml"] = (xml[:start] + xml[start:stop] * n + xml[stop:]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_docx_that_expands_too_far_is_refused_by_name(tmp_path):
    path = _repeated_docx(tmp_path / "bomb.docx", 10_000)
    expanded = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    assert path.stat().st_size * 20 < expanded  # a small file that expands a lot
    with pytest.raises(InputError, match=r"bomb\.docx: expands to more than 100,000 bytes "
                       r"uncompressed \(at word/document\.xml\) \(refused"):  # fmt: skip
        read_text(path, docx_limits=DocxLimits(bytes=100_000))
    with pytest.raises(InputError, match=r"bomb\.docx: has more than 5,000 paragraphs"):
        read_text(path, docx_limits=DocxLimits(paragraphs=5_000))
    assert read_text(path).text.split("\n") == ["乡镇财政"] * 10_000  # within the defaults


def test_docx_with_damaged_compressed_data_is_named(tmp_path):
    path = _repeated_docx(tmp_path / "damaged.docx", 1_000)
    data = bytearray(path.read_bytes())
    offset = data.index(b"word/document.xml") + 40  # inside the member's compressed bytes
    data[offset : offset + 20] = b"\xff" * 20
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"damaged\.docx: not a valid \.docx Word document"):
        read_text(path)


def test_docx_past_the_bounds_is_a_skipped_file_in_a_folder(tmp_path):
    _repeated_docx(tmp_path / "bomb.docx", 3_000)
    _docx(tmp_path / "fine.docx", ["村民自治"])
    texts, problems = read_folder(tmp_path, docx_limits=DocxLimits(paragraphs=1_000))
    assert [t.path.name for t in texts] == ["fine.docx"]
    assert [(p.path.name, p.problem) for p in problems] == [
        ("bomb.docx", "has more than 1,000 paragraphs")
    ]


PAGE = """<!DOCTYPE html><html><head><meta charset="gbk"><title>标题 - 某某网</title>
<style>p {color: red}</style><script>var nav = "首页";</script></head>
<body><div id="nav">首页 &gt; 文章中心</div><header><a href="/">某某网</a></header>
<div class="breadcrumb">当前位置:首页</div>
<article><header><h1>乡镇财政调研报告</h1></header>
<p>乡镇财政负债
问题突出&#xff0c;转移支付不足。</p>
<p>村民自治<br>功能弱化。</p><ul><li>一是加强监督</li><li>二是完善考核</li></ul></article>
<aside>相关文章推荐</aside><footer>版权所有 &copy; 2024</footer></body></html>"""


def test_html_keeps_text_blocks_and_drops_scripts_and_navigation(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(PAGE.encode("gbk"))
    raw = read_text(path)
    assert raw.encoding == "html:gb18030"
    assert raw.text.split("\n") == [
        "乡镇财政调研报告", "乡镇财政负债问题突出\uff0c转移支付不足。", "村民自治", "功能弱化。",
        "一是加强监督", "二是完善考核",
    ]  # fmt: skip


def test_html_comments_stray_brackets_and_unmatched_end_tags():
    page = "<p>甲 < 乙</p><!-- <p>注释</p> --><p>丙</p>" + "<div>" * 2000 + "</span>" * 2000
    assert html_to_text(page + "<p>乡镇财政</p>") == "甲 < 乙\n丙\n乡镇财政"
    assert html_to_text("<p>丙</p><!-- 未闭合的注释 <p>丁</p>") == "丙"
    assert html_to_text("<p>乡镇" + "<a" * 1000 + "</p>") == "乡镇" + "<a" * 1000
    assert html_to_text("<p>" + "</" * 1000 + "乡镇</p>") == "</" * 1000 + "乡镇"


def test_html_without_charset_and_binary_html(tmp_path):
    path = tmp_path / "plain.htm"
    path.write_bytes("<p>村务公开</p><p>民主管理</p>".encode("utf-16"))
    assert read_text(path).text == "村务公开\n民主管理"
    bad = tmp_path / "image.html"
    bad.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(InputError, match=r"image\.html: .*(binary|cannot be decoded)"):
        read_text(bad)


def test_folder_reads_every_document_type_and_suffixes_are_configurable(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>乡镇财政</p>", encoding="utf-8")
    _docx(tmp_path / "c.docx", ["村民自治"])
    (tmp_path / "~$c.docx").write_bytes(b"lock")  # Word's lock file: ignored
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "d.txt").write_text(TEXT, encoding="utf-8")
    texts, problems = read_folder(tmp_path)
    assert [t.path.name for t in texts] == ["a.txt", "b.html", "c.docx"] and not problems
    texts, _ = read_folder(tmp_path, suffixes=(".html",))
    assert [t.path.name for t in texts] == ["b.html"]
    with pytest.raises(InputError, match=r"has no \.md files"):
        read_folder(tmp_path, suffixes=(".md",))


def test_a_report_in_traditional_characters_is_flagged(tmp_path):
    """One report in Traditional characters among Simplified ones: `topics prepare` warns about
    that file and names the setting that converts it; with the setting, no warning."""
    from topics.analysis.reports import corpus_notes
    from topics.corpus.prepare import prepare_corpus

    raw = Path(__file__).resolve().parents[1] / "data" / "raw"
    folder = tmp_path / "raw"
    folder.mkdir()
    for path in sorted(raw.iterdir())[:2]:
        (folder / path.name).write_bytes(path.read_bytes())
    lines = ["鄉鎮財政體制改革的調查報告",
             "近年來,鄉鎮財政負債問題突出,辦公經費緊張,幹部考核激勵機制有待完善。",
             "村兩委實行一肩挑以後,村民自治組織建設和民主監督需要進一步加強。"]  # fmt: skip
    (folder / "taiwan.txt").write_text("\n".join(lines), encoding="utf-8")
    notes = corpus_notes(prepare_corpus(folder))
    flagged = [note for note in notes if "Traditional characters" in note]
    assert len(flagged) == 1 and "taiwan.txt" in flagged[0]
    assert "traditional_to_simplified = true" in flagged[0]
    converted = corpus_notes(prepare_corpus(folder, traditional_to_simplified=True))
    assert not [note for note in converted if "Traditional" in note]
