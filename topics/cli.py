"""The ``topics`` command line. Every command calls :mod:`topics.pipeline`; none re-implements it."""

from __future__ import annotations

import functools
import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer

from topics.errors import TopicsError, TopicsWarning

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
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", TopicsWarning)
            try:
                return command(*args, **kwargs)
            except TopicsError as exc:
                typer.secho(f"error: {exc}", fg="red", err=True)
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


def _print_table(frame, columns=None) -> None:
    import pandas as pd

    with pd.option_context("display.width", 160, "display.max_colwidth", 90):
        typer.echo(frame.to_string(index=False, columns=columns))


@app.command()
@friendly_errors
def prepare(
    config: ConfigOption = None,
    input: Annotated[
        Path | None,
        typer.Option("--input", "-i", help="Folder of documents (default: paths.raw); remembered."),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Clean and split the documents into articles and paragraphs; write data/processed/."""
    from topics import pipeline

    settings = _settings(config)
    corpus = pipeline.prepare(settings, input, progress=not quiet)
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


RunOption = Annotated[
    Path | None, typer.Option("--run", "-r", help="Run folder (default: the latest fitted run).")
]


@app.command()
@friendly_errors
def fit(
    config: ConfigOption = None,
    quiet: QuietOption = False,
    k: Annotated[int | None, typer.Option("--k", "-k", help="Number of topics.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    themes: Annotated[
        str | None,
        typer.Option(
            help="Seeded themes: comma-separated ids from the themes file, 'all', or 'none'."
        ),
    ] = None,
) -> None:
    """Fit LDA on the non-duplicate paragraphs and save the run under data/runs/."""
    from topics import pipeline

    settings = _settings(config)
    chosen = None if themes is None else () if themes == "none" else tuple(themes.split(","))
    model = pipeline.model_settings(settings, k=k, seed=seed, themes=chosen)
    run = pipeline.fit(settings, model, progress=not quiet)
    pruning = run.manifest["pruning"]
    typer.echo(
        f"dictionary: {pruning['words_after']} of {pruning['words_before']} words kept, "
        f"{pruning['tokens_after']} of {pruning['tokens_before']} tokens; "
        f"{pruning['empty_documents']} of {pruning['documents']} paragraphs left empty"
    )
    _show_topics(run, n=10, lam=0.6)
    if len(run.seeds):
        typer.echo("\nseed words: rank in their theme's topic (by probability)")
        for theme, group in run.seeds.groupby("theme", sort=False):
            ranks = " ".join(
                f"{r.seed}:{int(r.rank) if r.in_vocabulary else '-'}" for r in group.itertuples()
            )
            typer.echo(f"  {theme} (T{group['topic'].iloc[0]}): {ranks}")
        shares = run.articles.set_index("short_title")[
            [f"T{t}" for t in run.theme_topics().values()]
        ]
        shares.columns = list(run.theme_topics())
        typer.echo("\ntheme share per article:")
        _print_table(shares.round(3).reset_index())
    typer.echo(f"\nrun saved to {run.path} ({run.manifest['timings']['fit_seconds']} s to fit)")


def _show_topics(run, n: int, lam: float, method: str = "relevance") -> None:
    table = run.terms(n=n, lam=lam)
    table = table[table["method"] == method]
    typer.echo(
        f"\ntopics (top {n} terms by {method}"
        + (f", λ={lam}" if method == "relevance" else "")
        + "):"
    )
    for row in run.topics.itertuples():
        words = " ".join(table.loc[table["topic"] == row.topic, "term"])
        theme = f" [{row.theme}]" if row.theme else ""
        trust = _stability_tag(getattr(row, "stability", float("nan")))
        typer.echo(f"  T{row.topic:<2} {row.prevalence:6.1%} {trust} {row.label}{theme}: {words}")
    if "stability" in run.topics:
        from topics.model.k_rule import STABLE

        typer.echo(
            f"  (stability: mean top-10 Jaccard against fits on 80 % subsamples; "
            f"below {STABLE:g}, marked !, fewer than two of three top words come back)"
        )


def _stability_tag(stability: float) -> str:
    from topics.model.k_rule import STABLE

    if stability != stability:  # NaN: not measured
        return " " * 6
    return f"{stability:.2f}{'!' if stability < STABLE else ' '}"


@app.command("select-k")
@friendly_errors
def select_k(
    config: ConfigOption = None,
    quiet: QuietOption = False,
    ks: Annotated[
        str | None, typer.Option("--ks", help="K values: '4-16' (step 2) or '4,6,8'.")
    ] = None,
    resamples: Annotated[
        int | None, typer.Option(help="Subsample fits per K for stability (default 3).")
    ] = None,
) -> None:
    """Compare K by stability under resampling, coherence, perplexity, diversity; recommend one."""
    from topics.model.k_rule import MIN_THEME_SEEDS, STABLE, k_summary, recommend
    from topics.pipeline import k_selection

    settings = _settings(config)
    chosen_ks = _int_list(ks, "--ks") if ks else None
    table, _ = k_selection(settings, chosen_ks, resamples, progress=not quiet)
    _print_table(k_summary(table).round(3).reset_index())
    choice = recommend(table)
    typer.echo(
        f"\nrecommended K = {choice.k}: among K whose topics are stable on average (mean top-10 "
        f"Jaccard against the subsample fits >= {STABLE:g}), predict left-out paragraphs better "
        f"than word frequencies and keep at least {MIN_THEME_SEEDS} seed words in each theme "
        'topic\'s top 10, the most stable (set k = "auto" under [model] in topics.toml to use it)'
    )
    for note in choice.notes():
        typer.secho(f"note: {note}", fg="yellow")


def _int_list(text: str, option: str) -> list[int]:
    try:
        if "-" in text:
            low, high = (int(part) for part in text.split("-"))
            return list(range(low, high + 1, 2))
        return [int(part) for part in text.split(",")]
    except ValueError:
        problem = f"expected '4-16' or '4,6,8', got {text!r}"
        raise typer.BadParameter(problem, param_hint=option) from None


@app.command()
@friendly_errors
def show(
    config: ConfigOption = None,
    run: RunOption = None,
    n: Annotated[int, typer.Option("--n", "-n", help="Terms per topic.")] = 10,
    lam: Annotated[float, typer.Option("--lambda", help="Relevance λ (1 = probability).")] = 0.6,
    method: Annotated[
        str, typer.Option(help="Ranking: relevance, probability, frex or lift.")
    ] = "relevance",
    all_methods: Annotated[
        bool, typer.Option("--all", help="Print the full term table (every method).")
    ] = False,
) -> None:
    """Show a run's topics: labels, prevalence and top terms."""
    from topics import pipeline

    settings = _settings(config)
    topic_run = pipeline.open_run(settings, run)
    if method not in ("relevance", "probability", "frex", "lift"):
        raise typer.BadParameter(f"unknown method {method!r}", param_hint="--method")
    if all_methods:
        _print_table(topic_run.terms(n=n, lam=lam).round(4))
    else:
        _show_topics(topic_run, n, lam, method)


@app.command()
@friendly_errors
def infer(
    paths: Annotated[list[Path], typer.Argument(help="Text files or folders of them.")],
    config: ConfigOption = None,
    run: RunOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="CSV of shares per document.")
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Topic and theme shares of new documents (and of each of their paragraphs)."""
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
    _print_table(result.documents.round(3))
    if output is not None:
        result.documents.to_csv(output, index=False, encoding="utf-8-sig")
        per_paragraph = output.with_name(output.stem + "_paragraphs" + output.suffix)
        result.paragraphs.to_csv(per_paragraph, index=False, encoding="utf-8-sig")
        typer.echo(f"wrote {output} and {per_paragraph}")
    if result.documents.empty:
        raise typer.Exit(1)


def _run_and_corpus(config: Path | None, run: Path | None):
    from topics import pipeline

    settings = _settings(config)
    return pipeline.open_run(settings, run), pipeline.prepared_corpus(settings)


@app.command()
@friendly_errors
def similar(
    item_id: Annotated[
        str, typer.Argument(help="Article id (000_…#2) or paragraph id (…#2/p014).")
    ],
    config: ConfigOption = None,
    run: RunOption = None,
    n: Annotated[int, typer.Option("--n", "-n", help="How many neighbours.")] = 5,
    level: Annotated[
        str | None, typer.Option(help="article or paragraph (default: from the id).")
    ] = None,
    metric: Annotated[str, typer.Option(help="jensen_shannon or hellinger.")] = "jensen_shannon",
) -> None:
    """The articles (or paragraphs) whose topic mix is closest to ITEM_ID's."""
    from topics.analysis.compare import most_similar

    topic_run, corpus = _run_and_corpus(config, run)
    table = most_similar(topic_run, item_id, n, level, metric, corpus.paragraphs)
    _print_table(table.round(3))


@app.command()
@friendly_errors
def compare(
    id_a: Annotated[str, typer.Argument(help="First article or paragraph id.")],
    id_b: Annotated[str, typer.Argument(help="Second article or paragraph id.")],
    config: ConfigOption = None,
    run: RunOption = None,
    passages: Annotated[int, typer.Option(help="Passages per document and shared topic.")] = 2,
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
    n: Annotated[int, typer.Option("--n", "-n", help="How many passages.")] = 5,
    width: Annotated[int, typer.Option(help="Characters of text shown per passage.")] = 160,
    kwic: Annotated[bool, typer.Option(help="Also list every key word in context.")] = False,
) -> None:
    """The most representative paragraphs of a topic or theme, key words highlighted."""
    from topics.analysis.passages import (
        excerpt,
        highlight,
        keyword_in_context,
        representative_passages,
        resolve_topic,
        topic_words,
    )

    topic_run, corpus = _run_and_corpus(config, run)
    k = resolve_topic(topic_run, topic, theme)
    words = topic_words(topic_run, k)
    style = "ansi" if sys.stdout.isatty() else "brackets"
    table = representative_passages(topic_run, corpus, topic=topic, theme=theme, n=n)
    label = topic_run.topics.set_index("topic").loc[k, "label"]
    typer.echo(f"T{k} {label}: key words {' '.join(words[:15])}\n")
    for row in table.itertuples():
        typer.echo(f"{row.rank}. {row.paragraph_id}  share {row.share:.2f}  {row.title}")
        if row.section:
            typer.echo(f"   § {row.section}")
        typer.echo(f"   {highlight(excerpt(row.text, words, width), words, style)}\n")
    if kwic:
        _print_table(keyword_in_context(table, words))


@app.command()
@friendly_errors
def share(
    by: Annotated[str, typer.Option(help="Metadata column, e.g. year or place.")],
    config: ConfigOption = None,
    run: RunOption = None,
    level: Annotated[str, typer.Option(help="article or paragraph units.")] = "article",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="CSV file.")] = None,
) -> None:
    """Token-weighted topic share per value of a metadata column (e.g. topic share by year)."""
    from topics.corpus.metadata import share_by

    topic_run, corpus = _run_and_corpus(config, run)
    units = {"article": "articles", "paragraph": "paragraphs"}
    if level not in units:
        raise typer.BadParameter("expected article or paragraph", param_hint="--level")
    table = share_by(getattr(topic_run, units[level]), by, getattr(corpus, units[level]))
    _print_table(table.round(3))
    if output is not None:
        table.to_csv(output, index=False, encoding="utf-8-sig")
        typer.echo(f"wrote {output}")


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
    written = pipeline.make_figures(settings, out=out, progress=not quiet, force=force)
    for path in written:
        typer.echo(f"wrote {path}")


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
