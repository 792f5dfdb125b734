"""An ipywidgets topic browser for JupyterLab: pick a topic or theme, move λ, read on.

``explore(run, corpus)`` returns the widget (``topics.explore`` in the README). The view has three parts that update together: the topic's terms ranked by relevance at the
chosen λ, the topic's share in every article, and its most representative passages with the
theme's seed words (or the topic's top terms) highlighted. The HTML pieces are plain functions
(``terms_html``, ``passages_html``) so they can be used and tested without a browser.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from topics.analysis.passages import excerpt, highlight, representative_passages, topic_words
from topics.model.choices import LAMBDA
from topics.model.runs import TopicRun
from topics.plots.labels import article_labels, is_unstable, stability_tag, topic_label
from topics.plots.style import color, plot_style


def terms_html(run: TopicRun, topic: int, lam: float = LAMBDA, n: int = 15) -> str:
    """A table of the topic's top terms by relevance at ``lam``, with probability bars; the
    heading tags the topic's stability under resampling (red when unstable)."""
    table = run.terms(n=n, lam=lam)
    rows = table[(table["topic"] == topic) & (table["method"] == "relevance")]
    top = rows["probability"].max() or 1.0
    body = "".join(
        f"<tr><td>{r.rank}</td><td><b>{html.escape(r.term)}</b></td>"
        f"<td><div style='background:{color(topic - 1)};height:10px;"
        f"width:{120 * r.probability / top:.0f}px'></div></td>"
        f"<td>{r.probability:.3f}</td><td>{r.lift:.1f}</td></tr>"
        for r in rows.itertuples()
    )
    head = "<tr><th>#</th><th>term</th><th></th><th>p(w|k)</th><th>lift</th></tr>"
    title = html.escape(topic_label(run, topic, width=None))
    tag = stability_tag(run, topic)
    if tag:
        colour = "firebrick" if is_unstable(run, topic) else "gray"
        tag = f" <span style='color:{colour}'>({html.escape(tag)})</span>"
    return f"<h4>{title}{tag} — relevance λ = {lam:.2f}</h4><table>{head}{body}</table>"


def passages_html(run: TopicRun, corpus, topic: int, n: int = 3, width: int = 160) -> str:
    """The topic's ``n`` most representative paragraphs, key words highlighted."""
    words = topic_words(run, topic)
    table = representative_passages(run, corpus, topic=topic, n=n)
    items = "".join(
        f"<li><code>{r.paragraph_id}</code> {html.escape(str(r.title))} "
        f"(share {r.share:.2f})<br>{highlight(excerpt(r.text, words, width), words, 'html')}</li>"
        for r in table.itertuples()
    )
    return f"<h4>Representative passages</h4><ol>{items}</ol>"


def prevalence_figure(run: TopicRun, topic: int) -> Figure:
    """Horizontal bars: the topic's share in each article."""
    articles = run.articles.reset_index(drop=True)
    shares = articles[f"T{topic}"].to_numpy()
    y = np.arange(len(articles))[::-1]
    with plot_style():
        fig = Figure(figsize=(6, 0.28 * len(articles) + 1), layout="constrained")
        ax = fig.subplots()
        ax.barh(y, shares, color=color(topic - 1))
        ax.set_yticks(y, article_labels(articles))
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of the article 文章中的比重")
        ax.set_title(topic_label(run, topic, width=None))
    return fig


def explore(run: TopicRun, corpus, n_terms: int = 15, n_passages: int = 3) -> widgets.VBox:
    """The topic browser widget for ``run``; ``corpus`` gives the paragraph texts."""
    options = [
        (" ".join([topic_label(run, k, width=None, english=True, prevalence=True),
                   stability_tag(run, k)]).strip(), k)
        for k in run.topics["topic"]
    ]  # fmt: skip
    topic = widgets.Dropdown(options=options, value=options[0][1], description="topic")
    lam = widgets.FloatSlider(value=0.6, min=0.0, max=1.0, step=0.05, description="λ")
    terms = widgets.HTML()
    passages = widgets.HTML()
    prevalence = widgets.Output()

    def update(_change=None) -> None:
        terms.value = terms_html(run, topic.value, lam.value, n_terms)
        passages.value = passages_html(run, corpus, topic.value, n_passages)
        # Set the output directly rather than `with prevalence: display(...)`, which can stall
        # headless execution (jupyter/nbclient#312).
        prevalence.outputs = ()
        prevalence.append_display_data(prevalence_figure(run, topic.value))

    topic.observe(update, names="value")
    lam.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([topic, lam]), widgets.HBox([terms, prevalence]), passages])
