"""The ``topics`` command line. Each command parses its arguments, calls one library function
(mostly in :mod:`topics.pipeline`) and prints or writes its result; none re-implements it.

A new command that writes a table takes ``output: OutputOption = None`` and ends with
``emit(table, output)``.
"""

from __future__ import annotations

import functools
import sys
import warnings
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from topics.analysis.ids import LEVELS
from topics.errors import InputError, TopicsError, TopicsWarning
from topics.model.choices import DISTANCES, LAMBDA, METHODS
from topics.model.settings import MAX_K, MAX_SEED, MIN_K

#: Bounds of options that set an amount of work (stated in --help).
MAX_RESAMPLES = 100
MAX_DRAWS = 10_000  # = topics.analysis.effects.MAX_DRAWS (not imported here: slow to load)

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Topic models of Chinese policy reports: prepare, tokenize, fit, compare, draw.",
    rich_markup_mode=None,
)
Method = StrEnum("Method", [(m, m) for m in METHODS])
Metric = StrEnum("Metric", [(m, m) for m in DISTANCES])
Level = StrEnum("Level", [(m, m) for m in LEVELS])


def _table_path(value: Path | None) -> Path | None:
    """Check ``-o`` before any work: its suffix must name a table format."""
    from topics.export import check_suffix

    try:
        return None if value is None else check_suffix(value)
    except InputError as exc:
        raise typer.BadParameter(str(exc)) from None


ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Settings file (default: the nearest topics.toml)."),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]
RunOption = Annotated[
    Path | None, typer.Option("--run", "-r", help="Run folder (default: the latest fitted run).")
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", callback=_table_path,
        help="Also write the table: .csv, .parquet, .xlsx, .tex or .md (from the suffix).",
    ),
]  # fmt: skip
CountOption = Annotated[int, typer.Option("--n", "-n", min=1, help="How many.")]


def friendly_errors(command):
    """Print a :class:`TopicsError` as one line and exit 1, instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", TopicsWarning)
            try:
                return command(*args, **kwargs)
            except TopicsError as exc:
                typer.secho(f"error: {exc}", fg="red", err=True)
                raise typer.Exit(1) from None
            except OSError as exc:  # a full disk or a refusal met outside a save
                from topics.storage import refusal

                error = refusal(exc, Path.cwd())
                if error is None:
                    raise
                typer.secho(f"error: {error}", fg="red", err=True)
                raise typer.Exit(1) from None
            except KeyboardInterrupt:
                typer.secho("interrupted: earlier results were left as they were", err=True)
                raise typer.Exit(130) from None
            finally:
                for warning in caught:
                    if issubclass(warning.category, TopicsWarning):
                        typer.secho(f"warning: {warning.message}", fg="yellow", err=True)

    return wrapper


def _settings(config: Path | None):
    from topics.config import Settings

    return Settings.load(config)


def emit(table, output: Path | None = None, caption: str | None = None) -> None:
    """Print ``table`` (rounded) and, with ``output``, write it in full in the format of its
    suffix (see :func:`topics.export.write_table`). Topics are named T1 … TK in both."""
    from topics.analysis.reports import DECIMALS, for_output, table_text

    typer.echo(table_text(for_output(table.round(DECIMALS))))
    if output is not None:
        emit_file(table, output, caption)


def emit_file(table, output: Path, caption: str | None = None) -> None:
    """Write ``table`` to ``output`` without printing it (``caption``: of a .tex table)."""
    from topics.analysis.reports import for_output
    from topics.export import write_table

    table = for_output(table)
    if caption:
        table.attrs["caption"] = caption
    typer.echo(f"wrote {write_table(table, output)}")


def _open_run(config: Path | None, run: Path | None):
    """The run ``run`` (default: the latest) of the project, read without loading gensim."""
    from topics.saved import open_run

    return open_run(_settings(config), run)


def _run_and_corpus(config: Path | None, run: Path | None):
    from topics.project import prepared_corpus
    from topics.saved import open_run

    settings = _settings(config)
    return open_run(settings, run), prepared_corpus(settings)


@app.command()
@friendly_errors
def prepare(
    config: ConfigOption = None,
    input: Annotated[
        Path | None,
        typer.Option(
            "--input", "-i", help="Folder of documents; written to topics.toml as [paths] raw."
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Clean and split the documents into articles and paragraphs; write data/processed/."""
    from topics import pipeline
    from topics.analysis.reports import corpus_notes, corpus_text

    settings = _settings(config)
    corpus = pipeline.prepare(settings, input, progress=not quiet)
    typer.echo(corpus_text(corpus))
    for note in corpus_notes(corpus):
        typer.secho(note, fg="yellow", err=True)
    typer.echo(f"\ntables written to {settings.path(settings.paths.processed)}")
    if input is not None:
        typer.echo(f"{input} is the corpus now ([paths] raw in {settings.source or 'topics.toml'})")


