"""Every example of the documentation runs, and the site builds with no warning.

The convention is in ``docs_blocks``: every ``bash`` and ``python`` block of ``docs/`` and the
README runs, in page order, unless a ``<!-- test: skip: REASON -->`` marker sits right above it;
``ALLOWED_SKIPS`` below lists every such (page, reason) with its count, and a test fails when a
skip is added, removed or reworded without updating the list.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from docs_blocks import (
    DOCS,
    REFUSED_LANGS,
    ROOT,
    RUN_LANGS,
    STORE_DEMO,
    Block,
    blocks,
    commands,
    make_recipe,
    markers,
    page_id,
    pages,
    run_command,
    run_python,
    runnable,
    steps,
    uses_demo_store,
)

from portalroi.metrics.registry import METRICS

_MAKE_DEMO = (
    "the default-size demo takes over a minute here; test_make_demo_runs_portalroi_demo pins "
    "that the recipe is `portalroi demo`, and the test session runs it at --size tiny"
)

# Every block the tests do not run, with why. Keep this list short: a new entry needs a reason a
# reviewer accepts (a cluster, a server that never returns, the test command itself).
ALLOWED_SKIPS: dict[tuple[str, str], int] = {
    ("quickstart.md", "`make test` is the test command itself"): 1,
    ("README.md", "`make test` is the test command itself"): 1,
    ("quickstart.md", _MAKE_DEMO): 1,
    ("README.md", _MAKE_DEMO): 1,
    (
        "health-models.md",
        "a benchmark over the shared public data sets, minutes of CPU; bench/ scripts are run "
        "on their own",
    ): 2,
    (
        "health.md",
        "reproduces the figures below on the default-size demo, over a minute of CPU; the same "
        "command runs on the tiny demo under Command line",
    ): 1,
    ("server.md", "`portalroi serve` runs until it is stopped"): 1,
    # the load benchmark: bench/ scripts are run on their own, never by the tests
    ("server.md", "minutes of load on a demo store; run by hand"): 1,
    (
        "server.md",
        "needs a running server (`portalroi serve`) and a token in $TOKEN; tests/api calls "
        "these routes",
    ): 2,
    (
        "server.md",
        "needs a PostgreSQL server; tests/api/test_postgres.py runs the same against a "
        "throw-away cluster",
    ): 1,
    (
        "metrics.md",
        "formula source listing, compared with the code by tests/metrics/test_docs_cli.py",
    ): len(METRICS),
}

PAGES = [p for p in pages() if runnable(p)]
PARAMS = [
    pytest.param(p, marks=[pytest.mark.spark] if p.name == "spark.md" else [], id=page_id(p))
    for p in PAGES
]


def _all_blocks() -> list[Block]:
    return [b for p in pages() for b in blocks(p)]


def test_skips_are_the_listed_ones() -> None:
    found = Counter((page_id(b.page), b.skip) for b in _all_blocks() if b.skip is not None)
    assert dict(found) == ALLOWED_SKIPS, (
        "skip markers differ from ALLOWED_SKIPS in tests/docs/test_docs_examples.py: "
        f"found {dict(found)}"
    )


def test_no_runnable_language_hides_under_another_name() -> None:
    odd = [f"{b.where}: ```{b.lang}" for b in _all_blocks() if b.lang in REFUSED_LANGS]
    assert odd == [], f"use ```python or ```bash (they run) or ```console (shown output): {odd}"


def test_markers_are_well_formed_and_placed() -> None:
    """A marker that is misspelt or not right above a runnable block would silently do nothing."""
    for page in pages():
        skipped_lines = {b.line for b in blocks(page) if b.skip is not None}
        for b in blocks(page):
            assert not (b.skip is not None and b.lang not in RUN_LANGS), (
                f"{b.where}: skip marker above a ```{b.lang} block, which never runs anyway"
            )
        lines = page.read_text(encoding="utf-8").splitlines()
        for n, text in markers(page):
            if text == STORE_DEMO:
                assert n == 1, f"{page}:{n}: '{STORE_DEMO}' must be the page's first line"
                continue
            below = next(
                (k + 1 for k in range(n, len(lines)) if lines[k].strip()), None
            )  # 1-based line of the next non-empty line
            assert below in skipped_lines, (
                f"{page}:{n}: '{text}' is not '<!-- test: skip: REASON -->' right above a "
                "```bash or ```python block"
            )


def test_guides_have_runnable_examples() -> None:
    guides = sorted((DOCS / "guides").glob("*.md"))
    assert guides, "docs/guides/ has no pages"
    silent = [g.name for g in guides if not runnable(g)]
    assert silent == [], f"guides without a runnable example: {silent}"


def test_make_demo_runs_portalroi_demo() -> None:
    """The quick start's `make demo` is run as the Makefile's recipe; pin what that recipe is."""
    assert make_recipe("demo") == "portalroi demo"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\ntest: lint typecheck unit\n" in makefile


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tiny demo store and its exports, built once per session for pages that declare it."""
    folder = tmp_path_factory.mktemp("demo-store")
    line = "portalroi demo --size tiny --db portalroi.duckdb --out portalroi-demo --json"
    status, output = run_command(line, folder)
    assert status == 0, output
    return folder


