"""Tokenization: user dictionary, layered stoplists, the removal report, the segment cache."""

from dataclasses import replace

import jieba
import pytest

from topics.errors import InputError
from topics.text.lexicons import (
    DictEntry,
    LexiconPaths,
    load_lexicons,
    read_userdict,
    read_word_list,
)
from topics.text.stream import tokenize_corpus
from topics.text.tokenize import Tokenizer

REQUIRED_TERMS = [
    "一肩挑",
    "党政联席会议",
    "转移支付",
    "税费改革",
    "户联责任区",
    "首问责任制",
    "限时办结制",
]


def test_userdict_has_many_entries_jieba_splits(lexicons):
    words = [e.word for e in lexicons.userdict]
    assert len(words) >= 150
    assert len(set(words)) == len(words)
    default = jieba.Tokenizer()
    split = [w for w in words if len(default.lcut(w)) > 1]
    assert len(split) == len(words), set(words) - set(split)


@pytest.mark.parametrize("term", REQUIRED_TERMS + ["村两委", "民主集中制", "村务公开", "后备干部"])
def test_governance_terms_stay_whole(tokenizer, term):
    tokens = tokenizer(f"我们要坚持{term}的做法,乡镇财政负债严重。")
    assert term in tokens


def test_stopwords_and_noise_are_removed(tokenizer):
    tokens = tokenizer("一是加强村务公开,二是进一步落实2006年的《考核办法》,GDP增长了3%。")
    for word in [
        "一是",
        "二是",
        "加强",
        "进一步",
        "落实",
        "2006年",
        "GDP",
        "的",
        "了",
        "3%",
        ",",
        "《",
    ]:
        assert word not in tokens
    assert tokens == ["村务公开", "考核办法", "增长"]


def test_single_characters_dropped_unless_allowed(tokenizer, lexicons):
    assert "党" in lexicons.single_char_allow
    assert tokenizer.segment("发挥党在农村的核心作用,县乡两级抓落实。")[1] == ("党", "")
    tokens = tokenizer("发挥党在农村的核心作用,县乡两级抓落实。")
    assert tokens == ["党", "农村", "核心作用", "县乡", "两级"]  # 抓 is a single character


def test_removal_report_accounts_for_every_token(prepared, tokenizer):
    texts = prepared.paragraphs["text"].head(40).tolist()
    result = tokenize_corpus(texts, tokenizer, progress=False)
    report = result.report.set_index("rule")
    assert report.loc["kept", "tokens"] == sum(map(len, result.tokens))
    for rule in ("punctuation", "general", "governance", "single_char", "kept"):
        assert report.loc[rule, "tokens"] > 0, rule
    assert "工作" in report.loc["governance", "top_words"]
    assert report["share"].sum() == pytest.approx(1.0, abs=0.01)


def test_second_run_hits_the_cache_and_gives_the_same_tokens(tmp_path, prepared, lexicons):
    texts = prepared.paragraphs["text"].head(30).tolist()
    first = tokenize_corpus(texts, Tokenizer(lexicons, cache_dir=tmp_path), progress=False)
    assert (first.cache.hits, first.cache.misses) == (0, 30)
    fresh = Tokenizer(lexicons, cache_dir=tmp_path)
    second = tokenize_corpus(texts, fresh, progress=False)
    assert (second.cache.hits, second.cache.misses) == (30, 0)
    assert second.tokens == first.tokens
    assert fresh._jieba is None  # the dictionary was never even loaded


def test_stoplist_change_needs_no_segmentation(tmp_path, prepared, lexicons):
    texts = prepared.paragraphs["text"].head(20).tolist()
    tokenize_corpus(texts, Tokenizer(lexicons, cache_dir=tmp_path), progress=False)
    stoplists = dict(lexicons.stoplists, governance=lexicons.stoplists["governance"] | {"乡镇"})
    edited = replace(lexicons, stoplists=stoplists)
    result = tokenize_corpus(texts, Tokenizer(edited, cache_dir=tmp_path), progress=False)
    assert result.cache.misses == 0
    assert all("乡镇" not in doc for doc in result.tokens)


def test_userdict_change_resegments_only_affected_texts(tmp_path, lexicons):
    texts = ["乡镇财政负债沉重,转移支付不足。", "村民自治需要村务公开。", "干部考核与激励机制。"]
    tokenize_corpus(texts, Tokenizer(lexicons, cache_dir=tmp_path), progress=False)
    added = replace(lexicons, userdict=lexicons.userdict + (DictEntry("负债沉重", 50000, "n"),))
    result = tokenize_corpus(texts, Tokenizer(added, cache_dir=tmp_path), progress=False)
    assert (result.cache.reused, result.cache.misses) == (2, 1)
    assert "负债沉重" in result.tokens[0]


