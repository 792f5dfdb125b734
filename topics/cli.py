"""The ``topics`` command line. Every command calls :mod:`topics.pipeline`; none re-implements it."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Annotated

import typer

from topics.errors import TopicsError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Topic models of Chinese policy reports: prepare, tokenize, fit, compare, draw.",
    rich_markup_mode=None,
)
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Settings file (default: the nearest topics.toml)."),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]


def friendly_errors(command):
    """Print a :class:`TopicsError` as one line and exit 1, instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except TopicsError as exc:
            typer.secho(f"error: {exc}", fg="red", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.secho("interrupted: earlier results were left as they were", err=True)
            raise typer.Exit(130) from None

    return wrapper


def _settings(config: Path | None, raw: Path | None = None):
    from topics.config import Settings

    settings = Settings.load(config)
    if raw is not None:
        from dataclasses import replace

        settings = replace(settings, paths=replace(settings.paths, raw=raw.resolve()))
    return settings


def _print_table(frame, columns=None) -> None:
    import pandas as pd

    with pd.option_context("display.width", 160, "display.max_colwidth", 90):
        typer.echo(frame.to_string(index=False, columns=columns))


@app.command()
@friendly_errors
def prepare(
    config: ConfigOption = None,
    input: Annotated[
        Path | None, typer.Option("--input", "-i", help="Folder of raw files (default: data/raw).")
    ] = None,
) -> None:
    """Clean and split the raw pages into articles and paragraphs; write data/processed/."""
    from topics import pipeline

    settings = _settings(config, input)
    corpus = pipeline.prepare(settings)
    for name, value in corpus.summary().items():
        typer.echo(f"{name:<48}{value:>8}")
    typer.echo("\nwhere characters went:")
    _print_table(corpus.removed_by_reason())
    for row in corpus.problems.itertuples():
        typer.secho(f"skipped {row.path}: {row.problem}", fg="yellow", err=True)
    for row in corpus.pages[corpus.pages["warning"] != ""].itertuples():
        typer.secho(f"warning {row.path}: {row.warning}", fg="yellow", err=True)
    typer.echo(f"\ntables written to {settings.path(settings.paths.processed)}")


@app.command()
@friendly_errors
def tokens(
    config: ConfigOption = None,
    quiet: QuietOption = False,
    show: Annotated[int, typer.Option(help="Show the first N tokenized paragraphs.")] = 0,
) -> None:
    """Tokenize the prepared paragraphs and report what every filter removed."""
    from topics import pipeline

    settings = _settings(config)
    corpus = pipeline.prepared_corpus(settings)
    result = pipeline.tokenize_paragraphs(settings, corpus, progress=not quiet)
    cache = result.cache
    typer.echo(
        f"{len(result.tokens)} paragraphs; segmentation cache: {cache.hits} hits, "
        f"{cache.reused} reused after a dictionary change, {cache.misses} segmented"
    )
    _print_table(result.report)
    for pid, toks in list(zip(corpus.paragraphs["paragraph_id"], result.tokens, strict=True))[
        :show
    ]:
        typer.echo(f"{pid}: {' '.join(toks)}")


@app.command()
@friendly_errors
def figures(
    config: ConfigOption = None,
    quiet: QuietOption = False,
    out: Annotated[
        Path | None, typer.Option(help="Folder for figures (default: figures/).")
    ] = None,
) -> None:
    """Regenerate every figure from the raw data, reusing caches where nothing changed."""
    from topics import pipeline

    settings = _settings(config)
    written = pipeline.make_figures(settings, out=out, progress=not quiet)
    for path in written:
        typer.echo(f"wrote {path}")


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
