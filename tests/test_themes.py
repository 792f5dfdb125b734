"""The themes file: its shipped themes survive tokenization; bad files are named clearly."""

import re

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


# -- themes belong to a corpus: seeded where their seeds occur, labels where they formed --------

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from topics.model.themes import Theme, ThemeSet, screen_themes, theme_formed  # noqa: E402

FINANCE = Theme("finance", "乡镇财政", "Township finance", ("财政", "负债", "财力", "资金"))


@pytest.mark.parametrize(
    ("top", "formed"),
    [
        (["财政", "负债", "财力", "乡镇", "干部"], True),  # 3 seeds in the top 10
        (["财政", "负债", "乡镇", "干部"], False),  # 2 are not enough
        (["乡镇", *[f"词{i}" for i in range(9)], "财政", "负债", "财力"], False),  # ranks 11-13
        ([], False),
    ],
)
def test_label_rule_on_hand_made_top_words(top, formed):
    assert theme_formed(top, FINANCE) is formed


def test_screen_seeds_a_theme_only_where_its_seeds_occur_together():
    docs = [["财政", "负债", "财力"], ["财政", "资金"], ["村民", "选举"], ["村民"]] * 3
    themes = ThemeSet(
        (
            FINANCE,
            Theme("village", "村民自治", "", ("村民", "选举", "村委会")),  # 2 seeds occur
            Theme("space", "航天", "", ("火箭发射", "空间站", "卫星")),  # none occur
        )
    )
    screen = screen_themes(themes, docs, no_below=3)
    assert screen.seeded.ids() == ["finance"]
    finance, village, space = screen.checks
    assert finance.counted == ("财政", "负债", "财力", "资金") and finance.together == 6
    assert "only 2 seed words (村民 选举)" in village.reason
    assert space.absent == ("火箭发射", "空间站", "卫星") and "only 0 seed words" in space.reason
    # seeds that occur, but each in too few paragraphs, do not count
    assert screen_themes(themes, docs[:2], no_below=3).seeded is None
    # seeds in enough paragraphs, but never two in one paragraph: not a theme of this corpus
    apart = [["财政"], ["负债"], ["财力"]] * 3
    assert "only 0 paragraphs use two or more" in screen_themes(themes, apart, 3).checks[0].reason


def _planted_run(themes: ThemeSet, strength: float = 10.0):
    """A run of 4 planted blocks of words (``t1w0`` is word 0 of block 1), seeded by the
    themes that the corpus carries."""
    from topics.model.lda import ModelSettings, fit_lda
    from topics.model.runs import build_run
    from topics.model.synthetic import planted_corpus
    from topics.text.token_ids import as_token_ids

    docs = planted_corpus(4, n_docs=80, seed=3)
    screen = screen_themes(themes, docs, no_below=2)
    settings = ModelSettings(k=4, no_below=2, passes=10, iterations=100, theme_strength=strength)
    fitted = fit_lda(docs, settings, screen.seeded)
    ids = [f"d{i:02d}" for i in range(len(docs))]
    paragraphs = pd.DataFrame({"paragraph_id": [f"{i}/p1" for i in ids], "article_id": ids,
                               "page_id": ids, "section": "", "duplicate_of": None})  # fmt: skip
    articles = pd.DataFrame({"article_id": ids, "page_id": ids, "title": ids,
                             "short_title": ids, "duplicate_of": None})  # fmt: skip
    return build_run(fitted, paragraphs, articles, as_token_ids(docs), {}, screen=screen)


def test_a_theme_planted_as_one_block_forms_and_an_absent_one_labels_nothing():
    from topics.analysis.passages import resolve_topic
    from topics.errors import InputError

    block = Theme("block", "块", "Block one", tuple(f"t1w{i}" for i in range(6)))
    absent = Theme("absent", "无", "Absent", ("财政", "负债", "财力"))
    run = _planted_run(ThemeSet((absent, block)))
    assert run.themes.set_index("theme")["seeded"].to_dict() == {"absent": False, "block": True}
    assert run.fitted.themes.ids() == ["block"]  # only the theme the corpus carries is seeded
    assert run.theme_topics() == {"block": 1}
    topic = run.topics.set_index("topic").loc[1]
    assert (topic["theme"], topic["label"], topic["label_en"]) == ("block", "块", "Block one")
    assert topic["seeds_in_top"] >= 3
    assert (run.topics.loc[1:, "theme"] == "").all()  # the free topics carry no theme
    assert not run.topics["label"].isin(["无"]).any()
    with pytest.raises(InputError, match=r"theme 'absent' labels no topic: it was not seeded: "
                                         r"only 0 seed words"):  # fmt: skip
        resolve_topic(run, theme="absent")
    topic, note = run.nearest_topic("absent")
    assert 1 <= topic <= 4 and "labels no topic" in note


