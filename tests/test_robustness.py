"""Robustness: every bad input gets a one-line message naming the file and the problem, a
non-zero exit status where the run cannot continue, no traceback, and no earlier result damaged.

Each CLI test runs against a project in a temp folder that already holds a prepared corpus and
a fitted run (copies of the session's), and checks afterwards that both are byte-for-byte intact.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from topics import pipeline
from topics.cli import app
from topics.config import Settings
from topics.corpus import extract
from topics.corpus.extract import DocxLimits
from topics.corpus.prepare import prepare_corpus
from topics.errors import InputError

runner = CliRunner()
TEXT = "第一篇:乡镇财政\n乡镇财政负债沉重,转移支付不足。\n第二篇:村民自治\n村务公开是村民自治的关键。\n"


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def write_config(path: Path, table: dict) -> Path:
    lines = []
    for section, values in table.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in values.items())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def project(project_settings, run, tmp_path):
    """A project folder with the session's prepared corpus and run copied in, and its config."""
    root = project_settings.root
    shutil.copytree(project_settings.path(project_settings.paths.processed), tmp_path / "processed")
    shutil.copytree(project_settings.path(project_settings.paths.cache), tmp_path / "interim")
    shutil.copytree(run.path, tmp_path / "runs" / run.path.name)
    (tmp_path / "runs" / "latest").write_text(run.path.name + "\n", encoding="utf-8")
    table = tomllib.loads((root / "topics.toml").read_text(encoding="utf-8"))
    table["paths"] = {
        "raw": str(project_settings.paths.raw),
        "processed": str(tmp_path / "processed"),
        "cache": str(tmp_path / "interim"),
        "runs": str(tmp_path / "runs"),
        "figures": str(tmp_path / "figures"),
        "furniture": str(root / "data" / "furniture.toml"),
        "themes": str(root / "data" / "themes.toml"),
    }
    table["lexicons"] = {k: str(root / v) for k, v in table["lexicons"].items()}
    table["model"] = {**table["model"], "k": 8}  # as the session run; no K selection here
    config = write_config(tmp_path / "topics.toml", table)
    return {"config": config, "table": table, "tmp": tmp_path, "run": run.path.name}


