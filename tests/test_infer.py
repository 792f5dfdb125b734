"""Inference on unseen documents, with the explicit empty result for unknown text."""

import numpy as np

from topics import pipeline
from topics.analysis.infer import NO_WORDS, infer_files, infer_texts


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
