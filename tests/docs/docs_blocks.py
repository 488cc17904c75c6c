"""Find the code blocks of the documentation and run them.

Convention (``docs/`` and ``README.md``):

- every ```` ```bash ```` and ```` ```python ```` block runs, in page order;
- ```` ```console ```` blocks show what the user sees and are never run; other languages
  (``yaml``, ``json``, ``text``, ...) are files or listings and are never run either. The
  aliases ``py``, ``sh``, ``shell`` and the like are refused, so nothing slips past as "not
  python";
- the only exception is a ``<!-- test: skip: REASON -->`` line right above a block; the tests
  list every allowed (page, reason) and fail when one is added without being listed;
- a ``yaml``, ``csv`` (or other non-runnable) block with ``title="NAME"`` is a file the reader
  saves: the test writes it as ``NAME`` before running the blocks below it;
- a page whose first line is ``<!-- test: store=demo -->`` starts from a copy of one tiny demo
  store (``portalroi demo --size tiny``, built once per test session, with its exports in
  ``portalroi-demo/``); every other page starts from a fresh empty store.

The blocks of one page run in one temporary directory holding a copy of ``docs/examples/``
(``PORTALROI_DB`` points at ``portalroi.duckdb`` there). A ``portalroi ...`` line runs in-process
through Typer's test runner (importing the CLI costs tens of seconds per process on a loaded
machine); ``make <target>`` runs the target's ``portalroi`` recipe the same way; every other line
runs in ``bash`` with ``.venv/bin`` first on ``PATH``.
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
README = ROOT / "README.md"
RUN_LANGS = ("python", "bash")
# Spellings of a runnable language that would dodge the convention: refused by a test.
REFUSED_LANGS = ("py", "python3", "sh", "shell", "zsh", "pycon", "ipython", "shell-session")
STORE_DEMO = "<!-- test: store=demo -->"
_SKIP = re.compile(r"^<!-- test: skip: (\S.*?) -->$")
_MARKER = re.compile(r"<!-- test:")
_FENCE = re.compile(r"^(\s*)```\s*([\w+-]*)(.*)$")
_TITLE = re.compile(r'title="([^"]+)"')
_REDIRECT = re.compile(r"^(.*?)\s+>\s*(\S+)\s*(?:#.*)?$")


@dataclass(frozen=True)
class Block:
    """One fenced code block: page, 1-based line of the fence, language, text, skip reason."""

    page: Path
    line: int
    lang: str
    text: str
    skip: str | None = None
    title: str | None = None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def runs(self) -> bool:
        return self.lang in RUN_LANGS and self.skip is None


def pages() -> list[Path]:
    """Every page the convention covers: the Markdown of ``docs/`` and the README."""
    return [*sorted(DOCS.rglob("*.md")), README]


def page_id(page: Path) -> str:
    """A page's name in test ids and the skip list: relative to ``docs/`` (or ``README.md``)."""
    return "README.md" if page == README else str(page.relative_to(DOCS))


def blocks(page: Path) -> list[Block]:
    """Every fenced block of a Markdown page, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        indent = len(m.group(1))
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        prev = next((ln.strip() for ln in reversed(lines[:start]) if ln.strip()), "")
        skip = _SKIP.match(prev)
        text = "\n".join(body) + "\n"
        title = _TITLE.search(m.group(3))
        found.append(
            Block(
                page,
                start + 1,
                m.group(2),
                text,
                skip.group(1) if skip else None,
                title.group(1) if title else None,
            )
        )
        i += 1
    return found


def markers(page: Path) -> list[tuple[int, str]]:
    """Every ``<!-- test: ... -->`` line of a page outside code blocks (1-based line, text)."""
    found: list[tuple[int, str]] = []
    fenced = False
    for n, ln in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if ln.strip().startswith("```"):
            fenced = not fenced if ln.strip() == "```" or not fenced else fenced
            continue
        if not fenced and _MARKER.match(ln.strip()):
            found.append((n, ln.strip()))
    return found


def uses_demo_store(page: Path) -> bool:
    """Whether the page starts from a copy of the session's tiny demo store."""
    first = page.read_text(encoding="utf-8").split("\n", 1)[0].strip()
    return first == STORE_DEMO


def runnable(page: Path) -> list[Block]:
    """The blocks of a page the tests run, in order."""
    return [b for b in blocks(page) if b.runs]


def steps(page: Path) -> list[Block]:
    """What a page's test does, in order: blocks to run, and file blocks to write.

    A non-runnable block with a title (```` ```yaml title="helpdesk.yaml" ````) is a file the
    reader saves; the test writes it under that name before running the blocks below it.
    """
    return [b for b in blocks(page) if b.runs or (b.title is not None and b.lang not in RUN_LANGS)]


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


def make_recipe(target: str) -> str:
    """The last command of a Makefile target's recipe, with ``$(BIN)/`` dropped.

    >>> make_recipe("demo")
    'portalroi demo'
    """
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    m = re.search(rf"^{re.escape(target)}:[^\n]*\n((?:\t[^\n]*\n)+)", text, re.MULTILINE)
    if m is None:
        raise AssertionError(f"Makefile has no target {target!r}")
    last = m.group(1).strip().splitlines()[-1].strip()
    return last.replace("$(BIN)/", "")


def run_command(line: str, cwd: Path) -> tuple[int, str]:
    """Run one shell line in ``cwd``; ``portalroi`` lines in-process. Returns (status, output)."""
    redirect = _REDIRECT.match(line)
    if redirect and not _needs_shell(redirect.group(1)):
        # `portalroi ... > file` runs in-process too; the file gets the command's stdout.
        words = _portalroi_words(redirect.group(1))
        if words is not None:
            status, stdout, output = _invoke(words, cwd)
            (cwd / redirect.group(2)).write_text(stdout, encoding="utf-8")
            return status, output
    if not _needs_shell(line):
        words = _portalroi_words(line)
        if words is not None:
            status, _, output = _invoke(words, cwd)
            return status, output
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


def _portalroi_words(line: str) -> list[str] | None:
    """The arguments of a ``portalroi`` (or ``make <target>``) line, or None for other lines."""
    words = shlex.split(line, comments=True)
    if len(words) == 2 and words[0] == "make":
        recipe = make_recipe(words[1])
        assert recipe.startswith("portalroi "), f"`{line}` runs `{recipe}`, not portalroi"
        words = shlex.split(recipe)
    if words and words[0] in ("portalroi", ".venv/bin/portalroi"):
        return words[1:]
    return None


def _invoke(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run the CLI in-process in ``cwd``: (exit status, stdout, stdout and stderr)."""
    from typer.testing import CliRunner

    from portalroi.cli.main import app

    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, args)
    finally:
        os.chdir(old)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.output


def _needs_shell(line: str) -> bool:
    return any(tok in line for tok in ("|", ">", "<", "&&", ";", "$"))


def run_python(block: Block, cwd: Path, namespace: dict[str, object]) -> None:
    """Execute a python block in ``cwd``; the blocks of one page share ``namespace``."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        code = compile(block.text, block.where, "exec")
        exec(code, namespace)
    finally:
        os.chdir(old)
