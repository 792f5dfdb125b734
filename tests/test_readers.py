"""Decoding raw files: every common Chinese encoding works, bad files are named and skipped."""

import codecs

import pytest

from topics.errors import InputError
from topics.readers import decode_bytes, read_folder, read_text

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
