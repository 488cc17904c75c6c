"""Reference pages generated from the code: every CLI command and every setting.

``python -m portalroi.reference`` rewrites ``docs/reference/cli.md`` and
``docs/reference/settings.md``; a test fails when the committed pages differ from what the code
says, so a command or setting can never be missing from the docs.

Examples
--------
>>> "## `portalroi status`" in render_cli_reference()
True
>>> "PORTALROI_DB" in render_settings_reference()
True
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any

import typer

from portalroi.settings import Settings

__all__ = [
    "REFERENCE_PAGES",
    "render_cli_reference",
    "render_http_api_reference",
    "render_python_api_reference",
    "render_settings_reference",
    "write_reference",
]


# Typer vendors its own copy of click, so commands and parameters are inspected by duck typing.
def _walk(cmd: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    out = [(path, cmd)]
    commands = getattr(cmd, "commands", None)
    if commands:
        for name in sorted(commands):
            out.extend(_walk(commands[name], [*path, name]))
    return out


def _param_row(param: Any) -> str:
    if param.param_type_name == "option":
        names = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
        default = param.default
        shown = (
            "" if default in (None, False, ()) or callable(default) else f" Default: `{default}`."
        )
        help_text = (param.help or "").replace("\n", " ").replace("|", "\\|")
        return f"| {names} | {help_text}{shown} |"
    meta = (getattr(param, "human_readable_name", None) or param.name).upper()
    return f"| `{meta}` | argument{' (required)' if param.required else ''} |"


def render_cli_reference() -> str:
    """Markdown reference of every ``portalroi`` command, its help and its options."""
    from portalroi.cli.main import app

    root = typer.main.get_command(app)
    lines = [
        "# Command-line reference",
        "",
        "Generated from the code by `python -m portalroi.reference`; do not edit by hand.",
        "Every command exits with status 0 on success and 2 with a one-line reason on bad input "
        "(an output file whose folder does not exist is refused before anything is written).",
        "",
    ]
    for path, cmd in _walk(root, ["portalroi"]):
        if len(path) == 1 or getattr(cmd, "hidden", False):
            continue
        lines += [f"## `{' '.join(path)}`", "", (cmd.help or "").strip(), ""]
        params = [p for p in cmd.params if p.name != "help"]
        if params:
            lines += ["| option | meaning |", "|---|---|"]
            lines += [_param_row(p) for p in params]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_settings_reference() -> str:
    """Markdown reference of every setting, its environment variable, default and meaning."""
    lines = [
        "# Settings reference",
        "",
        "Generated from the code by `python -m portalroi.reference`; do not edit by hand.",
        "Set each as an environment variable or in a `.env` file in the working directory.",
        "",
        "| setting | environment variable | default | meaning |",
        "|---|---|---|---|",
    ]
    prefix = str(Settings.model_config.get("env_prefix", ""))
    for name, field in Settings.model_fields.items():
        default = field.default
        lines.append(
            f"| `{name}` | `{prefix}{name.upper()}` | `{default}` | {field.description or ''} |"
        )
    return "\n".join(lines) + "\n"


def _first_paragraph(doc: str | None) -> str:
    text = inspect.cleandoc(doc or "")
    return text.split("\n\n", 1)[0].replace("\n", " ").strip()


def render_python_api_reference() -> str:
    """Markdown reference of the top-level Python API (``portalroi.__all__``)."""
    import portalroi

    lines = [
        "# Python API reference",
        "",
        "Generated from the code by `python -m portalroi.reference`; do not edit by hand.",
        "Every name below is importable from the top-level package (`import portalroi`); the",
        "defining module's docstring has the details and a runnable example.",
        "",
    ]
    for name in portalroi.__all__:
        if name == "__version__":
            continue
        obj = getattr(portalroi, name)
        module = getattr(obj, "__module__", "")
        kind = "class" if inspect.isclass(obj) else "function"
        # A class's constructor signature (pydantic settings above all) is noise here: its
        # fields are documented where it is defined.
        try:
            signature = "" if kind == "class" else str(inspect.signature(obj))
        except (TypeError, ValueError):
            signature = ""
        lines += [
            f"## `portalroi.{name}`",
            "",
            f"{kind} in `{module}`" + (f": `{name}{signature}`" if signature else ""),
            "",
            _first_paragraph(obj.__doc__) or "(no docstring)",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def render_http_api_reference() -> str:
    """Markdown reference of every HTTP API operation, from the app's OpenAPI schema."""
    from portalroi.api.app import create_app

    schema = create_app().openapi()
    lines = [
        "# HTTP API reference",
        "",
        "Generated from the OpenAPI schema by `python -m portalroi.reference`; do not edit by",
        "hand. A running server also serves the schema at `/openapi.json` and interactive",
        "documentation at `/docs`. Every error has the shape",
        '`{"error": {"code": ..., "message": ..., "details": ...}}`.',
        "",
        "| method | path | summary |",
        "|---|---|---|",
    ]
    for path in sorted(schema.get("paths", {})):
        for method, op in sorted(schema["paths"][path].items()):
            summary = str(op.get("summary") or _first_paragraph(op.get("description")))
            summary = summary.replace("|", "\\|")
            lines.append(f"| {method.upper()} | `{path}` | {summary} |")
    return "\n".join(lines) + "\n"


REFERENCE_PAGES = {
    "cli.md": render_cli_reference,
    "settings.md": render_settings_reference,
    "python-api.md": render_python_api_reference,
    "http-api.md": render_http_api_reference,
}


def write_reference(folder: Path) -> list[Path]:
    """Write every generated reference page into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, render in REFERENCE_PAGES.items():
        path = folder / name
        path.write_text(render(), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - exercised by `make docs`
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/reference")
    for p in write_reference(target):
        print(p)
