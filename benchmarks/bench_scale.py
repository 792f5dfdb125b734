"""Scale benchmark: a ~100 MB corpus through prepare → tokenize → fit, cold and warm.

    python benchmarks/bench_scale.py            # 100 MB (10-15 minutes on 2 cores)
    python benchmarks/bench_scale.py --mb 10    # smoke version

The corpus is built under /tmp (never in the repository) from the bundled paragraphs: reports
of 5–40 paragraphs made of shuffled sentences, a third of which get a made-up place name (two
random characters + 村/镇/乡/县) so the vocabulary keeps growing with size. 5 % of the files are
GBK, 10 % are hard-wrapped at 40 characters in blank-line blocks; file names carry a year and a
``metadata.csv`` a province, so metadata columns are exercised too.

Every step runs in a fresh process, which reports wall and CPU seconds and its peak resident
memory (``ru_maxrss``; worker processes separately). Steps: ``prepare`` (pipeline.prepare),
``tokenize`` (topics.text.stream.tokenize_corpus: parallel workers, segmentation cache),
``lcut`` (plain single-process ``jieba.lcut`` on a 10 MB sample: the baseline, then
tokenize_corpus and two plain lcut processes on the same sample right after it), ``fit``
(pipeline.fit: LDA on the non-duplicate paragraphs from token ids, bags of words streamed from
a count matrix, run tables, saved), then all three again with nothing changed (prepared
tables, cached segmentation and the saved run reused), ``userdict`` (tokenize again after one
word is added to the user dictionary: only the texts containing it are segmented again) and
``tomotopy`` (LDA on the same pruned bags of words). Targets: tokenization ≥ 1.5× lcut, peak
memory < 2 GB per step, warm run ≥ 10× faster than cold.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("prepare", "tokenize", "userdict", "lcut", "fit", "tomotopy")
#: The word the ``userdict`` step adds to the user dictionary (jieba splits it without it).
USERDICT_WORD = "干部考核"


def build_corpus(folder: Path, megabytes: float, seed: int = 1) -> dict:
    """Write ~``megabytes`` MB of reports into ``folder`` (see the module docstring)."""
    from topics.corpus.prepare import prepare_corpus

    bundled = prepare_corpus(ROOT / "data" / "raw").modelling_paragraphs()["text"]
    sentences = [s for t in bundled for s in re.findall(r"[^。!?;]+[。!?;]?", t) if len(s) > 4]
    chars = sorted({ch for t in bundled for ch in t if "\u4e00" <= ch <= "\u9fff"})
    provinces = ["湖北", "湖南", "河南", "四川", "浙江", "江西", "安徽", "贵州"]
    rng = random.Random(seed)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    size, n, rows = 0, 0, ["file,province"]
    while size < megabytes * 1e6:
        paragraphs = []
        for _ in range(rng.randint(5, 40)):
            parts = []
            for _ in range(rng.randint(3, 10)):
                sentence = rng.choice(sentences)
                if rng.random() < 0.3:
                    place = "".join(rng.choices(chars, k=2)) + rng.choice("村镇乡县")
                    sentence = f"在{place}," + sentence
                parts.append(sentence)
            paragraphs.append("".join(parts))
        wrapped = rng.random() < 0.1
        if wrapped:
            paragraphs = [
                "\n".join(p[i : i + 40] for i in range(0, len(p), 40)) for p in paragraphs
            ]
        title = rng.choice(sentences)[:20].strip(",。") + "调研报告"
        text = title + "\n\n" + "\n\n".join(paragraphs) + "\n"
        name = f"{2000 + n % 24}_report_{n:05d}.txt"
        data = text.encode("gbk", errors="ignore") if rng.random() < 0.05 else text.encode()
        (folder / name).write_bytes(data)
        rows.append(f"{name},{rng.choice(provinces)}")
        size += len(data)
        n += 1
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return {"files": n, "mb": round(size / 1e6, 1)}


def write_config(out: Path, k: int, passes: int, workers: int) -> Path:
    config = out / "topics.toml"
    config.write_text(
        f"""[paths]
raw = "{out / "corpus"}"
processed = "{out / "processed"}"
cache = "{out / "interim"}"
runs = "{out / "runs"}"
figures = "{out / "figures"}"

[corpus]
filename_pattern = '^(?P<year>\\d{{4}})_'

[tokenize]
workers = {workers}

