"""docs/data-model.md is exactly what the schema renders (it never drifts from the code)."""

from __future__ import annotations

from pathlib import Path

from portalroi.ingest._validate import SURVEY_SCALES
from portalroi.schema import TABLES
from portalroi.schema.docs import render_data_model_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-model.md"


def test_data_model_page_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render_data_model_markdown(), (
        "docs/data-model.md is out of date: run `.venv/bin/python -m portalroi.schema.docs`"
    )


def test_every_column_is_documented() -> None:
    text = render_data_model_markdown()
    for spec in TABLES.values():
        assert f"## {spec.name}\n" in text
        for col in spec.columns:
            assert f"| {col.name} | {col.type} |" in text


def test_survey_scales_in_the_page_match_validation() -> None:
    line = ", ".join(f"`{k}` {lo:g}-{hi:g}" for k, (lo, hi) in SURVEY_SCALES.items())
    assert f"Score scales by kind: {line}." in render_data_model_markdown()
