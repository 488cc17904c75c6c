"""The reference pages name every CLI command and option, setting, metric and HTTP route.

``tests/test_reference.py`` checks that the committed pages equal what the generator writes;
this file checks, independently of the generator, that what the code has is on the pages: it
walks the command tree (subcommands included), the settings model, the metric registry and the
application's routes, and looks each one up in the committed Markdown.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from portalroi.cli.main import app
from portalroi.metrics.registry import METRICS
from portalroi.settings import Settings

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference"
METRICS_PAGE = REFERENCE.parent / "metrics.md"


def _walk(cmd: Any, path: str) -> list[tuple[str, Any]]:
    out = [(path, cmd)]
    for name, sub in sorted((getattr(cmd, "commands", None) or {}).items()):
        out += _walk(sub, f"{path} {name}")
    return out


def _sections(text: str) -> dict[str, str]:
    """The CLI page's sections by command path (the text under each ``## `portalroi ...` ``)."""
    parts = re.split(r"^## `(portalroi[^`]*)`\s*$", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_every_command_and_option_is_in_the_cli_reference() -> None:
    sections = _sections((REFERENCE / "cli.md").read_text(encoding="utf-8"))
    commands = _walk(typer.main.get_command(app), "portalroi")[1:]
    assert len(commands) >= 10, "the command tree looks empty"
    missing: list[str] = []
    for path, cmd in commands:
        if path not in sections:
            missing.append(path)
            continue
        for param in getattr(cmd, "params", []):
            if param.param_type_name != "option" or param.name == "help":
                continue
            if not any(f"`{opt}`" in sections[path] for opt in param.opts):
                missing.append(f"{path} {param.opts[0]}")
    assert missing == [], (
        f"missing from docs/reference/cli.md: {missing} "
        "(run `.venv/bin/python -m portalroi.reference`)"
    )


def test_nested_subcommands_are_covered() -> None:
    """The walk reaches second-level commands (e.g. `portalroi users add`), not only groups."""
    paths = [p for p, _ in _walk(typer.main.get_command(app), "portalroi")]
    assert any(p.count(" ") >= 2 for p in paths), paths


def test_every_setting_is_in_the_settings_reference() -> None:
    text = (REFERENCE / "settings.md").read_text(encoding="utf-8")
    missing = [
        name
        for name in Settings.model_fields
        if f"`PORTALROI_{name.upper()}`" not in text or f"| `{name}` |" not in text
    ]
    assert missing == [], f"settings missing from docs/reference/settings.md: {missing}"


def test_every_metric_is_on_the_metrics_page() -> None:
    text = METRICS_PAGE.read_text(encoding="utf-8")
    missing = [
        m.name
        for m in METRICS.values()
        if f"| `{m.name}` | {m.definition} | {m.unit} | {m.grain} |" not in text
        or f"### `{m.name}`" not in text
    ]
    assert missing == [], f"metrics missing from docs/metrics.md: {missing}"


def test_every_http_route_is_in_the_http_reference() -> None:
    from portalroi.api.app import create_app

    text = (REFERENCE / "http-api.md").read_text(encoding="utf-8")
    schema = create_app().openapi()
    missing = [
        f"{method.upper()} {path}"
        for path, ops in schema["paths"].items()
        for method in ops
        if f"| {method.upper()} | `{path}` |" not in text
    ]
    assert schema["paths"], "the application has no routes"
    assert missing == [], f"routes missing from docs/reference/http-api.md: {missing}"