@app.command()
@friendly_errors
def tokens(
    config: ConfigOption = None,
    quiet: QuietOption = False,
    show: Annotated[int, typer.Option(min=0, help="Show the first N tokenized paragraphs.")] = 0,
) -> None:
    """Tokenize the prepared paragraphs and report what every filter removed."""
    from topics import pipeline
    from topics.analysis.reports import tokens_text

    settings = _settings(config)
    corpus = pipeline.prepared_corpus(settings)
    result = pipeline.tokenize_paragraphs(settings, corpus, progress=not quiet)
    typer.echo(tokens_text(corpus, result, show))


@app.command()
@friendly_errors
def fit(
    config: ConfigOption = None,
    quiet: QuietOption = False,
    k: Annotated[
        int | None, typer.Option("--k", "-k", min=MIN_K, max=MAX_K, help="Number of topics.")
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, max=MAX_SEED, help="Random seed.")] = None,
    themes: Annotated[
        str | None,
        typer.Option(
            help="Seeded themes: comma-separated ids from the themes file, 'all', or 'none'."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Fit again even if a run of the same inputs is saved.")
    ] = False,
) -> None:
    """Fit LDA on the non-duplicate paragraphs and save the run under data/runs/ (a saved run
    of the same inputs, e.g. the one select-k saved, is used as it is)."""
    from topics import pipeline
    from topics.analysis.reports import fit_text

    settings = _settings(config)
    chosen = None if themes is None else () if themes == "none" else tuple(themes.split(","))
    model = pipeline.model_settings(settings, k=k, seed=seed, themes=chosen)
    typer.echo(fit_text(pipeline.fit(settings, model, progress=not quiet, force=force)))


@app.command("select-k")
@friendly_errors
def select_k(
    config: ConfigOption = None,
    quiet: QuietOption = False,
    ks: Annotated[
        str | None,
        typer.Option(
            "--ks",
            help=f"K values: '4-16' (step 2) or '4,6,8', each from {MIN_K} to {MAX_K} "
            "(K above the number of paragraphs is skipped).",
        ),
    ] = None,
    resamples: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=MAX_RESAMPLES,
            help="Subsample draws per K that matters, for stability (default: the config's, 8).",
        ),
    ] = None,
    output: OutputOption = None,
) -> None:
    """Compare K by stability under resampling, coherence, perplexity, diversity; recommend one."""
    from dataclasses import replace

    from topics.model.k_rule import explain, k_summary
    from topics.pipeline import k_selection

    chosen = _int_lists(ks=ks)
    if resamples is not None:
        chosen["resamples"] = resamples
    settings = _settings(config)
    grid = replace(settings.select_k, **chosen)  # checks the values
    if grid.resamples < 1:  # stability under resampling is what select-k compares
        raise InputError(settings.source or None, "select-k needs [select_k] resamples >= 1, not 0",
                         "or pass --resamples 3")  # fmt: skip
    table, _ = k_selection(settings, grid.ks, grid.resamples, progress=not quiet)
    emit(k_summary(table).reset_index(), output)
    typer.echo(f"\n{explain(table)}")
    if settings.model.k != "auto":
        typer.echo(f'(the config sets k = {settings.model.k} by hand; k = "auto" under [model] '
                   "would use the recommendation)")  # fmt: skip


def _int_lists(**texts: str | None) -> dict[str, tuple[int, ...]]:
    """'4-16' (step 2) or '4,6,8' as integers, for each option given."""
    lists = {}
    for name, text in texts.items():
        if text is None:
            continue
        try:
            if "-" in text.strip("-"):
                low, high = (int(part) for part in text.split("-"))
                ends = (low, high) if high > MAX_K else ()  # refused below, before the range
                lists[name] = ends or tuple(range(low, high + 1, 2))
            else:
                lists[name] = tuple(int(part) for part in text.split(","))
        except ValueError:
            problem = f"expected '4-16' or '4,6,8', got {text!r}"
            raise typer.BadParameter(problem, param_hint=f"--{name}") from None
        if any(k > MAX_K for k in lists[name]):  # before a range of millions is built
            problem = f"each K must be from {MIN_K} to {MAX_K}, got {text!r}"
            raise typer.BadParameter(problem, param_hint=f"--{name}")
    return lists


