"""Inference on unseen documents, with the explicit empty result for unknown text."""

from dataclasses import replace

import numpy as np
import pytest

from topics import pipeline
from topics.analysis.infer import NO_WORDS, infer_files, infer_texts
from topics.errors import InputError
from topics.model.runs import load_run


def test_unseen_finance_text_goes_to_the_finance_topic(run, tokenizer):
    result = infer_texts(
        run,
        [
            "乡镇财政收入少,负债和赤字沉重,转移支付资金不足,办公经费难以保障。",
            "村委会要落实村务公开和村民自治。",
        ],
        tokenizer,
        names=["finance", "village"],
    )
    docs = result.documents.set_index("document")
    assert docs.loc["finance", "finance"] > 0.5
    assert docs.loc["village", "village_autonomy"] > 0.5
    assert (docs["status"] == "ok").all()
    assert np.allclose(docs[run.topic_columns].sum(axis=1), 1.0)


def test_text_with_no_known_words_gets_an_explicit_empty_result(run, tokenizer):
    result = infer_texts(run, ["Hello world 123 !!!", ""], tokenizer)
    assert result.documents["status"].tolist() == [NO_WORDS, NO_WORDS]
    assert result.documents[run.topic_columns].isna().all().all()
    assert (result.documents["n_tokens"] == 0).all()


def test_files_and_folders_are_cleaned_like_the_corpus(run, project_settings, tmp_path):
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "a.txt").write_bytes(
        "第一篇:乡镇财政\n当前位置:首页 > 范文\n乡镇财政负债沉重,转移支付不足。\n-3-\n".encode(
            "gbk"
        )
    )
    (folder / "b.txt").write_text("English only text.\n", encoding="utf-8")
    (folder / "c.txt").write_bytes(b"")
    result = infer_files(
        run, [folder], pipeline.make_tokenizer(project_settings),
        pipeline.furniture_rules(project_settings), progress=False,
    )  # fmt: skip
    docs = result.documents.set_index("document")
    assert docs.loc["a", "status"] == "ok" and docs.loc["a", "finance"] > 0.5
    assert docs.loc["b", "status"] == NO_WORDS
    assert result.problems["path"].str.endswith("c.txt").all()
    assert "当前位置" not in " ".join(result.paragraphs["text"])


def test_inference_merges_phrases_with_the_runs_phraser(project_settings, tmp_path):
    """With phrases = true, new texts get the tokens training gave them: the run saves its
    phraser and inference applies it (a phraser trained on the new texts merges other pairs)."""
    settings = replace(
        project_settings,
        tokenize=replace(project_settings.tokenize, phrases=True),
        paths=replace(project_settings.paths, runs=tmp_path / "runs"),
    )
    run = load_run(pipeline.fit(settings, progress=False).path)
    assert run.phraser is not None
    paragraphs = run.paragraphs[run.paragraphs["in_model"]].head(3)
    texts = pipeline.prepared_corpus(settings).paragraphs.set_index("paragraph_id").loc[
        paragraphs["paragraph_id"], "text"].tolist()  # fmt: skip
    tokens = run.tokenize(texts, pipeline.make_tokenizer(settings))
    assert any("_" in word for word in tokens.words())
    result = infer_texts(run, texts, pipeline.make_tokenizer(settings))
    assert result.paragraphs["n_tokens"].tolist() == paragraphs["n_tokens"].tolist()
    np.testing.assert_allclose(
        result.paragraphs[run.topic_columns], paragraphs[run.topic_columns], atol=0.02
    )
    without = replace(run, phraser=None)  # a run saved before phrasers were
    with pytest.raises(InputError, match="has no saved phraser"):
        infer_texts(without, texts, pipeline.make_tokenizer(settings))


def _infer(run, project_settings, paths):
    return infer_files(
        run, paths, pipeline.make_tokenizer(project_settings),
        pipeline.furniture_rules(project_settings), progress=False,
    )  # fmt: skip


def test_a_title_like_line_or_an_abstract_alone_is_read_as_the_document(
    run, project_settings, tmp_path
):
    """Preparing a corpus moves such lines to titles and fields; inference counts them."""
    (tmp_path / "heading.txt").write_text(
        "乡镇财政负债沉重转移支付资金不足办公经费难以保障\n", "utf-8"
    )
    (tmp_path / "abstract.txt").write_text(
        "【摘要】乡镇财政负债沉重,转移支付资金不足,办公经费难以保障。\n", "utf-8"
    )
    result = _infer(run, project_settings, [tmp_path])
    docs = result.documents.set_index("document")
    assert (docs["status"] == "ok").all(), docs
    assert (docs["finance"] > 0.5).all(), docs
    kinds = result.paragraphs.set_index("document")["kind"]
    assert kinds["heading"] == "title" and kinds["abstract"] == "abstract"


def test_headings_count_alongside_the_paragraphs(run, project_settings, raw_dir):
    result = _infer(run, project_settings, [raw_dir / "000_786013f1ef10bced.txt"])
    kinds = result.paragraphs["kind"].value_counts()
    assert kinds["paragraph"] > 30 and kinds["heading"] > 5 and kinds["title"] >= 5
    assert result.documents["n_paragraphs"].item() == len(result.paragraphs)
    lines = result.paragraphs["line_start"].tolist()
    assert lines == sorted(lines)  # in document order


def test_a_file_named_twice_counts_once(run, project_settings, raw_dir):
    path = raw_dir / "000_786013f1ef10bced.txt"
    once = _infer(run, project_settings, [path]).documents
    twice = _infer(run, project_settings, [path, raw_dir / ".." / "raw" / path.name, raw_dir])
    twice = twice.documents.set_index("document").loc[[path.stem]].reset_index()
    assert twice["n_paragraphs"].tolist() == once["n_paragraphs"].tolist()
    assert twice["n_tokens"].tolist() == once["n_tokens"].tolist()


def test_a_report_saved_as_one_line_is_inferred(run, project_settings, raw_dir, tmp_path):
    text = (raw_dir / "000_786013f1ef10bced.txt").read_text("utf-8")
    (tmp_path / "one_line.txt").write_text(text.replace("\n", ""), "utf-8")
    result = _infer(run, project_settings, [tmp_path / "one_line.txt"])
    assert result.documents["status"].item() == "ok"
    assert (result.paragraphs["kind"] == "paragraph").sum() > 20


def test_files_with_no_known_word_at_all_are_an_error(run, project_settings, tmp_path):
    (tmp_path / "english.txt").write_text("Written in English only.\n", "utf-8")
    with pytest.raises(InputError, match=r"english.txt: has no word the model knows"):
        _infer(run, project_settings, [tmp_path / "english.txt"])
    (tmp_path / "digits.txt").write_text("2024 12 31\n", "utf-8")
    with pytest.raises(InputError, match=r"^digits.txt, english.txt \(2 files\): none has word"):
        _infer(run, project_settings, [tmp_path])
