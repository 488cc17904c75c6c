"""Text in the business-case workbook stays text: a name or source that starts with ``=`` is
never written as a formula (spreadsheet formula injection), while the live formulas stay
formulas."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from portalroi.businesscase import example_inputs
from portalroi.businesscase.excel import write_excel

TRAP = '=HYPERLINK("http://example.invalid/x","click")'


def test_names_and_sources_starting_with_equals_stay_text(tmp_path: Path) -> None:
    inputs = example_inputs()
    deflection = inputs.benefits.deflection
    assert deflection is not None
    lines = inputs.benefits.model_copy(
        update={"deflection": deflection.model_copy(update={"source": TRAP})}
    )
    inputs = inputs.model_copy(update={"name": TRAP, "benefits": lines})
    wb = openpyxl.load_workbook(write_excel(inputs, tmp_path / "case.xlsx"))
    title = wb["Summary"]["A1"]
    assert (title.value, title.data_type) == (TRAP, "s")
    texts = [c for row in wb["Process"].iter_rows() for c in row if c.value == TRAP]
    texts += [c for row in wb["Inputs"].iter_rows() for c in row if c.value == TRAP]
    assert texts
    assert all(c.data_type == "s" for c in texts)
    # the model's own formulas are still formulas
    assert wb["Summary"]["B3"].data_type == "f"
    assert str(wb["Summary"]["B3"].value).startswith("=SUM(")