@app.command()
@friendly_errors
def show(
    config: ConfigOption = None,
    run: RunOption = None,
    n: Annotated[int, typer.Option("--n", "-n", min=1, help="Terms per topic.")] = 10,
    lam: Annotated[
        float,
        typer.Option(
            "--lambda", min=0.0, max=1.0, help="Relevance λ in [0, 1] (1 = probability)."
        ),  # fmt: skip
    ] = LAMBDA,
    method: Annotated[Method, typer.Option(help="How terms are ranked.")] = Method.relevance,
    all_methods: Annotated[
        bool, typer.Option("--all", help="The full term table (every method, one term a row).")
    ] = False,
    output: OutputOption = None,
) -> None:
    """Show a run's topics: labels, prevalence and top terms."""
    from topics.analysis.reports import themes_text, topic_terms, topics_text

    topic_run = _open_run(config, run)
    if all_methods:
        emit(topic_run.terms(n=n, lam=lam), output)
        return
    table = topic_terms(topic_run, n, lam, method)
    typer.echo("\n\n".join(filter(None, [topics_text(table, n, lam, method),
                                         "\n".join(themes_text(topic_run))])))  # fmt: skip
    if output is not None:
        how = f"relevance (λ = {lam:g})" if method == "relevance" else str(method)
        caption = f"Topics of run {topic_run.path.name}: prevalence and top {n} terms by {how}"
        emit_file(table, output, caption)


@app.command()
@friendly_errors
def infer(
    paths: Annotated[list[Path], typer.Argument(help="Text files or folders of them.")],
    config: ConfigOption = None,
    run: RunOption = None,
    output: OutputOption = None,
    quiet: QuietOption = False,
) -> None:
    """Topic and theme shares of new documents (and of each of their paragraphs: written next
    to -o as <name>_paragraphs)."""
    from topics import pipeline
    from topics.analysis.infer import infer_files

    settings = _settings(config)
    topic_run = pipeline.open_run(settings, run)
    result = infer_files(
        topic_run, paths, pipeline.make_tokenizer(settings), pipeline.furniture_rules(settings),
        progress=not quiet, simplified=settings.corpus.traditional_to_simplified,
    )  # fmt: skip
    for row in result.problems.itertuples():
        typer.secho(f"skipped {row.path}: {row.problem}", fg="yellow", err=True)
    emit(result.documents, output)
    if output is not None:
        emit_file(result.paragraphs, output.with_name(f"{output.stem}_paragraphs{output.suffix}"))
    if result.documents.empty:
        raise typer.Exit(1)


@app.command()
@friendly_errors
def similar(
    item_id: Annotated[
        str,
        typer.Argument(help="Article or paragraph id, full or short as in the figures (000#2)."),
    ],
    config: ConfigOption = None,
    run: RunOption = None,
    n: CountOption = 5,
    level: Annotated[Level | None, typer.Option(help="Default: the id's own level.")] = None,
    metric: Annotated[
        Metric, typer.Option(help="Distance between topic mixes.")
    ] = Metric.jensen_shannon,  # fmt: skip
    output: OutputOption = None,
) -> None:
    """The articles (or paragraphs) whose topic mix is closest to ITEM_ID's."""
    from topics.analysis.compare import most_similar

    topic_run, corpus = _run_and_corpus(config, run)
    emit(most_similar(topic_run, item_id, n, level, metric, corpus.paragraphs), output)


@app.command()
@friendly_errors
def compare(
    id_a: Annotated[str, typer.Argument(help="First article or paragraph id (full or short).")],
    id_b: Annotated[str, typer.Argument(help="Second article or paragraph id.")],
    config: ConfigOption = None,
    run: RunOption = None,
    passages: Annotated[
        int, typer.Option(min=0, help="Passages per document and shared topic.")
    ] = 2,  # fmt: skip
) -> None:
    """Two documents side by side: topic mixes, distance, shared and separating topics, passages."""
    from topics.analysis.compare import compare_documents

    topic_run, corpus = _run_and_corpus(config, run)
    typer.echo(compare_documents(topic_run, corpus, id_a, id_b, n_passages=passages).summary())


@app.command("passages")
@friendly_errors
def passages_command(
    config: ConfigOption = None,
    run: RunOption = None,
    topic: Annotated[str | None, typer.Option(help="Topic number (3 or T3).")] = None,
    theme: Annotated[str | None, typer.Option(help="Theme id, e.g. finance.")] = None,
    n: CountOption = 5,
    width: Annotated[
        int, typer.Option(min=10, help="Characters of text shown per passage.")
    ] = 160,  # fmt: skip
    kwic: Annotated[bool, typer.Option(help="Also list every key word in context.")] = False,
    output: OutputOption = None,
) -> None:
    """The most representative paragraphs of a topic or theme, key words highlighted."""
    from topics.analysis.passages import (
        keyword_in_context,
        representative_passages,
        resolve_topic,
        topic_words,
    )
    from topics.analysis.reports import passages_text

    topic_run, corpus = _run_and_corpus(config, run)
    table = representative_passages(topic_run, corpus, topic=topic, theme=theme, n=n)
    k = resolve_topic(topic_run, topic, theme)
    style = "ansi" if sys.stdout.isatty() else "brackets"
    typer.echo(passages_text(topic_run, table, k, width, style))
    if kwic:
        emit(keyword_in_context(table, topic_words(topic_run, k)))
    if output is not None:
        emit_file(table, output)