def test_malformed_userdict_lines_are_named(tmp_path):
    path = tmp_path / "userdict.txt"
    path.write_text("# comment\n村两委 3000 n\n坏 行 x y z\n一肩挑 many\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"userdict\.txt: malformed .*line 3.*line 4"):
        read_userdict(path)


def test_stoplist_with_two_words_on_a_line_is_an_error(tmp_path):
    path = tmp_path / "stop.txt"
    path.write_text("加强\n进一步 推进\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"stop\.txt: expected one word per line; line 2"):
        read_word_list(path)


def test_missing_lexicon_file_is_named(tmp_path):
    with pytest.raises(InputError, match=r"nope\.txt: cannot read word list"):
        load_lexicons(LexiconPaths(governance=tmp_path / "nope.txt"))


def test_pos_filter_keeps_only_chosen_tags(lexicons):
    from topics.text.tokenize import TokenizeSettings

    text = "乡镇政府组织村民选举,干部督促落实考核,财政支出增长迅速。"
    every = ["乡镇政府", "组织", "村民", "选举", "干部", "督促", "考核", "财政支出", "增长", "迅速"]
    assert Tokenizer(lexicons)(text) == every
    nouns = Tokenizer(lexicons, TokenizeSettings(pos_filter=("n",)))
    assert nouns(text) == ["乡镇政府", "村民", "干部", "财政支出"]
    removed = nouns.filter(nouns.segment(text))[1]
    assert {word for word, rule in removed if rule == "pos"} == set(every) - set(nouns(text))
    verbs = Tokenizer(lexicons, TokenizeSettings(pos_filter=("v",)))
    assert verbs(text) == ["组织", "选举", "督促", "考核", "增长"]


def test_phrases_merge_frequent_pairs(lexicons):
    from topics.text.tokenize import TokenizeSettings

    texts = ["基层 财政 困难 严重。基层财政困难。"] * 10 + ["村民 选举 公开。"] * 3
    settings = TokenizeSettings(phrases=True, phrase_min_count=3, phrase_threshold=0.1)
    result = tokenize_corpus(texts, Tokenizer(lexicons, settings), progress=False)
    assert result.tokens[0] == ["基层_财政", "困难_严重", "基层_财政困难"]
    # a pair seen only phrase_min_count times scores 0 (gensim counts above the minimum)
    assert result.tokens[-1] == ["村民", "选举", "公开"]
    lower = TokenizeSettings(phrases=True, phrase_min_count=2, phrase_threshold=0.1)
    assert tokenize_corpus(texts, Tokenizer(lexicons, lower), progress=False).tokens[-1] == [
        "村民_选举", "公开"
    ]  # fmt: skip
    plain = tokenize_corpus(texts, Tokenizer(lexicons), progress=False)
    assert plain.tokens[0] == ["基层", "财政", "困难", "严重", "基层", "财政困难"]


def test_parallel_segmentation_matches_single_process(prepared, lexicons):
    from topics.text.tokenize import TokenizeSettings

    texts = prepared.paragraphs["text"].head(60).tolist()
    single = tokenize_corpus(texts, Tokenizer(lexicons), progress=False).tokens
    settings = TokenizeSettings(workers=2, parallel_min_chars=0)
    parallel = tokenize_corpus(texts, Tokenizer(lexicons, settings), progress=False).tokens
    assert parallel == single


def test_a_given_phraser_is_applied_and_none_is_trained(lexicons):
    from topics.text.tokenize import TokenizeSettings

    texts = ["基层 财政 困难 严重。基层财政困难。"] * 10 + ["村民 选举 公开。"] * 3
    tokenizer = Tokenizer(lexicons, TokenizeSettings(phrases=True, phrase_min_count=3,
                                                     phrase_threshold=0.1))  # fmt: skip
    corpus = tokenize_corpus(texts, tokenizer, progress=False)
    new = tokenize_corpus(texts[:1], tokenizer, progress=False, phraser=corpus.phraser)
    assert new.tokens == corpus.tokens[:1] and new.phraser is corpus.phraser
    assert "_" in " ".join(new.tokens[0])
    alone = tokenize_corpus(texts[:1], tokenizer, progress=False)  # a phraser of its own
    assert alone.tokens != corpus.tokens[:1]
