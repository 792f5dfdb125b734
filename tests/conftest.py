"""Shared fixtures: the bundled corpus, prepared once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW


@pytest.fixture(scope="session")
def prepared():
    from topics.corpus import prepare_corpus

    return prepare_corpus(RAW)


@pytest.fixture(scope="session")
def lexicons():
    from topics.lexicons import load_lexicons

    return load_lexicons()


@pytest.fixture(scope="session")
def tokenizer(lexicons):
    from topics.tokenize import Tokenizer

    return Tokenizer(lexicons)
