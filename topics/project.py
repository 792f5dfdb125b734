"""The project's data side: its raw pages and their hashes, the prepared corpus (saved and
reused while its inputs are unchanged), the tokenizer and the documents a model is trained on.

:mod:`topics.pipeline` builds runs and figures on top of these.
"""

from __future__ import annotations

import warnings
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from topics import storage
from topics.config import Settings
from topics.corpus import cleaning
from topics.corpus.metadata import sidecar_path
from topics.corpus.prepare import PreparedCorpus, prepare_corpus
from topics.corpus.readers import list_text_files
from topics.errors import TopicsError, TopicsWarning, input_error
from topics.storage import build_manifest, reuse_or_build, toml_with_value, write_text
from topics.text.lexicons import LexiconPaths, load_lexicons

if TYPE_CHECKING:  # jieba and gensim load only when text is tokenized
    from topics.text.token_ids import TokenIds
    from topics.text.tokenize import Tokenizer

TABLES = ("pages", "articles", "paragraphs", "removed", "problems")


def raw_hashes(settings: Settings, raw: Path | None = None) -> dict[str, str]:
    """SHA-256 of every input document (and metadata sidecar), by path relative to its folder."""
    raw = raw or settings.path(settings.paths.raw)
    files = list_text_files(raw, settings.corpus.suffixes, settings.corpus.outside_links)
    sidecar = sidecar_path(raw, settings.corpus.metadata_file)
    files += [sidecar] if sidecar else []
    return {p.relative_to(raw).as_posix(): storage.file_sha256(p) for p in files}


#: SHA-256 of the bundled corpus's raw pages (``data/raw``). Notebooks check what they say
#: about this corpus only when the corpus they run on is this one (:func:`is_bundled_corpus`).
BUNDLED_SHA256 = {
    "000_786013f1ef10bced.txt": "93d6972aef9f370dd7c21bf8471b4b40af2ddee7f10f8be139f594305876b524",
    "001_ebcc36c3b1595f89.txt": "b9c50de34b43d356a98c126bea88a4d0ffdeb111cdd72c7408b915e2add4a8db",
    "002_f5720e37d39fd83a.txt": "d0b63ea1dbdd10d18686a4f0d7b5a41d14c3fb411470a53a7a5daa81e3322f4a",
    "003_c52d0679af3027a5.txt": "edd252c026c8c47544813661b943d75562dce9f68935cbb8cc69a37029a18406",
}


def is_bundled_corpus(settings: Settings) -> bool:
    """Whether the corpus of ``settings`` (its ``paths.raw``) is the bundled one, byte for
    byte: the same files with the same SHA-256 and nothing else."""
    try:
        return raw_hashes(settings) == BUNDLED_SHA256
    except (OSError, TopicsError):
        return False


def furniture_rules(settings: Settings) -> cleaning.FurnitureRules:
    return cleaning.load_furniture(settings.path(settings.paths.furniture))


def prepare_inputs(settings: Settings, raw: Path | None = None) -> dict:
    rules = furniture_rules(settings)
    return {
        "raw": raw_hashes(settings, raw),
        "furniture": rules.sha256,
        "corpus_settings": settings.fingerprint("corpus"),
    }


def prepare(
    settings: Settings, input_folder: Path | None = None, progress: bool = False
) -> PreparedCorpus:
    """Prepare the corpus in ``paths.raw`` and save its tables under ``paths.processed``.

    ``input_folder`` (``topics prepare --input``) becomes the project's corpus: once prepared,
    it is written into the config file as ``[paths] raw``, so later commands work on it.
    """
    raw = Path(input_folder).resolve() if input_folder else None
    record = _corpus_record(settings, raw) if raw else None
    if raw:  # the outputs are checked against the new corpus folder before any work
        settings = replace(settings, paths=replace(settings.paths, raw=raw))
    corpus, _ = prepared_or_rebuilt(settings, raw, progress, force=True)
    if record:
        write_text(*record)
    return corpus


