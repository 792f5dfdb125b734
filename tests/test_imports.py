"""The package's imports follow the data flow: downward through the stages, never in a circle."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "topics"

# Lower layers never import higher ones; a layer may import its own modules (without cycles).
LAYERS = {
    "topics": 0, "topics.errors": 0, "topics.resources": 0, "topics.storage": 0,
    "topics.corpus": 1, "topics.text": 2, "topics.model": 3, "topics.analysis": 4,
    "topics.plots": 5,
    "topics.config": 6, "topics.project": 7, "topics.saved": 7, "topics.pipeline": 7, "topics.figures": 7,
    "topics.report": 7,
    "topics.cli": 8,
}  # fmt: skip


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """Every topics module ``path`` imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in known}
    return found


def layer(module: str) -> int:
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return LAYERS[prefix]
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module → the package's modules it imports, for every module under ``package``."""
    files = {module_name(path, package): path for path in package.rglob("*.py")}
    known = set(files)
    return {name: imported_modules(path, known) - {name} for name, path in files.items()}


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Every import of a higher layer by a lower one, described."""
    return [
        f"{module} (layer {layer(module)}) imports {target} (layer {layer(target)})"
        for module, targets in graph.items()
        for target in targets
        if layer(target) > layer(module)
    ]


def import_cycles(graph: dict[str, set[str]]) -> list[str]:
    """Every cycle a depth-first walk of ``graph`` closes, as ``a -> b -> a``; a package's
    ``__init__`` importing its own modules is not a cycle of code."""
    edges = {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in graph.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(edges.get(module, ())):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    return cycles


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(PACKAGE)


def test_every_module_belongs_to_a_layer(graph):
    for module in graph:
        layer(module)


def test_imports_point_down_the_layers(graph):
    upward = upward_imports(graph)
    assert not upward, "\n".join(upward)


def test_no_import_cycles(graph):
    cycles = import_cycles(graph)
    assert not cycles, "\n".join(cycles)


def test_the_checks_find_a_planted_cycle_and_upward_import(tmp_path):
    """A made-up package with known faults: a cycle through three modules (written as
    ``import x`` and ``from x import y``, at module level and inside a function), an upward
    import, and an ``__init__`` importing its own module (no fault)."""
    package = tmp_path / "topics"
    files = {
        "__init__.py": "",
        "corpus/__init__.py": "from topics.corpus.reader import read\n",
        "corpus/reader.py": "import topics.corpus.pages\n",
        "corpus/pages.py": "def f():\n    from topics.corpus.split import cut\n",
        "corpus/split.py": "from topics.corpus import reader\nfrom topics.pipeline import fit\n",
        "pipeline.py": "import json\n",
    }
    for name, text in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text, encoding="utf-8")
    graph = import_graph(package)
    assert graph["topics.corpus.split"] == {
        "topics.corpus",
        "topics.corpus.reader",
        "topics.pipeline",
    }
    assert import_cycles(graph) == [
        "topics.corpus.reader -> topics.corpus.pages -> topics.corpus.split -> topics.corpus.reader"
    ]
    assert upward_imports(graph) == [
        "topics.corpus.split (layer 1) imports topics.pipeline (layer 7)"
    ]
    del graph["topics.corpus.split"]  # the cycle and the upward import go with it
    assert import_cycles(graph) == [] and upward_imports(graph) == []


def loaded_libraries(modules: str, libraries: tuple[str, ...]) -> str:
    """Which of ``libraries`` a fresh interpreter has loaded after importing ``modules``, printed."""
    import subprocess
    import sys

    code = f"import sys, {modules}; print(sorted(m for m in {libraries!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_cheap_modules_do_not_load_heavy_libraries():
    cheap = "topics.config, topics.model.k_rule, topics.plots.k_selection"
    assert loaded_libraries(cheap, ("gensim", "jieba")) == "[]"
    # `topics --help` and option parsing: the CLI's choices come from light modules
    assert loaded_libraries("topics.cli", ("numpy", "pandas", "scipy", "gensim", "jieba")) == "[]"


#: What a command that only reads a saved run must not load: gensim (about 2 s with scipy.stats),
#: jieba, matplotlib, scikit-learn. The tables of a run are Parquet; benchmarks/bench_cli.py
#: times these commands against `import pandas, pyarrow.parquet`.
HEAVY = ("gensim", "jieba", "matplotlib", "sklearn", "scipy.stats")
PROBE = """
import atexit, sys
atexit.register(lambda: print("loaded:", sorted(m for m in {heavy!r} if m in sys.modules)))
from topics.cli import app
app(sys.argv[1:])
"""


@pytest.mark.parametrize(
    "command",
    [["show"], ["show", "--all"], ["similar", "000#2"], ["compare", "000#2", "001#1"],
     ["passages", "--topic", "T1", "--kwic"], ["share", "--by", "page_id"],
     ["similar", "999#9"], ["effect", "~ C(page_id)"]],
    ids=" ".join,
)  # fmt: skip
def test_commands_that_read_a_run_load_no_heavy_library(command, run, write_config, tmp_path):
    import subprocess
    import sys

    config = write_config(tmp_path)
    code = PROBE.format(heavy=HEAVY)
    args = [sys.executable, "-c", code, *command, "--config", str(config), "--run", str(run.path)]
    result = subprocess.run(args, capture_output=True, text=True)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "loaded: []", result.stderr
