"""The themes file: its shipped themes survive tokenization; bad files are named clearly."""

import pytest

from topics.errors import InputError
from topics.model.themes import load_themes


def test_shipped_themes_include_the_three_research_themes():
    themes = load_themes()
    assert {"finance", "cadre_incentives", "village_autonomy"} <= set(themes.ids())
    finance = themes.get("finance")
    assert {"财政", "财力", "负债", "转移支付"} <= set(finance.seeds)
    assert {"待遇", "考核", "激励"} <= set(themes.get("cadre_incentives").seeds)
    assert {"村民自治", "村务公开", "村两委"} <= set(themes.get("village_autonomy").seeds)
    assert finance.label_zh and finance.label_en


def test_every_seed_word_survives_tokenization(tokenizer, prepared):
    from topics.text.stream import tokenize_corpus

    corpus_tokens = {
        w
        for doc in tokenize_corpus(prepared.paragraphs["text"], tokenizer, False).tokens
        for w in doc
    }
    for theme in load_themes():
        for seed in theme.seeds:
            assert tokenizer(seed) == [seed], (theme.id, seed)
            assert tokenizer(f"我们认为{seed}很重要。").count(seed) == 1, (theme.id, seed)
            assert seed in corpus_tokens, (theme.id, seed)


def test_select_and_unknown_theme():
    themes = load_themes()
    assert themes.select(["village_autonomy", "finance"]).ids() == ["village_autonomy", "finance"]
    assert themes.select(["all"]).ids() == themes.ids()
    with pytest.raises(InputError, match=r"no theme 'welfare'.*themes: finance"):
        themes.select(["welfare"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[theme]\nid='x'", "not valid TOML"),
        ("title = 'no themes'", "unknown section 'title' \\(known: theme\\)"),
        (
            "[[theme]]\nid = 'a'\nlabel_zh = 'x'\nlabel_en = 'y'\nseeds = ['b']\nseed = 1",
            "theme 1 has unknown key 'seed'",
        ),
        ("[[theme]]\nid = 'finance'\nlabel_zh = '财政'\n", "theme 1: missing label_en, seeds"),
        (
            "[[theme]]\nid='a'\nlabel_zh='甲'\nlabel_en='A'\nseeds=['财政']\n"
            "[[theme]]\nid='b'\nlabel_zh='乙'\nlabel_en='B'\nseeds=['财政']\n",
            "seed '财政' is in both a and b",
        ),
        ("[[theme]]\nid='Bad Id'\nlabel_zh='甲'\nlabel_en='A'\nseeds=['财政']\n", "lower-case"),
    ],
)
def test_bad_themes_files_are_reported(tmp_path, text, message):
    path = tmp_path / "themes.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=f"themes.toml: .*{message}"):
        load_themes(path)
