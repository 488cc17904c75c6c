"""The generated reference pages are committed and current (a missing command or setting fails)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from portalroi.cli.main import app
from portalroi.reference import REFERENCE_PAGES
from portalroi.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("page", sorted(REFERENCE_PAGES))
def test_reference_page_matches_the_code(page: str) -> None:
    committed = (DOCS / "reference" / page).read_text(encoding="utf-8")
    assert committed == REFERENCE_PAGES[page](), (
        f"docs/reference/{page} is out of date: run `.venv/bin/python -m portalroi.reference`"
    )


def _commands(cmd: object, path: str) -> list[tuple[str, object]]:
    out = [(path, cmd)]
    for name, sub in sorted((getattr(cmd, "commands", None) or {}).items()):
        out += _commands(sub, f"{path} {name}")
    return out


def test_every_command_and_option_has_help() -> None:
    for path, cmd in _commands(typer.main.get_command(app), "portalroi")[1:]:
        assert (getattr(cmd, "help", None) or "").strip(), f"`{path}` has no help text"
        for param in getattr(cmd, "params", []):
            if param.param_type_name == "option" and param.name != "help":
                assert param.help, f"`{path}` option {param.opts} has no help text"


def test_every_setting_is_described() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"
