"""Find the runnable code blocks of the documentation and run them.

Convention:

- every ```` ```python ```` block of ``docs/guides/*.md`` and ``docs/quickstart.md`` runs, unless a
  ``<!-- test: skip -->`` line is right above it (an illustration that needs a cluster); a python
  block elsewhere in ``docs/`` runs when a ``<!-- test: run -->`` line is right above it;
- a ```` ```bash ```` block runs when a ``<!-- test: run -->`` line is right above it;
- ```` ```console ```` blocks show what the user sees and are never run.

The blocks of one page run in order, in one temporary directory holding a copy of ``docs/examples/``
and a fresh store (``PORTALROI_DB`` points at ``portalroi.duckdb`` there). A ``portalroi ...`` line
runs in-process through Typer's test runner (importing the CLI costs tens of seconds per process on
a loaded machine); every other line runs in ``bash`` with ``.venv/bin`` first on ``PATH``.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
MARK = "<!-- test: run -->"
SKIP = "<!-- test: skip -->"
_FENCE = re.compile(r"^```(\w+)\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced code block: page, 1-based line of the fence, language, text, marked runnable."""

    page: Path
    line: int
    lang: str
    text: str
    marked: bool
    skipped: bool = False

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """Every fenced block of a Markdown page, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i].strip())
        if m is None:
            i += 1
            continue
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i])
            i += 1
        prev = next((ln.strip() for ln in reversed(lines[:start]) if ln.strip()), "")
        text = "\n".join(body) + "\n"
        found.append(Block(page, start + 1, m.group(1), text, prev == MARK, prev == SKIP))
        i += 1
    return found


def always_run(page: Path) -> bool:
    """Pages whose python blocks all run (the guides and the quick start)."""
    return page.parent == DOCS / "guides" or page == DOCS / "quickstart.md"


def runnable(page: Path) -> list[Block]:
    """The blocks of a page the tests run, in order."""
    every_python = always_run(page)
    return [
        b
        for b in blocks(page)
        if b.marked or (b.lang == "python" and every_python and not b.skipped)
    ]


def commands(text: str) -> list[str]:
    """Shell lines of a block: comments dropped, ``\\`` continuations joined."""
    out: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = (pending + line).strip()
        pending = ""
        if line and not line.startswith("#"):
            out.append(line)
    return out


def run_command(line: str, cwd: Path) -> tuple[int, str]:
    """Run one shell line in ``cwd``; ``portalroi`` lines in-process. Returns (status, output)."""
    words = shlex.split(line, comments=True)
    if words and words[0] in ("portalroi", ".venv/bin/portalroi") and not _needs_shell(line):
        from typer.testing import CliRunner

        from portalroi.cli.main import app

        old = Path.cwd()
        os.chdir(cwd)
        try:
            result = CliRunner().invoke(app, words[1:])
        finally:
            os.chdir(old)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.output
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", line],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr


def _needs_shell(line: str) -> bool:
    return any(tok in line for tok in ("|", ">", "<", "&&", ";", "$"))


def run_python(block: Block, cwd: Path) -> None:
    """Execute a python block in ``cwd`` as a fresh module."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        code = compile(block.text, block.where, "exec")
        exec(code, {"__name__": "__docs__"})
    finally:
        os.chdir(old)