def _corpus_record(settings: Settings, folder: Path) -> tuple[Path, str] | None:
    """The config file and its text with ``folder`` as ``[paths] raw`` (relative to the project
    root when inside it); None when it is the corpus already. Checked before preparing."""
    if folder == settings.path(settings.paths.raw).resolve():
        return None
    root = settings.root.resolve()
    value = folder.relative_to(root).as_posix() if folder.is_relative_to(root) else str(folder)
    config = Path(settings.source) if settings.source else root / "topics.toml"
    try:
        text = config.read_text(encoding="utf-8") if config.exists() else ""
        return config, toml_with_value(text, "paths", "raw", value)
    except (OSError, ValueError) as exc:
        raise input_error(
            config, f"cannot record {folder} as the corpus ({exc})",
            f'set [paths] raw = "{value}" yourself',
        ) from None  # fmt: skip


def prepared_or_rebuilt(
    settings: Settings, raw: Path | None = None, progress: bool = False, force: bool = False
) -> tuple[PreparedCorpus, bool]:
    """The prepared corpus of ``raw`` (default ``paths.raw``) and whether it was prepared anew."""
    folder = settings.path(settings.paths.processed)
    raw = raw or settings.path(settings.paths.raw)
    inputs = prepare_inputs(settings, raw)

    def build(tmp: Path) -> tuple[PreparedCorpus, dict]:
        options = {f.name: getattr(settings.corpus, f.name) for f in fields(settings.corpus)}
        corpus = prepare_corpus(raw, furniture_rules(settings), progress=progress, **options)
        previous = (storage.read_manifest(folder) or {}).get("corpus_folder")
        if previous not in (None, str(raw)):
            warnings.warn(f"{folder}: prepared from {previous} before, now from {raw}",
                          TopicsWarning, stacklevel=4)  # fmt: skip
        write_prepared(corpus, tmp)
        manifest = build_manifest(
            "prepared-corpus", inputs, {"corpus": settings.fingerprint("corpus")},
            summary=corpus.summary(), corpus_folder=str(raw),
        )  # fmt: skip
        return corpus, manifest

    return reuse_or_build(folder, inputs, build, lambda f, _: load_prepared(f), force=force)


def write_prepared(corpus: PreparedCorpus, folder: Path) -> None:
    """Write every table as Parquet and CSV (UTF-8 with BOM, for spreadsheets) into ``folder``."""
    for name in TABLES:
        table: pd.DataFrame = getattr(corpus, name)
        table.to_parquet(folder / f"{name}.parquet", index=False)
        table.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig")


def load_prepared(folder: Path) -> PreparedCorpus:
    """Read tables written by :func:`write_prepared`."""
    tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}
    return PreparedCorpus(**tables)


def prepared_corpus(settings: Settings, progress: bool = False) -> PreparedCorpus:
    """The prepared corpus of ``paths.raw``: loaded from disk while its inputs are unchanged,
    prepared anew otherwise."""
    return prepared_or_rebuilt(settings, progress=progress)[0]


def lexicon_paths(settings: Settings) -> LexiconPaths:
    """The configured lexicon files resolved against the project root."""
    lex = settings.lexicons
    return LexiconPaths(**{f.name: settings.path(getattr(lex, f.name)) for f in fields(lex)})


def make_tokenizer(settings: Settings) -> Tokenizer:
    from topics.text.tokenize import Tokenizer

    cache = settings.path(settings.paths.cache)
    return Tokenizer(load_lexicons(lexicon_paths(settings)), settings.tokenize, cache)


def tokenize_paragraphs(
    settings: Settings, corpus: PreparedCorpus, progress: bool = True
) -> TokenIds:
    """Token ids of every paragraph of ``corpus`` (duplicates included, in table order), with
    the removal report and cache use; large corpora are segmented in worker processes."""
    from topics.text.stream import tokenize_corpus

    return tokenize_corpus(corpus.paragraphs["text"].tolist(), make_tokenizer(settings), progress)


def training_documents(
    corpus: PreparedCorpus, tokenized: TokenIds, as_lists: bool = False
) -> TokenIds | list[list[str]]:
    """The documents a model is trained on: the paragraphs that are not duplicates (as token
    lists with ``as_lists``)."""
    in_model = corpus.paragraphs["duplicate_of"].isna().to_numpy()
    subset = tokenized.subset(np.flatnonzero(in_model))
    return subset.tokens if as_lists else subset