def snapshot(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (hidden temporary files included)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def invoke(project, *args: str, config: Path | None = None):
    return runner.invoke(app, [*args, "--config", str(config or project["config"])])


def assert_failed_cleanly(result, *fragments: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)


@pytest.fixture
def intact(project):
    """Checks, after the test, that the earlier prepared corpus and run were not touched."""
    before = snapshot(project["tmp"] / "processed"), snapshot(project["tmp"] / "runs")
    yield
    after = snapshot(project["tmp"] / "processed"), snapshot(project["tmp"] / "runs")
    assert after == before
    settings = Settings.load(project["config"])
    assert pipeline.latest_run_path(settings).name == project["run"]
    assert pipeline.open_run(settings, check=False).k == 8


def test_empty_folder(project, intact):
    empty = project["tmp"] / "empty"
    empty.mkdir()
    result = invoke(project, "prepare", "--input", str(empty))
    assert_failed_cleanly(result, f"{empty}: has no .txt files")


def test_bad_files_are_skipped_by_name_and_gbk_utf16_work(project, tmp_path):
    raw = tmp_path / "mixed"
    raw.mkdir()
    (raw / "gbk.txt").write_bytes(TEXT.encode("gbk"))
    (raw / "utf16.txt").write_bytes(TEXT.replace("乡镇", "县").encode("utf-16"))
    (raw / "empty.txt").write_bytes(b"")
    (raw / "image.txt").write_bytes(bytes(range(256)) * 64)
    (raw / "cut.txt").write_bytes(TEXT.replace("村务", "党务").encode("utf-8") + "财".encode()[:2])
    (raw / "broken.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    result = invoke(project, "prepare", "--input", str(raw))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "skipped empty.txt: file is empty" in result.output
    assert "skipped image.txt: looks binary" in result.output
    assert "skipped broken.docx: not a valid .docx" in result.output
    assert "warning cut.txt: truncated UTF-8" in result.output
    corpus = pipeline.load_prepared(tmp_path / "processed")
    encodings = corpus.pages.set_index("path")["encoding"].to_dict()
    assert encodings == {"cut.txt": "utf-8", "gbk.txt": "gb18030", "utf16.txt": "utf-16"}
    assert "乡镇财政负债沉重,转移支付不足。" in set(corpus.paragraphs["text"])
    assert "县财政负债沉重,转移支付不足。" in set(corpus.paragraphs["text"])


def test_folder_of_only_unreadable_files(project, intact, tmp_path):
    raw = tmp_path / "bad"
    raw.mkdir()
    (raw / "empty.txt").write_bytes(b"  \n")
    (raw / "image.txt").write_bytes(b"\x00\xff" * 500)
    result = invoke(project, "prepare", "--input", str(raw))
    assert_failed_cleanly(
        result,
        f"{raw}: no readable text file",
        "empty.txt: file is empty",
        "image.txt: looks binary",
    )


def test_only_punctuation_or_only_english(project, tmp_path):
    raw = tmp_path / "odd"
    raw.mkdir()
    (raw / "punct.txt").write_text("。。。!!!,,,……\n——**##\n", encoding="utf-8")
    (raw / "english.txt").write_text("Written in English only.\nSecond line.\n", encoding="utf-8")
    (raw / "good.txt").write_text(TEXT, encoding="utf-8")
    result = invoke(project, "prepare", "--input", str(raw))
    assert result.exit_code == 0, result.output
    assert "warning punct.txt: no paragraph text left after cleaning" in result.output
    assert "warning english.txt: has no Chinese characters" in result.output
    (raw / "good.txt").unlink()
    (raw / "english.txt").unlink()
    result = invoke(project, "prepare", "--input", str(raw))
    assert_failed_cleanly(result, "no file has paragraph text", "punct.txt: no paragraph text")
    # English only: prepared, but nothing to model, and the fit says so
    (raw / "english.txt").write_text("Written in English only.\nSecond line.\n", encoding="utf-8")
    table = {**project["table"], "paths": {**project["table"]["paths"], "raw": str(raw)}}
    table["model"] = {**table["model"], "themes": []}
    table["paths"]["runs"] = str(tmp_path / "english-runs")
    config = write_config(tmp_path / "english.toml", table)
    result = invoke(project, "fit", "-q", config=config)
    assert_failed_cleanly(result, "no document has a word left")
    assert not (tmp_path / "english-runs" / "latest").exists()


def test_themes_file_with_bad_syntax(project, intact, tmp_path):
    themes = tmp_path / "themes.toml"
    themes.write_text('[[theme]]\nid = "finance"\nseeds = ["财政"\n', encoding="utf-8")
    table = {**project["table"], "paths": {**project["table"]["paths"], "themes": str(themes)}}
    config = write_config(tmp_path / "bad-themes.toml", table)
    result = invoke(project, "fit", "-q", config=config)
    assert_failed_cleanly(result, f"{themes}: is not valid TOML")


def test_themes_file_with_unknown_words(project, intact, tmp_path):
    """Themes the corpus does not carry are skipped by name and reason, not seeded: one seed
    word of two in the corpus is too few, none is none."""
    themes = tmp_path / "themes.toml"
    themes.write_text(
        '[[theme]]\nid = "finance"\nlabel_zh = "财政"\nlabel_en = "Finance"\n'
        'seeds = ["财政", "量子纠缠"]\n'
        '[[theme]]\nid = "space"\nlabel_zh = "航天"\nlabel_en = "Space"\n'
        'seeds = ["火箭发射", "空间站"]\n',
        encoding="utf-8",
    )
    table = {**project["table"], "paths": {**project["table"]["paths"], "themes": str(themes)}}
    table["model"] = {**table["model"], "themes": ["all"]}
    table["paths"]["runs"] = str(tmp_path / "other-runs")
    config = write_config(tmp_path / "unknown-seeds.toml", table)
    result = invoke(project, "fit", "-q", config=config)
    assert result.exit_code == 0, result.output
    assert (
        f"warning: {themes}: skipped finance (财政): only 1 seed word (财政) in >= 3 paragraphs, "
        "needs 3" in result.output
    )
    assert f"warning: {themes}: skipped space (航天): only 0 seed words" in result.output
    assert "[finance]" not in result.output and "[space]" not in result.output


def test_user_dictionary_with_malformed_lines(project, intact, tmp_path):
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("一肩挑 10 n\n乡镇财政 lots\n转移支付 5 n extra\n", encoding="utf-8")
    table = {**project["table"], "lexicons": {**project["table"]["lexicons"]}}
    table["lexicons"]["userdict"] = str(userdict)
    config = write_config(tmp_path / "bad-userdict.toml", table)
    for command in ("tokens", "fit"):
        result = invoke(project, command, "-q", config=config)
        assert_failed_cleanly(
            result, f"{userdict}: malformed user-dictionary lines", "line 2: '乡镇财政 lots'",
            "line 3",
        )  # fmt: skip


def test_k_larger_than_the_number_of_documents(project, intact):
    result = invoke(project, "fit", "-q", "--k", "500")
    assert_failed_cleanly(result, "k=500 topics for only", "documents")


def test_ctrl_c_during_fit_leaves_the_earlier_run(project, intact, monkeypatch):
    from topics.model import lda

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(lda.LdaModel, "update", interrupted)
    result = invoke(project, "fit", "-q", "--k", "5", "--seed", "7")
    assert_failed_cleanly(result, "interrupted: earlier results were left as they were", code=130)
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1
    assert {p.name for p in (project["tmp"] / "runs").iterdir()} == {"latest", project["run"]}


def test_ctrl_c_inside_the_api_fit(project, intact, monkeypatch):
    from topics.model import lda

    monkeypatch.setattr(
        lda.LdaModel, "update", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt)
    )
    settings = Settings.load(project["config"])
    with pytest.raises(KeyboardInterrupt):
        pipeline.fit(settings, pipeline.model_settings(settings, k=6), progress=False)


def test_older_or_corrupt_run_directories(project, intact, tmp_path):
    from topics.model.runs import FORMAT_VERSION

    runs = project["tmp"] / "runs"
    older = tmp_path / "older"
    shutil.copytree(runs / project["run"], older)
    manifest = json.loads((older / "manifest.json").read_text(encoding="utf-8"))
    manifest["format_version"] = 0
    (older / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = invoke(project, "show", "--run", str(older))
    assert_failed_cleanly(
        result, f"{older / 'manifest.json'}: run format 0 is not the supported {FORMAT_VERSION}"
    )
    (older / "manifest.json").write_text("{not json", encoding="utf-8")
    result = invoke(project, "show", "--run", str(older))
    assert_failed_cleanly(result, f"{older / 'manifest.json'}: is corrupt")
    (older / "manifest.json").unlink()
    result = invoke(project, "show", "--run", str(older))
    assert_failed_cleanly(result, f"{older}: is not a topic run")
    (older / "dictionary.gensim").write_bytes(b"garbage")
    (older / "manifest.json").write_text(
        json.dumps({**manifest, "format_version": FORMAT_VERSION}), "utf-8"
    )
    # reading the run's tables needs no dictionary; inferring new documents does
    assert invoke(project, "show", "--run", str(older)).exit_code == 0
    page = tmp_path / "page.txt"
    page.write_text("乡镇财政负债问题突出，村两委实行一肩挑。", encoding="utf-8")
    result = invoke(project, "infer", str(page), "--run", str(older))
    assert_failed_cleanly(result, f"{older}: run files are damaged")
    (older / "topic_word.npy").write_bytes(b"garbage")
    result = invoke(project, "show", "--run", str(older))
    assert_failed_cleanly(result, f"{older}: run files are damaged")


def _single_line_file(path: Path, megabytes: int) -> None:
    """``megabytes`` MB of Chinese text with sentence ends and commas but no line break."""
    rng = np.random.default_rng(0)
    chars = np.array([ord(c) for c in "乡镇财政负债问题突出村两委实行一肩挑党建干部考核激励机制"
                      "村民自治组织建设领导班子监督权力运行基层治理服务群众经济发展农村改革"],
                     dtype=np.uint32)  # fmt: skip
    n = megabytes * 1_000_000 // 3
    codes = chars[rng.integers(0, len(chars), n)]
    codes[rng.integers(0, n, n // 30)] = ord("。")
    codes[rng.integers(0, n, n // 12)] = ord(",")
    path.write_bytes(codes.tobytes().decode("utf-32-le").encode("utf-8"))


@pytest.mark.slow
def test_a_50_mb_single_line_file_is_cut_not_choked_on(tmp_path):
    folder = tmp_path / "big"
    folder.mkdir()
    _single_line_file(folder / "one_line.txt", 50)
    script = textwrap.dedent(f"""
        import json, resource, time
        from topics.corpus.prepare import prepare_corpus
        started = time.perf_counter()
        corpus = prepare_corpus({str(folder)!r})
        print(json.dumps({{"seconds": time.perf_counter() - started,
                           "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                           "paragraphs": len(corpus.paragraphs),
                           "longest": int(corpus.paragraphs["n_chars"].max()),
                           "warning": corpus.pages["warning"].iloc[0]}}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=600, check=True)  # fmt: skip
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["paragraphs"] > 3000
    assert report["longest"] <= 5000
    assert report["warning"].startswith("line 1 has 16,666,66")
    assert "cut at sentence ends" in report["warning"]
    assert report["rss_mb"] < 2048, report  # bounded memory (the near-duplicate join scales)


def test_long_line_warning_reaches_the_cli(project, tmp_path):
    folder = tmp_path / "long"
    folder.mkdir()
    (folder / "book.txt").write_text("乡镇财政负债沉重,转移支付不足。" * 2000, encoding="utf-8")
    result = invoke(project, "prepare", "--input", str(folder))
    assert result.exit_code == 0, result.output
    assert "warning book.txt: line 1 has 32,000 characters: cut at sentence ends" in result.output


def test_bad_corpus_settings_are_named(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    with pytest.raises(InputError, match="corpus.layout must be one of"):
        prepare_corpus(tmp_path, layout="pages")
    with pytest.raises(InputError, match="corpus.filename_pattern: bad regular expression"):
        prepare_corpus(tmp_path, filename_pattern="(?P<year>")


def test_k_auto_on_a_corpus_with_nothing_to_model(project, tmp_path):
    raw = tmp_path / "english"
    raw.mkdir()
    (raw / "english.txt").write_text("Written in English only.\nSecond line.\n", encoding="utf-8")
    table = {**project["table"], "paths": {**project["table"]["paths"], "raw": str(raw)}}
    table["model"] = {**table["model"], "themes": [], "k": "auto"}
    config = write_config(tmp_path / "auto.toml", table)
    result = invoke(project, "fit", "-q", config=config)
    assert_failed_cleanly(result, "none of K =", "can be fitted")
    assert isinstance(result.exception, SystemExit)


BAD_SETTINGS = [  # issue #11: each once stopped with a traceback or saved a run with exit 0
    ("paths", "raw", 5, "paths.raw must be a path"),
    ("model", "seed", "x", "model.seed must be an integer"),
    (
        "model",
        "alpha",
        "bogus",
        'model.alpha must be "symmetric" or "asymmetric" or "auto" or a number',
    ),  # fmt: skip
    ("model", "theme_strength", -10, "model.theme_strength must be a number >= 0"),
    ("corpus", "article_threshold", "high", "corpus.article_threshold must be a number"),
    ("model", "passes", -1, "model.passes must be an integer >= 1"),
    ("model", "iterations", 0, "model.iterations must be an integer >= 1"),
    ("model", "no_above", 2, "model.no_above must be a share in (0, 1]"),
    ("model", "no_below", -5, "model.no_below must be an integer >= 1"),
    ("model", "themes", "finance", 'model.themes must be a list of strings, not "finance"'),
    (
        "select_k",
        "resample",
        3,
        "[select_k] has unknown setting 'resample' (did you mean 'resamples'?)",
    ),
    (
        "corpus",
        "metadata_file",
        "../outside.csv",
        "corpus.metadata_file must be a file name inside the input folder",
    ),  # fmt: skip
]


@pytest.mark.parametrize(("section", "key", "value", "message"), BAD_SETTINGS)
def test_bad_settings_stop_every_command_cleanly(project, intact, section, key, value, message):
    table = {**project["table"], section: {**project["table"].get(section, {}), key: value}}
    config = write_config(project["tmp"] / "bad.toml", table)
    for command in ("fit", "show", "figures"):
        result = invoke(project, command, *(["-q"] * (command != "show")), config=config)
        assert_failed_cleanly(result, f"{config}: {message}")
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_a_named_metadata_file_that_is_missing(project, intact, tmp_path):
    raw = tmp_path / "reports"
    raw.mkdir()
    (raw / "a.txt").write_text(TEXT, encoding="utf-8")
    table = {**project["table"], "corpus": {**project["table"]["corpus"], "metadata_file": "meta.csv"}}  # fmt: skip
    config = write_config(tmp_path / "meta.toml", table)
    result = invoke(project, "prepare", "--input", str(raw), config=config)
    assert_failed_cleanly(result, f"{raw / 'meta.csv'}: metadata_file not found")


def test_report_saved_as_one_line_is_inferred_and_prepared(project, raw_dir, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    text = (raw_dir / "000_786013f1ef10bced.txt").read_text("utf-8")
    (folder / "x.txt").write_text(text.replace("\n", ""), "utf-8")
    out = tmp_path / "shares.csv"
    result = invoke(project, "infer", str(folder / "x.txt"), str(folder), "-q", "-o", str(out))
    assert result.exit_code == 0, result.output
    shares = pd.read_csv(out)
    assert shares["status"].tolist() == ["ok"]  # named twice, counted once
    result = invoke(project, "prepare", "--input", str(folder))
    assert result.exit_code == 0, result.output
    assert "warning x.txt: line 1 has 13,832 characters: cut at sentence ends" in result.output
    corpus = pipeline.load_prepared(tmp_path / "processed")
    assert len(corpus.articles) == 5 and len(corpus.modelling_paragraphs()) > 40


def test_infer_with_no_known_word_fails_by_name(project, intact, tmp_path):
    (tmp_path / "english.txt").write_text("Written in English only.\n", encoding="utf-8")
    result = invoke(project, "infer", str(tmp_path / "english.txt"), "-q")
    assert_failed_cleanly(result, "english.txt: has no word the model knows")


def test_docx_past_the_bounds_is_skipped_by_name(project, tmp_path, monkeypatch):
    raw = tmp_path / "bomb"
    raw.mkdir()
    (raw / "good.txt").write_text(TEXT, encoding="utf-8")
    with zipfile.ZipFile(raw / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 5000)
    monkeypatch.setattr(extract, "DocxLimits", lambda: DocxLimits(paragraphs=1000))
    result = invoke(project, "prepare", "--input", str(raw))
    assert result.exit_code == 0, result.output
    assert "skipped bomb.docx: has more than 1,000 paragraphs" in result.output
    problems = pipeline.load_prepared(tmp_path / "processed").problems
    assert problems["path"].tolist() == ["bomb.docx"]


def test_html_with_many_unmatched_end_tags_is_read(project, tmp_path):
    raw = tmp_path / "html"
    raw.mkdir()
    page = "<div>" * 5000 + "</span>" * 5000 + "<!-- " + "<p>乡镇财政负债沉重。</p>" * 3
    (raw / "page.html").write_text(page + " --><p>村务公开是村民自治的关键。</p>", "utf-8")
    result = invoke(project, "prepare", "--input", str(raw))
    assert result.exit_code == 0, result.output
    texts = pipeline.load_prepared(tmp_path / "processed").paragraphs["text"].tolist()
    assert texts == ["村务公开是村民自治的关键。"]


def test_backtracking_filename_pattern_fails_by_name(project, intact, tmp_path):
    raw = tmp_path / "names"
    raw.mkdir()
    name = "a" * 40 + "!.txt"
    (raw / name).write_text(TEXT, encoding="utf-8")
    table = {**project["table"], "corpus": {**project["table"].get("corpus", {})}}
    table["corpus"]["filename_pattern"] = "(?P<x>(a|aa)+$)"
    config = write_config(tmp_path / "pattern.toml", table)
    result = invoke(project, "prepare", "--input", str(raw), config=config)
    assert_failed_cleanly(result, f"{name}: corpus.filename_pattern '(?P<x>(a|aa)+$)' takes over")
    assert len(result.output.strip().splitlines()) == 1, result.output


# Saving where nothing can be written; damaged run manifests.


def _run_read_only(project, *args: str, only: str = "") -> subprocess.CompletedProcess:
    """The CLI in a process that cannot write into the project's folder, or its subfolder
    ``only`` (made read-only; as root, also without the capability to override permissions)."""
    prefix = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: folder permissions are not enforced")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    top = project["tmp"] / only
    folders = [top, *(p for p in top.rglob("*") if p.is_dir())]
    for folder in folders:
        folder.chmod(0o555)
    try:
        command = [sys.executable, "-c", "from topics.cli import app; app()", *args]
        return subprocess.run(
            [*prefix, *command, "--config", str(project["config"])],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    finally:
        for folder in folders:
            folder.chmod(0o755)


@pytest.mark.parametrize(
    ("args", "folder", "problem"),
    [
        (("prepare", "-q"), "processed", "is read-only for this user: refused"),
        (("fit", "-q", "--k", "5", "--seed", "7"), "runs/k5-seed7-", "permission denied"),
        (("figures", "-q"), "runs/k_selection", "permission denied"),
    ],
)
def test_a_read_only_data_folder_gets_a_one_line_error(project, intact, args, folder, problem):
    result = _run_read_only(project, *args)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {project['tmp'] / folder}")
    assert problem in lines[0]


def test_a_read_only_cache_folder_gets_a_one_line_error(project, intact):
    shutil.rmtree(project["tmp"] / "interim")
    (project["tmp"] / "interim").mkdir()  # nothing cached: the fit must write here
    result = _run_read_only(project, "fit", "-q", "--k", "5", only="interim")
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1 and len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {project['tmp'] / 'interim'}")
    assert lines[0].endswith(": permission denied (check its permissions)")


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda manifest: [manifest], "damaged run: the manifest is not a JSON object"),
        (lambda manifest: {k: v for k, v in manifest.items() if k != "model"},
         "damaged run: the manifest has no 'model' record"),
        (lambda manifest: {**manifest, "model": {**manifest["model"], "colour": 1}},
         "damaged run: its model settings or pruning record cannot be read"),
    ],
)  # fmt: skip
def test_a_damaged_run_manifest_is_named(project, intact, tmp_path, damage, problem):
    copy = tmp_path / "copy"
    shutil.copytree(project["tmp"] / "runs" / project["run"], copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    (copy / "manifest.json").write_text(json.dumps(damage(manifest)), encoding="utf-8")
    result = invoke(project, "show", "--run", str(copy))
    assert_failed_cleanly(result, f"{copy / 'manifest.json'}: {problem}")


def test_the_current_run_is_fitted_again_when_its_manifest_is_damaged(project):
    settings = Settings.load(project["config"])
    before = pipeline.open_run(settings)
    (before.path / "manifest.json").write_text("[]", encoding="utf-8")
    again = pipeline.current_run(settings, progress=False)
    assert again.path == before.path
    assert np.array_equal(again.topic_word(), before.topic_word())
    assert pipeline.open_run(settings).manifest["inputs"] == before.manifest["inputs"]