@pytest.mark.slow
# `portalroi health` on a store without users or surveys (the generic CSV guide) warns from numpy
# and scikit-learn about all-empty features; the command still succeeds. Filtered here, narrowly.
@pytest.mark.filterwarnings("ignore:Mean of empty slice:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:Skipping features without any observed values:UserWarning")
@pytest.mark.parametrize("page", PARAMS)
def test_page_examples_run(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    shutil.copytree(DOCS / "examples", tmp_path / "docs" / "examples")
    if uses_demo_store(page):
        demo: Path = request.getfixturevalue("demo_store")
        shutil.copy2(demo / "portalroi.duckdb", tmp_path / "portalroi.duckdb")
        shutil.copytree(demo / "portalroi-demo", tmp_path / "portalroi-demo")
    monkeypatch.setenv("PORTALROI_DB", str(tmp_path / "portalroi.duckdb"))
    monkeypatch.setenv("PORTALROI_DEMO_DIR", str(tmp_path / "portalroi-demo"))
    namespace: dict[str, object] = {"__name__": "__docs__"}
    ran = 0
    for block in steps(page):
        if not block.runs:
            assert block.title is not None
            shipped = ROOT / block.title
            if shipped.is_file():  # a file of the repository shown on the page: shown as it is
                assert shipped.read_text(encoding="utf-8") == block.text, (
                    f"{block.where}: the block differs from {block.title}"
                )
            target = tmp_path / block.title
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text, encoding="utf-8")
            continue
        if block.lang == "python":
            run_python(block, tmp_path, namespace)
            ran += 1
            continue
        for line in commands(block.text):
            status, output = run_command(line, tmp_path)
            assert status == 0, f"{block.where}: `{line}` exited {status}:\n{output}"
            ran += 1
    assert ran > 0


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    mkdocs = Path(sys.executable).parent / "mkdocs"
    # NO_MKDOCS_2_WARNING silences Material's end-of-life banner, which is not a build warning
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [str(mkdocs), "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARNING" not in proc.stderr, proc.stderr
    assert (tmp_path / "site" / "guides" / "generic-csv" / "index.html").exists()


def _nav_pages(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [p for v in node.values() for p in _nav_pages(v)]
    if isinstance(node, list):
        return [p for v in node for p in _nav_pages(v)]
    return []


def test_every_page_is_in_the_nav() -> None:
    """``mkdocs build --strict`` only notes (INFO) a page left out of the nav; fail on it here."""
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    listed = set(_nav_pages(config["nav"]))
    docs_pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    assert sorted(docs_pages - listed) == [], "pages missing from the nav in mkdocs.yml"
    assert sorted(listed - docs_pages) == [], "nav entries without a page"


def test_readme_links_resolve() -> None:
    """The README's relative links and images point at files that exist."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)", text)
    local = [t for t in targets if "://" not in t]
    assert local, "README links nothing"
    missing = [t for t in local if not (ROOT / t).exists()]
    assert missing == [], f"README links to missing files: {missing}"