[model]
k = {k}
passes = {passes}
iterations = 50
themes = []
""",
        encoding="utf-8",
    )
    return config


# ---------------------------------------------------------------------------------- steps
def step_prepare(settings) -> dict:
    from topics import pipeline

    corpus = pipeline.prepared_corpus(settings, progress=True)
    return {"files": len(corpus.pages), "paragraphs": len(corpus.paragraphs)}


def _texts(settings) -> list[str]:
    from topics import pipeline

    return (
        pipeline.load_prepared(settings.path(settings.paths.processed)).paragraphs["text"].tolist()
    )


def step_tokenize(settings) -> dict:
    from topics import pipeline
    from topics.text.stream import tokenize_corpus

    texts = _texts(settings)
    result = tokenize_corpus(texts, pipeline.make_tokenizer(settings), progress=True)
    return {"paragraphs": len(texts), "tokens": int(result.n_tokens.sum()),
            "vocabulary": len(result.vocabulary), "cache_hits": result.cache.hits,
            "segmented": result.cache.misses}  # fmt: skip


def step_userdict(settings) -> dict:
    """Tokenize again after adding one word to the user dictionary: only the texts containing
    it are segmented again, the rest are reused from the cache."""
    from dataclasses import replace

    from topics import pipeline
    from topics.text.lexicons import DictEntry
    from topics.text.stream import tokenize_corpus
    from topics.text.tokenize import Tokenizer

    texts = _texts(settings)
    tokenizer = pipeline.make_tokenizer(settings)
    entry = DictEntry(USERDICT_WORD, 50000, "n")
    lexicons = replace(tokenizer.lexicons, userdict=(*tokenizer.lexicons.userdict, entry))
    result = tokenize_corpus(texts, Tokenizer(lexicons, tokenizer.settings, tokenizer.cache_dir))
    return {"paragraphs": len(texts), "containing": sum(USERDICT_WORD in t for t in texts),
            "segmented": result.cache.misses, "reused": result.cache.reused}  # fmt: skip


def _lcut_all(texts: list[str]) -> None:
    import jieba

    for text in texts:
        jieba.lcut(text)


def step_lcut(settings, sample_mb: float = 10.0) -> dict:
    """Single-process ``jieba.lcut`` on a sample, then tokenize_corpus on the same sample (fresh
    cache) right after it: the same-sample ratio is robust to the host's speed drifting. Also
    the host's parallel capacity: plain lcut in two processes on the two halves, against one."""
    import multiprocessing
    import tempfile

    import jieba

    from topics import pipeline
    from topics.text.stream import tokenize_corpus

    jieba.setLogLevel(60)
    texts, size = [], 0
    for text in _texts(settings):
        texts.append(text)
        size += len(text.encode())
        if size >= sample_mb * 1e6:
            break
    jieba.initialize()
    started = time.perf_counter()
    _lcut_all(texts)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    halves = [multiprocessing.get_context("fork").Process(target=_lcut_all, args=(texts[i::2],))
              for i in range(2)]  # fmt: skip
    for process in halves:
        process.start()
    for process in halves:
        process.join()
    two_processes = time.perf_counter() - started
    tokenizer = pipeline.make_tokenizer(settings)
    _ = tokenizer.jieba
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        tokenize_corpus(texts, tokenizer, progress=False, cache_dir=cache)
        ours = time.perf_counter() - started
    return {"sample_mb": round(size / 1e6, 2), "mb_per_s": round(size / 1e6 / seconds, 3),
            "tokenize_mb_per_s": round(size / 1e6 / ours, 3),
            "same_sample_ratio": round(seconds / ours, 2),
            "two_lcut_processes_ratio": round(seconds / two_processes, 2)}  # fmt: skip


def _run_path(settings, model):
    from topics import pipeline

    inputs = pipeline.run_inputs(settings, model)
    return settings.path(settings.paths.runs) / pipeline.run_id(model, inputs), inputs


def step_fit(settings) -> dict:
    """`topics fit` (pipeline.fit: token ids from the batch cache, bags of words streamed to
    gensim from a count matrix); the saved run is reused when current."""
    from topics import pipeline
    from topics.model.runs import load_run

    model = pipeline.model_settings(settings)
    path, inputs = _run_path(settings, model)
    if (path / "manifest.json").exists():
        run = load_run(path, inputs)
        return {"reused": True, "k": run.k}
    run = pipeline.fit(settings, model, progress=True)
    return {"reused": False, "documents": run.manifest["documents"]["trained_on"],
            "words": len(run.dictionary), "fit_seconds": run.manifest["timings"]["fit_seconds"]}  # fmt: skip


def step_tomotopy(settings, iterations: int = 100) -> dict:
    """tomotopy LDA (Gibbs) on the saved run's pruned bags of words."""
    import tomotopy as tp

    from topics import pipeline
    from topics.model.runs import load_run
    from topics.text.stream import tokenize_corpus

    model = pipeline.model_settings(settings)
    path, _ = _run_path(settings, model)
    run = load_run(path)
    corpus = pipeline.prepared_corpus(settings)
    tokenized = tokenize_corpus(corpus.paragraphs["text"], pipeline.make_tokenizer(settings), False)
    known = run.dictionary.token2id
    lda = tp.LDAModel(k=model.k, seed=model.seed)
    in_model = corpus.paragraphs["duplicate_of"].isna().to_numpy()
    for doc, keep in zip(tokenized.tokens, in_model, strict=True):
        words = [w for w in doc if w in known]
        if keep and words:
            lda.add_doc(words)
    started = time.perf_counter()
    lda.train(iterations, workers=settings.tokenize.workers)
    seconds = time.perf_counter() - started
    return {"iterations": iterations, "train_seconds": round(seconds, 1),
            "gensim_fit_seconds": run.manifest["timings"]["fit_seconds"],
            "gensim_passes": model.passes}  # fmt: skip


