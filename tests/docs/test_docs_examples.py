"""Every runnable example of the documentation runs, and the site builds with no warning.

The convention that says which blocks run is in ``docs_blocks``: all python blocks of the guides
and the quick start, ``<!-- test: run -->``-marked bash or python blocks anywhere. Blocks of one
page run in order in one temporary directory with a fresh store.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docs_blocks import DOCS, MARK, ROOT, SKIP, blocks, commands, run_command, run_python, runnable

PAGES = sorted(p for p in DOCS.rglob("*.md") if runnable(p))
PARAMS = [
    pytest.param(
        p, marks=[pytest.mark.spark] if p.name == "spark.md" else [], id=str(p.relative_to(DOCS))
    )
    for p in PAGES
]


def test_guides_have_runnable_examples() -> None:
    guides = sorted((DOCS / "guides").glob("*.md"))
    assert guides, "docs/guides/ has no pages"
    silent = [g.name for g in guides if not runnable(g)]
    assert silent == [], f"guides without a runnable example: {silent}"


def test_markers_sit_on_code_blocks() -> None:
    """A marker not followed by a bash or python block would silently run nothing."""
    for page in DOCS.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        found = blocks(page)
        assert text.count(MARK) == sum(b.marked for b in found), f"{page}: stray '{MARK}'"
        assert text.count(SKIP) == sum(b.skipped for b in found), f"{page}: stray '{SKIP}'"
        for b in found:
            assert not (b.marked and b.lang not in ("bash", "python")), f"{b.where}: {b.lang}"
            assert not (b.skipped and b.lang != "python"), f"{b.where}: skip marks python only"


@pytest.mark.slow
# `portalroi health` on a store without users or surveys (the generic CSV guide) warns from numpy
# and scikit-learn about all-empty features; the command still succeeds. Filtered here, narrowly.
@pytest.mark.filterwarnings("ignore:Mean of empty slice:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:Skipping features without any observed values:UserWarning")
@pytest.mark.parametrize("page", PARAMS)
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(DOCS / "examples", tmp_path / "docs" / "examples")
    monkeypatch.setenv("PORTALROI_DB", str(tmp_path / "portalroi.duckdb"))
    ran = 0
    for block in runnable(page):
        if block.lang == "python":
            run_python(block, tmp_path)
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
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    assert sorted(pages - listed) == [], "pages missing from the nav in mkdocs.yml"
    assert sorted(listed - pages) == [], "nav entries without a page"
