"""The business-case report renders in English and Swedish, as HTML and as a 1-2 page PDF."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from portalroi.businesscase import evaluate, example_inputs, render_html, write_pdf
from portalroi.reports.i18n import format_currency

TODAY = dt.date(2025, 3, 12)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Net present value", "Payback month", "Cumulative net benefit", "12 March 2025"]),
        ("sv", ["Nettonuvärde", "Återbetalningsmånad", "Ackumulerad nettonytta", "2025-03-12"]),
    ],
)
def test_html_has_figures_charts_and_language(lang: str, words: list[str]) -> None:
    inputs = example_inputs()
    html = render_html(inputs, lang=lang, draws=1_000, seed=0, today=TODAY)
    for word in words:
        assert word in html
    assert html.count("<svg") == 4
    npv = format_currency(evaluate(inputs).npv, "USD", lang)
    assert npv in html


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "sv"])
def test_pdf_is_one_or_two_pages_and_rasterises(tmp_path: Path, lang: str) -> None:
    assert shutil.which("pdftoppm"), "poppler-utils missing: run scripts/system-deps.sh"
    pdf = write_pdf(
        example_inputs(), tmp_path / f"case_{lang}.pdf", lang=lang, draws=2_000, today=TODAY
    )
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:"))
    )
    assert 1 <= pages <= 2
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    png = next(tmp_path.glob("p*.png"))
    assert png.read_bytes().startswith(b"\x89PNG")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert ("Nettonuvärde" if lang == "sv" else "Net present value") in text