def run_step(name: str, config: Path) -> dict:
    """Run one step in this process and return its measurements."""
    from topics.config import Settings

    settings = Settings.load(config)
    started, cpu = time.perf_counter(), time.process_time()
    extra = globals()[f"step_{name}"](settings)
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "step": name,
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(time.process_time() - cpu + children.ru_utime + children.ru_stime, 1),
        "peak_mb": round(own.ru_maxrss / 1024),
        "worker_peak_mb": round(children.ru_maxrss / 1024),
        **extra,
    }


def measure(name: str, config: Path) -> dict:
    """Run a step in a fresh process (its peak memory is then its own)."""
    done = subprocess.run(
        [sys.executable, __file__, "--step", name, "--config", str(config)],
        stdout=subprocess.PIPE, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=100, help="corpus size (default 100)")
    parser.add_argument("--out", type=Path, help="work folder (default /tmp/topics-bench-<mb>mb)")
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--passes", type=int, default=2, help="LDA passes (default 2)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse-corpus", action="store_true", help="keep an existing corpus")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(run_step(args.step, args.config)))
        return
    out = args.out or Path(f"/tmp/topics-bench-{args.mb:g}mb")
    if not str(out.resolve()).startswith("/tmp/"):
        raise SystemExit("--out must be under /tmp: the benchmark never writes into the repo")
    if not (args.reuse_corpus and (out / "corpus").exists()):
        print("building corpus …", flush=True)
        print(json.dumps(build_corpus(out / "corpus", args.mb)))
    for derived in ("processed", "interim", "runs"):
        shutil.rmtree(out / derived, ignore_errors=True)
    config = write_config(out, args.k, args.passes, args.workers)
    mb = sum(p.stat().st_size for p in (out / "corpus").iterdir()) / 1e6
    print(f"corpus {mb:.1f} MB; load average {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs")
    results = {}
    for label, name in [("cold", "prepare"), ("cold", "tokenize"), ("", "lcut"),
                        ("cold", "fit"), ("warm", "prepare"), ("warm", "tokenize"),
                        ("warm", "fit"), ("", "userdict"), ("", "tomotopy")]:  # fmt: skip
        result = measure(name, config)
        results[f"{label} {name}".strip()] = result
        rate = (
            f"{mb / result['seconds']:.2f} MB/s"
            if name in ("prepare", "tokenize", "userdict")
            else ""
        )
        print(f"{label:>4} {name:<9}{result['seconds']:>8.1f} s {rate:>11}  peak "
              f"{result['peak_mb']:>5} MB (workers {result['worker_peak_mb']} MB)  "
              + json.dumps({k: v for k, v in result.items() if k not in (
                  "step", "seconds", "peak_mb", "worker_peak_mb")}, ensure_ascii=False),
              flush=True)  # fmt: skip
    tokenize_rate = mb / results["cold tokenize"]["seconds"]
    lcut_rate = results["lcut"]["mb_per_s"]
    cold = sum(results[f"cold {s}"]["seconds"] for s in ("prepare", "tokenize", "fit"))
    # A second pipeline run reuses the prepared tables and the saved run; tokenization is only
    # needed again when the run must be refitted, and then reads the batch cache.
    warm = sum(results[f"warm {s}"]["seconds"] for s in ("prepare", "fit"))
    warm_tokens = results["warm tokenize"]["seconds"]
    tomo = results["tomotopy"]
    sample = results["lcut"]
    print(
        f"\ntokenization vs single-process jieba.lcut, back to back on the same "
        f"{sample['sample_mb']:g} MB: {sample['same_sample_ratio']:.2f}x (target >= 1.5x; two "
        f"plain lcut processes reach {sample['two_lcut_processes_ratio']:.2f}x on this host); "
        f"whole corpus {tokenize_rate:.2f} MB/s against lcut's {lcut_rate:.2f} MB/s timed "
        f"minutes apart: {tokenize_rate / lcut_rate:.2f}x"
    )
    print(
        f"cold run {cold:.0f} s, warm run (prepare + fit reused) {warm:.1f} s: {cold / warm:.0f}x "
        f"faster (target >= 10x); {cold / (warm + warm_tokens):.1f}x with tokens re-read as well"
    )
    edit = results["userdict"]
    print(
        f"user-dictionary edit ({USERDICT_WORD} added): {edit['seconds']:.1f} s against "
        f"{results['cold tokenize']['seconds']:.1f} s cold; {edit['segmented']} of "
        f"{edit['paragraphs']} paragraphs segmented again ({edit['containing']} contain the word)"
    )
    peak = max(max(r["peak_mb"], r["worker_peak_mb"]) for r in results.values())
    print(f"peak memory of any process {peak} MB (target < 2048 MB)")
    print(
        f"LDA fit: gensim {tomo['gensim_fit_seconds']} s ({tomo['gensim_passes']} passes, "
        f"NMF start included) vs tomotopy {tomo['train_seconds']} s "
        f"({tomo['iterations']} Gibbs iterations): ratio "
        f"{tomo['gensim_fit_seconds'] / max(tomo['train_seconds'], 1e-9):.1f}"
    )
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    (out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
