"""Typed settings: the shipped topics.toml states the code's defaults, and every bad key or value
is a one-line error naming the file, the section and the key."""

from __future__ import annotations

import dataclasses
import re
import shutil
import tomllib
from pathlib import Path

import pytest

from topics import pipeline
from topics.config import SECTIONS, Settings
from topics.corpus.prepare import prepare_corpus
from topics.errors import InputError
from topics.model.lda import fit_lda
from topics.model.settings import ModelSettings, SelectKSettings
from topics.model.themes import load_themes

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "topics.toml"
#: Keys whose default is "the copy shipped with the package" rather than the path the toml names.
SHIPPED_FILES = {"paths": {"furniture", "themes"}, "lexicons": None}


def load(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "topics.toml"
    path.write_text(text, encoding="utf-8")
    return Settings.load(path)


def test_the_shipped_toml_states_the_code_defaults():
    table = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    settings = Settings.load(SHIPPED)
    for name, cls in SECTIONS.items():
        if name in SHIPPED_FILES:
            continue
        assert getattr(settings, name) == cls(), name
        default = cls()
        for key, value in table.get(name, {}).items():
            expected = getattr(default, key)
            assert value == (list(expected) if isinstance(expected, tuple) else expected), key


def test_the_shipped_toml_lists_every_setting():
    """Each field appears as ``key =`` (or commented out, when it is off by default)."""
    text = SHIPPED.read_text(encoding="utf-8")
    sections = re.split(r"^\[(\w+)\]$", text, flags=re.M)
    blocks = dict(zip(sections[1::2], sections[2::2], strict=True))
    assert set(blocks) == set(SECTIONS)
    for name, cls in SECTIONS.items():
        for field in dataclasses.fields(cls):
            assert re.search(rf"^(# )?{field.name} = ", blocks[name], re.M), (name, field.name)


def test_a_corpus_only_config_behaves_like_the_repository(tmp_path):
    """Same corpus, no [model], [select_k], [paths] or [lexicons]: the same run inputs (hence
    the same run id) as the repository's config, for the K both resolve to."""
    shutil.copytree(ROOT / "data" / "raw", tmp_path / "data" / "raw")
    bare = load(tmp_path, '[corpus]\nlayout = "auto"\n')
    repo = Settings.load(SHIPPED)
    assert bare.model == repo.model and bare.model.k == "auto" and len(bare.model.themes) == 4
    assert bare.select_k == repo.select_k == SelectKSettings(ks=(4, 6, 8, 10, 12), resamples=8)
    model = dataclasses.replace(repo.model, k=8)
    assert pipeline.run_inputs(bare, model) == pipeline.run_inputs(repo, model)
    assert pipeline.run_id(model, pipeline.run_inputs(bare, model)) == pipeline.run_id(
        model, pipeline.run_inputs(repo, model)
    )


BAD = [  # (section, key = value, the message's end): the cases of issue #11 and a few more
    ("paths", "raw = 5", "paths.raw must be a path (a string), not 5"),
    ("model", 'seed = "x"', 'model.seed must be an integer, not "x"'),
    ("model", "seed = true", "model.seed must be an integer, not true"),
    (
        "model",
        'alpha = "bogus"',
        'model.alpha must be "symmetric" or "asymmetric" or "auto" or a number, not "bogus"',
    ),  # fmt: skip
    ("model", "alpha = -0.1", "model.alpha must be a number > 0, not -0.1"),
    ("model", "theme_strength = -10", "model.theme_strength must be a number >= 0, not -10"),
    ("model", "theme_strength = nan", "model.theme_strength must be a number >= 0, not NaN"),
    (
        "corpus",
        'article_threshold = "high"',
        'corpus.article_threshold must be a number, not "high"',
    ),  # fmt: skip
    (
        "corpus",
        "paragraph_threshold = 1.5",
        "corpus.paragraph_threshold must be a share in [0, 1], not 1.5",
    ),  # fmt: skip
    ("model", "passes = -1", "model.passes must be an integer >= 1, not -1"),
    ("model", "iterations = 0", "model.iterations must be an integer >= 1, not 0"),
    ("model", "no_above = 2", "model.no_above must be a share in (0, 1], not 2"),
    ("model", "no_below = -5", "model.no_below must be an integer >= 1, not -5"),
    ("model", 'themes = "finance"', 'model.themes must be a list of strings, not "finance"'),
    ("model", "k = 1", 'model.k must be an integer from 2 to 1000 or "auto", not 1'),
    ("model", 'k = "8"', 'model.k must be an integer or "auto", not "8"'),
    ("model", 'init = "spectral"', 'model.init must be "nmf" or "random", not "spectral"'),
    (
        "select_k",
        "ks = []",
        "select_k.ks must be a non-empty list of integers from 2 to 1000, not []",
    ),
    ("select_k", "resamples = -1", "select_k.resamples must be an integer >= 0, not -1"),
    (
        "corpus",
        'layout = "pages"',
        'corpus.layout must be "auto" or "lines" or "blocks" or "wrapped", not "pages"',
    ),  # fmt: skip
    (
        "corpus",
        'metadata_file = "../meta.csv"',
        'corpus.metadata_file must be a file name inside the input folder, not "../meta.csv"',
    ),  # fmt: skip
    (
        "corpus",
        'metadata_file = "/etc/meta.csv"',
        'corpus.metadata_file must be a file name inside the input folder, not "/etc/meta.csv"',
    ),  # fmt: skip
    ("tokenize", "workers = 0", "tokenize.workers must be an integer >= 1, not 0"),
    ("tokenize", 'hmm = "yes"', 'tokenize.hmm must be true or false, not "yes"'),
    ("lexicons", "userdict = []", "lexicons.userdict must be a path (a string), not []"),
]


@pytest.mark.parametrize(("section", "line", "message"), BAD)
def test_a_bad_value_names_file_key_and_expected_type(tmp_path, section, line, message):
    with pytest.raises(InputError) as caught:
        load(tmp_path, f"[{section}]\n{line}\n")
    assert str(caught.value) == f"{tmp_path / 'topics.toml'}: {message}"


def test_good_values_of_every_kind_pass(tmp_path):
    settings = load(
        tmp_path,
        '[model]\nk = 12\nalpha = 0.1\neta = 0.05\ntheme_strength = 5\nthemes = []\n'
        '[select_k]\nks = [2, 3]\n[corpus]\nmetadata_file = "meta/info.csv"\n'
        '[tokenize]\npos_filter = ["n"]\n[paths]\nraw = "in"\n',
    )  # fmt: skip
    assert settings.model.k == 12 and settings.model.alpha == 0.1 and settings.model.themes == ()
    assert settings.select_k.ks == (2, 3) and settings.tokenize.pos_filter == ("n",)
    assert settings.paths.raw == Path("in") and settings.path(settings.paths.raw) == tmp_path / "in"


def test_unknown_keys_and_sections_are_named_with_the_closest_known(tmp_path):
    with pytest.raises(InputError, match=r"\[select_k\] has unknown setting 'resample' \(did you mean 'resamples'\?\)"):  # fmt: skip
        load(tmp_path, "[select_k]\nresample = 3\n")
    with pytest.raises(InputError, match=r"\[model\] has unknown setting 'colour', 'pases' \(did you mean 'passes'\?\)"):  # fmt: skip
        load(tmp_path, "[model]\ncolour = 'red'\npases = 3\n")
    with pytest.raises(InputError, match=r"unknown section 'modle' \(did you mean 'model'\?\)"):
        load(tmp_path, "[modle]\nk = 8\n")
    with pytest.raises(InputError, match=r"model must be a \[model\] section"):
        load(tmp_path, "model = 8\n")


def test_settings_built_in_code_are_checked_too():
    with pytest.raises(InputError, match="model.passes must be an integer >= 1, not -1"):
        ModelSettings(k=8, passes=-1)
    assert ModelSettings(themes=["finance"]).themes == ("finance",)  # lists become tuples
    with pytest.raises(InputError, match='model.k = "auto" names no K'):
        fit_lda([["财政", "负债"], ["干部", "考核"]], ModelSettings())


def test_overrides_are_checked(project_settings):
    with pytest.raises(
        InputError, match="model.seed must be an integer from 0 to 4294967295, not -3"
    ):
        pipeline.model_settings(project_settings, seed=-3)


def test_a_theme_label_that_is_a_number(tmp_path):
    themes = tmp_path / "themes.toml"
    themes.write_text(
        '[[theme]]\nid = "finance"\nlabel_zh = 5\nlabel_en = "Finance"\nseeds = ["财政"]\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"themes.toml: theme finance: label_zh must be a string, not 5"):  # fmt: skip
        load_themes(themes)


def test_a_named_metadata_file_must_exist(tmp_path):
    (tmp_path / "a.txt").write_text("第一篇:乡镇财政\n乡镇财政负债沉重,转移支付不足。\n", "utf-8")
    assert len(prepare_corpus(tmp_path).pages) == 1  # the default name may be absent
    with pytest.raises(InputError, match=r"meta.csv: metadata_file not found"):
        prepare_corpus(tmp_path, metadata_file="meta.csv")


def test_the_readme_toml_snippets_are_valid_settings(tmp_path):
    blocks = re.findall(
        r"```toml\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S
    )
    assert blocks
    for block in blocks:
        settings = load(tmp_path, block)  # unknown keys or wrong types would raise
        if "filename_pattern" in block:
            assert settings.corpus.filename_pattern == r"^(?P<year>\d{4})_(?P<place>[^_]+)_"
