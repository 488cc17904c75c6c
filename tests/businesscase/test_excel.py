"""The Excel model recalculated by LibreOffice equals the engine, also after an input changes."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from bc_cases import BASE

from portalroi.businesscase import BusinessCaseResult, evaluate, example_inputs_yaml, parse_inputs
from portalroi.businesscase.excel import LINES_ROW, SUMMARY_CELLS, write_excel

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _libreoffice_installed() -> None:
    # A real component: `make test` installs it (scripts/system-deps.sh), so its absence is a
    # failure, never a skip.
    assert shutil.which("soffice"), "LibreOffice (soffice) missing: run scripts/system-deps.sh"


_RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def _recalc(src: Path, tmp: Path) -> Path:
    """Open ``src`` in headless LibreOffice (always recalculating on load) and save a copy."""
    profile = tmp / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC, encoding="utf-8")
    out = tmp / "recalc"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out / src.name


def _check(path: Path, result: BusinessCaseResult) -> None:
    ws = openpyxl.load_workbook(path, data_only=True)["Summary"]
    expected: dict[str, Any] = {
        "total_benefits": result.total_benefits,
        "total_costs": result.total_costs,
        "net_benefit": result.net_benefit,
        "roi": result.roi,
        "pv_benefits": result.pv_benefits,
        "pv_costs": result.pv_costs,
        "npv": result.npv,
        "benefit_cost_ratio": result.benefit_cost_ratio,
        "irr": result.irr,
        "payback_month": result.payback_month,
    }
    for key, cell in SUMMARY_CELLS.items():
        got = ws[cell].value
        assert isinstance(got, int | float), f"{key} in {cell} is {got!r}"
        assert got == pytest.approx(expected[key], rel=1e-9), key
    for i, line in enumerate(result.lines):
        row = LINES_ROW + 1 + i
        assert ws[f"A{row}"].value == line.id
        assert ws[f"B{row}"].value == pytest.approx(line.total, rel=1e-9, abs=1e-9), line.id
        assert ws[f"C{row}"].value == pytest.approx(line.present_value, rel=1e-9, abs=1e-9)


def test_recalculated_workbook_matches_engine_and_follows_an_edit(tmp_path: Path) -> None:
    data = yaml.safe_load(example_inputs_yaml())
    inputs = parse_inputs(data)
    src = write_excel(inputs, tmp_path / "case.xlsx")
    _check(_recalc(src, tmp_path / "a"), evaluate(inputs))

    # Edit two inputs in the file (openpyxl keeps the formulas), recalculate, compare with the
    # engine run on the same change.
    wb = openpyxl.load_workbook(src)
    ws = wb["Inputs"]
    edits = {"benefits.deflection.cost_per_ticket": 14.5, "costs.implementation.amount": 90_000}
    for row in ws.iter_rows(min_row=2):
        if row[0].value in edits:
            row[1].value = edits[row[0].value]
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    changed = copy.deepcopy(data)
    ded = changed["benefits"]["deflection"]["cost_per_ticket"]
    changed["benefits"]["deflection"]["cost_per_ticket"] = {**ded, "likely": 14.5, "high": 14.5}
    changed["costs"]["implementation"]["amount"] = {"low": 90_000, "likely": 90_000, "high": 90_000}
    result = evaluate(parse_inputs(changed))
    assert result.npv != pytest.approx(evaluate(inputs).npv, rel=1e-3)
    _check(_recalc(edited, tmp_path / "b"), result)


def _case(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


def test_payback_on_an_exact_zero_agrees_with_the_workbook(tmp_path: Path) -> None:
    # Full adoption from month 1, 2,000 a year saved, 500 one-off: the cumulative net of month
    # 3 is exactly zero by hand (LibreOffice agrees); the engine used to say month 4.
    inputs = parse_inputs(
        _case(
            benefits={"consolidation": {"annual_saving": 2000}},
            costs={"implementation": {"amount": 500, "basis": "one_off"}},
        )
    )
    result = evaluate(inputs)
    assert result.payback_month == 3
    _check(_recalc(write_excel(inputs, tmp_path / "case.xlsx"), tmp_path), result)
