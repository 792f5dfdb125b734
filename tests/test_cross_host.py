"""Figures with computed coordinates are the same bytes under another CPU's maths.

Another host runs other SIMD code for numpy's logarithms and another OpenBLAS kernel for the
eigen solver, which changes the last bits of the topic coordinates and of the LDAvis data.
Both can be switched on this machine (``NPY_DISABLE_CPU_FEATURES``, ``OPENBLAS_CORETYPE``):
the intertopic map and the LDAvis page are drawn in two processes, one per kind of maths,
and must come out the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

#: Environment of "another host": numpy without its AVX2/AVX-512 paths, OpenBLAS for an old CPU.
OTHER_HOST = {
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 X86_V3 AVX512_ICL AVX512_SPR AVX512_SKX AVX512F AVX2 FMA3",
    "OPENBLAS_CORETYPE": "Prescott",
}
DRAW = """
import hashlib, json, sys
from pathlib import Path

from topics.model.metrics import pairwise_distances
from topics.model.ordination import pcoa
from topics.model.runs import load_run
from topics.plots.intertopic_map import plot_intertopic_map
from topics.plots.ldavis import ldavis_html, prepare_ldavis
from topics.plots.style import save_figure

run = load_run(sys.argv[1])
png = save_figure(plot_intertopic_map(run), Path(sys.argv[2]) / "intertopic_map.png")[0]
page = ldavis_html(prepare_ldavis(run), "T", run.topics).encode("utf-8")
raw = pcoa(pairwise_distances(run.topic_word(), "jensen_shannon")).coordinates
print(json.dumps({
    "png": hashlib.sha256(png.read_bytes()).hexdigest(),
    "html": hashlib.sha256(page).hexdigest(),
    "unrounded": raw.tolist(),
}))
"""


def draw(run_path, out, extra_env: dict[str, str]) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in OTHER_HOST} | extra_env
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", DRAW, str(run_path), str(out)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_intertopic_map_and_ldavis_page_survive_another_cpus_maths(run, tmp_path):
    """The two processes' coordinates differ in their last digits only (the same run, other
    kernels), yet the figure and the page come out the same bytes. On a CPU where switching
    the kernels changes no bit there is nothing to compare, and the test says so; the same
    rounding is also checked against injected noise (``test_ldavis.py``)."""
    here = draw(run.path, tmp_path / "here", {})
    there = draw(run.path, tmp_path / "there", OTHER_HOST)
    if here["unrounded"] == there["unrounded"]:
        pytest.skip("this CPU computes the same bits with SIMD and BLAS kernels switched")
    np.testing.assert_allclose(here["unrounded"], there["unrounded"], rtol=0, atol=1e-9)
    assert here["png"] == there["png"]
    assert here["html"] == there["html"]
