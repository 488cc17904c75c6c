"""Import layering: the API and the dashboard are shells over :mod:`portalroi.services`.

Read with :mod:`ast` (no import side effects), so a forbidden import anywhere in a module, even
inside a function, fails. The app factory mounts the dashboard router by module name
(``importlib.import_module("portalroi.web")``, optional when the web package is left out); that
is composition of the server, not a compute dependency, and is the one dynamic reference allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "portalroi"

#: package -> packages it must never import.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "api": ("portalroi.web", "portalroi.cli"),
    "services": ("portalroi.web", "portalroi.api", "portalroi.cli"),
    "web": ("portalroi.cli",),
}


def imported_modules(path: Path, package: str | None = None) -> list[tuple[int, str]]:
    """(line, module) of every import statement in ``path``, relative imports resolved against
    ``package`` (by default the module's own package under ``src/``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    if package is None:
        package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            out.append((node.lineno, base))
            # ``from portalroi import web`` imports the package too.
            out.extend((node.lineno, f"{base}.{a.name}") for a in node.names)
    return out


def _violations(package: str) -> list[str]:
    bad = []
    for path in sorted((SRC / package).rglob("*.py")):
        for line, module in imported_modules(path):
            for banned in FORBIDDEN[package]:
                if module == banned or module.startswith(banned + "."):
                    bad.append(f"{path.relative_to(SRC)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_the_layers_above_it(package: str) -> None:
    assert (SRC / package).is_dir()
    assert _violations(package) == []


def test_the_checker_sees_absolute_relative_and_nested_imports(tmp_path: Path) -> None:
    # A module written as if it were in the API package: each import form must be seen.
    source = (
        "from portalroi.web.render import cached\n"
        "import portalroi.cli.main\n"
        "def f():\n"
        "    from ..web import pages\n"
        "    from portalroi import cli\n"
    )
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    tree_mods = {m for _, m in imported_modules(probe, "portalroi.api")}
    assert "portalroi.web.render" in tree_mods
    assert "portalroi.cli.main" in tree_mods
    assert "portalroi.web" in tree_mods  # from ..web import pages, resolved
    assert "portalroi.cli" in tree_mods  # from portalroi import cli