@app.command()
@friendly_errors
def share(
    by: Annotated[str, typer.Option(help="Metadata column, e.g. year or place.")],
    config: ConfigOption = None,
    run: RunOption = None,
    level: Annotated[Level, typer.Option(help="Units whose shares are pooled.")] = Level.article,
    output: OutputOption = None,
) -> None:
    """Token-weighted topic share per value of a metadata column (e.g. topic share by year)."""
    from topics.analysis.share import share_by

    topic_run, corpus = _run_and_corpus(config, run)
    units = f"{level}s"
    emit(share_by(getattr(topic_run, units), by, getattr(corpus, units)), output)


@app.command("words-by")
@friendly_errors
def words_by_command(
    column: Annotated[str, typer.Argument(help="Metadata column, e.g. year or place.")],
    config: ConfigOption = None,
    run: RunOption = None,
    n: Annotated[int, typer.Option("--n", "-n", min=1, help="Top words per topic and level.")] = 10,
    method: Annotated[Method, typer.Option(help="How words are ranked.")] = Method.relevance,
    periods: Annotated[
        int,
        typer.Option(min=2, max=20, help="Periods a numeric column with more values is cut into."),
    ] = 4,
    draws: Annotated[int, typer.Option(min=20, help="Bootstrap draws of the articles.")] = 200,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the draws.")] = 0,
    output: OutputOption = None,
    quiet: QuietOption = False,
) -> None:
    """How each topic's words change across the levels of a metadata column, with 95% intervals
    (the full table, one row per topic, word and level, goes to -o)."""
    from topics import pipeline
    from topics.analysis.words_by import words_by

    settings = _settings(config)
    topic_run, corpus = pipeline.open_run(settings, run), pipeline.prepared_corpus(settings)
    tokens = pipeline.tokenize_paragraphs(settings, corpus, progress=not quiet)
    result = words_by(topic_run, corpus, tokens, column, n, str(method), periods=periods,
                      draws=draws, seed=seed, progress=not quiet)  # fmt: skip
    typer.echo(result.describe())
    changes = result.changes()
    typer.echo(f"\n{len(changes)} changes beyond the noise" + (":" if len(changes) else "."))
    if len(changes):
        emit(changes[["topic", "label", "term", "level", "reference", "weight", "change", "low",
                      "high", "signal"]])  # fmt: skip
    if output is not None:
        emit_file(result.table, output)


@app.command()
@friendly_errors
def effect(
    formula: Annotated[str, typer.Argument(help='Covariates, e.g. "~ year", "~ bs(year, df=4)".')],
    config: ConfigOption = None,
    run: RunOption = None,
    level: Annotated[Level, typer.Option(help="Units regressed.")] = Level.article,
    draws: Annotated[
        int, typer.Option(min=1, max=MAX_DRAWS, help="Posterior draws of the topic shares.")
    ] = 100,
    seed: Annotated[int, typer.Option(min=0, max=MAX_SEED, help="Seed of the draws.")] = 0,
    output: OutputOption = None,
) -> None:
    """How topic prevalence varies with metadata, with 95% intervals (stm's estimateEffect)."""
    from topics.analysis.effects import estimate_effect

    effects = estimate_effect(*_run_and_corpus(config, run), formula, str(level), draws, seed)
    typer.echo(effects.describe())
    emit(effects.headline(), None)
    if output is not None:
        emit_file(effects.table, output)


@app.command()
@friendly_errors
def figures(
    config: ConfigOption = None,
    quiet: QuietOption = False,
    out: Annotated[
        Path | None, typer.Option(help="Folder for figures (default: figures/).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Redraw even if nothing changed.")] = False,
) -> None:
    """Regenerate every figure from the raw data, reusing caches where nothing changed."""
    from topics import pipeline

    settings = _settings(config)
    report = pipeline.make_figures(settings, out=out, progress=not quiet, force=force)
    typer.echo("\n".join(report.lines()))


@app.command()
@friendly_errors
def report(
    config: ConfigOption = None,
    quiet: QuietOption = False,
    out: Annotated[
        Path | None, typer.Option(help="The page (default: figures/report.html).")
    ] = None,
) -> None:
    """The whole run as one offline HTML page: corpus, K, topics with passages, prevalence,
    words by covariate, similar documents, provenance."""
    from topics import pipeline

    path = pipeline.make_report(_settings(config), out, progress=not quiet)
    typer.echo(f"wrote {path} ({path.stat().st_size / 1024:.0f} kB)")
