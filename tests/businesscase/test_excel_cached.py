"""The workbook's formulas carry their results: a reader that does not recalculate (a previewer,
LibreOffice's default for .xlsx, pandas or openpyxl) shows the engine's figures, not zeros.

The figures themselves are checked against a LibreOffice recalculation in test_excel.py; here
the stored results must equal the engine's at the written inputs.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from portalroi.businesscase import evaluate, example_inputs, write_excel
from portalroi.businesscase.excel import LINES_ROW, SUMMARY_CELLS


def test_summary_and_lines_hold_the_engine_figures_before_any_recalculation(
    tmp_path: Path,
) -> None:
    inputs = example_inputs()
    r = evaluate(inputs)
    book = openpyxl.load_workbook(write_excel(inputs, tmp_path / "c.xlsx"), data_only=True)
    ws = book["Summary"]
    want = {
        "total_benefits": r.total_benefits,
        "total_costs": r.total_costs,
        "net_benefit": r.net_benefit,
        "roi": r.roi,
        "pv_benefits": r.pv_benefits,
        "pv_costs": r.pv_costs,
        "npv": r.npv,
        "benefit_cost_ratio": r.benefit_cost_ratio,
        "irr": r.irr,
        "payback_month": r.payback_month,
    }
    for key, cell in SUMMARY_CELLS.items():
        assert ws[cell].value == pytest.approx(want[key], rel=1e-12), key  # was 0
    assert ws[SUMMARY_CELLS["payback_month"]].number_format == "0"  # a month, not 7.00
    lines = {ws.cell(LINES_ROW + 1 + i, 1).value: i for i in range(len(r.lines))}
    for line in r.lines:
        row = LINES_ROW + 1 + lines[line.id]
        assert ws.cell(row, 2).value == pytest.approx(line.total, rel=1e-12), line.id
        assert ws.cell(row, 3).value == pytest.approx(line.present_value, rel=1e-12), line.id