def test_a_seeded_theme_that_did_not_form_is_named_by_its_words():
    from topics.analysis.passages import resolve_topic
    from topics.errors import InputError

    # rare background words, in every block's paragraphs: seeded (they occur, and together),
    # with no prior weight they stay out of every topic's top words
    scattered = Theme("scattered", "散", "Scattered", ("bg12", "bg13", "bg14"))
    run = _planted_run(ThemeSet((scattered,)), strength=0.0)
    topic = run.topics.set_index("topic").loc[1]
    assert topic["seeded_theme"] == "scattered" and topic["seeds_in_top"] < 3
    assert topic["theme"] == "" and topic["label"] == topic["auto_label"] != "散"
    assert run.theme_topics() == {} and run.themes.at[0, "formed"] == np.False_
    with pytest.raises(InputError, match=r"it did not form: \d of its seed words among topic "
                                         r"T1's top 10, needs 3"):  # fmt: skip
        resolve_topic(run, theme="scattered")


def test_the_bundled_corpus_keeps_its_four_themes(run):
    shipped = ["finance", "cadre_incentives", "village_autonomy", "rural_setting"]
    assert run.themes["theme"].tolist() == shipped
    assert run.themes["seeded"].all() and run.themes["formed"].all()
    assert run.theme_topics() == dict(zip(shipped, [1, 2, 3, 4], strict=True))
    labels = run.topics.set_index("theme")["label"]
    assert [labels[t] for t in shipped] == ["乡镇财政", "干部激励", "村民自治", "农村基层"]
    record = {t["theme"]: t for t in run.manifest["themes"]["themes"]}
    assert record["finance"]["seeded"] and len(record["finance"]["counted"]) >= 3


def test_topic_terms_hatches_only_seed_words_of_formed_themes(run):
    from dataclasses import replace

    from topics.plots.topic_terms import plot_topic_terms

    # three times the topics' tokens: many estimates exceed the observed counts, seed or not
    inflated = replace(run, topics=run.topics.assign(prevalence=run.topics["prevalence"] * 3))
    fig = plot_topic_terms(inflated)
    seeds = run.theme_seeds()
    hatched_somewhere = False
    for topic, ax in enumerate(fig.axes[: run.k], start=1):
        names = {round(t.get_position()[1]): t.get_text().rstrip("*") for t in ax.get_yticklabels()}
        hatched = [names[round(p.get_y() + p.get_height() / 2)]
                   for p in ax.patches if p.get_hatch()]  # fmt: skip
        assert set(hatched) <= seeds.get(topic, set()), (topic, hatched)
        hatched_somewhere |= bool(hatched)
    assert hatched_somewhere  # seed words above their observed count are still drawn


def test_a_corpus_without_township_words_skips_the_themes(tmp_path, copy_project):
    """Known answer: planted topics of common nouns with no character of any seed word. Every
    shipped theme is skipped, no topic carries a theme, `passages --theme` says why."""
    import shutil

    from typer.testing import CliRunner

    from topics.cli import app
    from topics.corpus.planted import planted_words

    root = copy_project(tmp_path / "project", k="4", passes="5", iterations="50")
    shutil.rmtree(root / "data" / "raw")
    planted_words(root / "data" / "raw", blocks=4, files=12, paragraphs=8)
    config = ["--config", str(root / "topics.toml")]
    runner = CliRunner()
    fitted = runner.invoke(app, ["fit", "-q", *config])
    assert fitted.exit_code == 0, fitted.output
    for theme in ("finance", "cadre_incentives", "village_autonomy", "rural_setting"):
        assert f"themes.toml: skipped {theme} (" in fitted.output  # a warning per theme
        assert f"  {theme} (" in fitted.output and "skipped, only 0 seed words" in fitted.output
    topics = [line for line in fitted.output.splitlines() if re.match(r"  T\d", line)]
    assert len(topics) == 4
    labels = ("乡镇财政", "干部激励", "村民自治", "农村基层", "[", "seed")
    assert not [line for line in topics if any(label in line for label in labels)]
    shown = runner.invoke(app, ["show", *config])
    assert shown.exit_code == 0 and "skipped, only 0 seed words" in shown.output
    passages = runner.invoke(app, ["passages", "--theme", "village_autonomy", *config])
    assert passages.exit_code == 1
    assert passages.output.strip().splitlines() == [
        "error: theme 'village_autonomy' labels no topic: it was not seeded: only 0 seed words "
        "in >= 3 paragraphs, needs 3 (themes with a topic: none formed in this run; or give a "
        "topic number)"
    ]
