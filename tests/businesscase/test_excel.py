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


def _check(path: Path, result: BusinessCaseResult) -> Any:
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
    # what the workbook shows where the engine has None
    missing = {
        "roi": "n/a",
        "benefit_cost_ratio": "n/a",
        "irr": "not unique" if result.irr_status == "not unique" else "none",
        "payback_month": "never",
    }
    for key, cell in SUMMARY_CELLS.items():
        got = ws[cell].value
        if expected[key] is None:
            assert got == missing[key], f"{key} in {cell} is {got!r}"
            continue
        assert isinstance(got, int | float), f"{key} in {cell} is {got!r}"
        assert got == pytest.approx(expected[key], rel=1e-9), key
    for i, line in enumerate(result.lines):
        row = LINES_ROW + 1 + i
        assert ws[f"A{row}"].value == line.id
        assert ws[f"B{row}"].value == pytest.approx(line.total, rel=1e-9, abs=1e-9), line.id
        assert ws[f"C{row}"].value == pytest.approx(line.present_value, rel=1e-9, abs=1e-9)
    return ws


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


def test_irr_of_flows_that_never_pay_back_agrees_with_the_workbook(tmp_path: Path) -> None:
    # 1,000 a year saved against 50,000 one-off and 50 a month: the only root is -83.187 % a
    # year; LibreOffice's IRR() from its default 10 % guess found none, the engine's root as
    # the guess finds it.
    inputs = parse_inputs(
        _case(
            adoption={"points": [[0, 0], [3, 0.6], [12, 1]]},
            benefits={"consolidation": {"annual_saving": 1000}},
            costs={
                "implementation": {"amount": 50_000, "basis": "one_off"},
                "licence": {"amount": 50, "basis": "monthly"},
            },
        )
    )
    result = evaluate(inputs)
    assert result.irr == pytest.approx(-0.83187, abs=1e-5)
    assert result.payback_month is None
    _check(_recalc(write_excel(inputs, tmp_path / "case.xlsx"), tmp_path), result)


def test_irr_not_unique_in_the_engine_and_the_workbook(tmp_path: Path) -> None:
    # Adoption up to month 6 and back to zero by month 24: the net flows change sign twice and
    # NPV is zero at -49.05 % and +1,853 % a year. The workbook says "not unique", like the
    # engine, instead of whichever root IRR() happens to reach.
    inputs = parse_inputs(
        _case(
            horizon_years=3,
            adoption={"points": [[0, 0], [6, 1], [18, 1], [24, 0]]},
            benefits={"consolidation": {"annual_saving": 120_000}},
            costs={
                "implementation": {"amount": 10_000, "basis": "one_off"},
                "licence": {"amount": 3_000, "basis": "monthly"},
            },
        )
    )
    result = evaluate(inputs)
    assert result.irr is None
    assert result.irr_status == "not unique"
    ws = _check(_recalc(write_excel(inputs, tmp_path / "case.xlsx"), tmp_path), result)
    assert "-49.05%" in ws["C11"].value
    assert "1,853.19%" in ws["C11"].value


def test_process_with_no_old_steps_agrees_with_the_workbook(tmp_path: Path) -> None:
    # p2 has no old steps: its saving is minus the new steps' cost, 100 x 1 / 60 x 30 = -50 a
    # year by hand. The workbook used to write =SUM(G5:G4)-SUM(G5:G5) for it.
    inputs = parse_inputs(
        _case(
            processes=[
                {
                    "name": "p1",
                    "old": [{"name": "a", "minutes": 30, "per_year": 1000, "hourly_rate": 50}],
                    "new": [],
                },
                {
                    "name": "p2",
                    "old": [],
                    "new": [{"name": "b", "minutes": 1, "per_year": 100, "hourly_rate": 30}],
                },
            ],
            costs={"implementation": {"amount": 1000, "basis": "one_off"}},
        )
    )
    result = evaluate(inputs)
    assert result.line("process.p1").yearly_value[0] == pytest.approx(25_000.0)
    assert result.line("process.p2").yearly_value[0] == pytest.approx(-50.0)
    _check(_recalc(write_excel(inputs, tmp_path / "case.xlsx"), tmp_path), result)
