"""Render report templates (Jinja2) to HTML, and HTML to PDF (WeasyPrint)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from portalroi.reports import i18n

__all__ = ["TEMPLATES", "environment", "html_to_pdf", "render_template"]

TEMPLATES = Path(__file__).with_name("templates")


def environment() -> jinja2.Environment:
    """The Jinja2 environment of the report templates, with the i18n formatters as filters.

    Examples
    --------
    >>> environment().filters["percent"](0.5, "en")
    '50%'
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = i18n.format_currency
    env.filters["number"] = i18n.format_number
    env.filters["percent"] = i18n.format_percent
    env.filters["date"] = i18n.format_date
    env.globals["t"] = i18n.text
    return env


def render_template(name: str, **context: Any) -> str:
    """Render the template ``name`` from :data:`TEMPLATES` with ``context``.

    Examples
    --------
    >>> "<html" in render_template("base.html.j2", lang="en", title="x")
    True
    """
    return environment().get_template(name).render(**context)


def html_to_pdf(html: str, path: str | Path) -> Path:
    """Write ``html`` as a PDF with WeasyPrint (SVG charts inline, no network access).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = html_to_pdf("<p>hi</p>", pathlib.Path(tempfile.mkdtemp()) / "a.pdf")
    >>> out.read_bytes()[:4]
    b'%PDF'
    """
    import weasyprint

    path = Path(path)

    def _no_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"reports do not fetch resources: {url}")

    weasyprint.HTML(string=html, url_fetcher=_no_fetch).write_pdf(str(path))
    return path
