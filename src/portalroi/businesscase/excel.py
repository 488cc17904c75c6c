"""Excel export: an Inputs sheet of named cells and calculation sheets with live formulas.

Sheets: ``Inputs`` (every figure, named: ``in_company_customers``,
``in_benefits_deflection_cost_per_ticket``, ...; low / high and source beside it), ``Process``
(old and new steps), ``Customers`` (the base with and without the portal), ``Lines`` (yearly value
of each benefit line), ``Monthly`` (cash flows, discounting, payback flag) and ``Summary``
(totals, ROI, NPV, IRR, B/C ratio, payback). Changing any input cell changes every result; the
formulas mirror :mod:`portalroi.businesscase.model` one for one (a LibreOffice test checks it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from portalroi.businesscase.defaults import SOURCES
from portalroi.businesscase.engine import BusinessCaseResult, evaluate
from portalroi.businesscase.finance import PAYBACK_RTOL, irr_analysis
from portalroi.businesscase.inputs import BusinessCaseInputs
from portalroi.businesscase.model import BENEFIT_IDS, COST_IDS, DSO_DAYS, adoption_curve, parameters
from portalroi.businesscase.process import step_cost
from portalroi.reports.xlsx import close_workbook

__all__ = ["LINES_ROW", "SUMMARY_CELLS", "write_excel"]

#: Zero-based row of the first per-line total on the Summary sheet (id, total, present value).
LINES_ROW = 15

#: Summary sheet: output name -> cell (used by tests and readers of the workbook).
SUMMARY_CELLS = {
    "total_benefits": "B3",
    "total_costs": "B4",
    "net_benefit": "B5",
    "roi": "B6",
    "pv_benefits": "B7",
    "pv_costs": "B8",
    "npv": "B9",
    "benefit_cost_ratio": "B10",
    "irr": "B11",
    "payback_month": "B12",
}


def _name(key: str) -> str:
    return "in_" + key.replace(".", "_")


class _Inputs:
    """Writes named input cells row by row on the Inputs sheet."""

    def __init__(self, wb: Any, ws: Any, fmt: dict[str, Any]) -> None:
        self.wb, self.ws, self.fmt, self.row = wb, ws, fmt, 2
        ws.write_row(0, 0, ["Figure", "Likely (edit)", "Low", "High", "Source"], fmt["head"])
        ws.set_column(0, 0, 46)
        ws.set_column(1, 3, 14)
        ws.set_column(4, 4, 90)

    def add(self, key: str, value: Any, low: Any = None, high: Any = None, source: str = "") -> str:
        r = self.row
        self.ws.write(r, 0, key)
        if isinstance(value, str) and value.startswith("="):
            self.ws.write_formula(r, 1, value, self.fmt["calc"])
        else:
            self.ws.write(r, 1, value, self.fmt["input"])
        if low is not None:
            self.ws.write(r, 2, low)
            self.ws.write(r, 3, high)
        self.ws.write(r, 4, source)
        name = _name(key)
        self.wb.define_name(name, f"=Inputs!$B${r + 1}")
        self.row += 1
        return name


def _benefit_formulas(inputs: BusinessCaseInputs, n: dict[str, str]) -> dict[str, str]:
    """Yearly value formula of each constant-per-year benefit line (churn is done per year)."""
    b, out = inputs.benefits, {}
    if (d := b.deflection) is not None:
        t = n["benefits.deflection.tickets_per_month"]
        cost = (
            f"({n['benefits.deflection.support_cost_per_year']}/({t}*12))"
            if d.cost_per_ticket is None and d.support_cost_per_year is not None
            else n["benefits.deflection.cost_per_ticket"]
        )
        out["deflection"] = f"={t}*{n['benefits.deflection.deflection_share']}*{cost}*12"
    if b.agent_time is not None:
        p = "benefits.agent_time."
        out["agent_time"] = (
            f"={n[p + 'tickets_per_month']}*{n[p + 'minutes_saved_per_ticket']}/60"
            f"*{n[p + 'agent_hourly_cost']}*12"
        )
    if b.admin_hours is not None:
        p = "benefits.admin_hours."
        out["admin_hours"] = f"={n[p + 'hours_per_week']}*{n[p + 'hourly_rate']}*52"
    if (dso := b.dso) is not None:
        periods, days = DSO_DAYS[dso.day_convention]
        p = "benefits.dso."
        out["dso"] = (
            f"={n[p + 'monthly_billing']}*{periods:g}/{days:g}*{n[p + 'days_reduced']}"
            f"*{n[p + 'cost_of_capital']}"
        )
    if b.clv is not None:
        p = "benefits.clv."
        out["clv"] = (
            f"={n[p + 'customers']}*{n[p + 'annual_value_per_customer']}*{n[p + 'uplift']}"
            f"*{n[p + 'margin']}"
        )
    if b.consolidation is not None:
        out["consolidation"] = f"={n['benefits.consolidation.annual_saving']}"
    if b.orders is not None:
        p = "benefits.orders."
        out["orders"] = (
            f"={n[p + 'orders_per_year']}*{n[p + 'average_order_value']}*{n[p + 'uplift']}"
            f"*{n[p + 'margin']}"
        )
    return out


def _write_inputs(wb: Any, fmt: dict[str, Any], inputs: BusinessCaseInputs) -> dict[str, str]:
    ws = wb.add_worksheet("Inputs")
    w = _Inputs(wb, ws, fmt)
    n: dict[str, str] = {}
    c = inputs.company
    n["discount_rate"] = w.add(
        "discount_rate", inputs.discount_rate, source=SOURCES["discount_rate"]
    )
    for field, value in c:
        if field == "cost_to_acquire_customer":
            continue
        n[f"company.{field}"] = w.add(f"company.{field}", value)
    params = parameters(inputs)
    derived = {
        "benefits.dso.monthly_billing": f"={n['company.annual_revenue']}/12",
        "benefits.dso.cost_of_capital": f"={n['discount_rate']}",
        "benefits.clv.customers": f"={n['company.customers']}",
        "benefits.clv.annual_value_per_customer": (
            f"={n['company.annual_revenue']}/{n['company.customers']}"
        ),
        "benefits.clv.margin": f"={n['company.gross_margin_existing']}",
        "benefits.orders.margin": f"={n['company.gross_margin_existing']}",
        "benefits.churn.value_per_customer": (
            f"={n['company.annual_revenue']}/{n['company.customers']}"
            f"*{n['company.gross_margin_existing']}"
        ),
    }
    for line_id in BENEFIT_IDS:
        line = getattr(inputs.benefits, line_id)
        if line is None:
            continue
        for field, _value in line:
            key = f"benefits.{line_id}.{field}"
            if key in params:
                r = params[key]
                n[key] = w.add(key, r.likely, r.low, r.high, line.source)
            elif key in derived:
                n[key] = w.add(key, derived[key], source="derived (formula)")
        n[f"risk.{line_id}"] = w.add(f"risk.{line_id}", line.risk_adjustment)
    for line_id in COST_IDS:
        cost = getattr(inputs.costs, line_id)
        if cost is not None:
            r = cost.amount
            n[f"costs.{line_id}.amount"] = w.add(
                f"costs.{line_id}.amount", r.likely, r.low, r.high, f"{cost.basis}; {cost.source}"
            )
            n[f"risk.{line_id}"] = w.add(f"risk.{line_id}", cost.risk_adjustment)
    return n


def _write_process(wb: Any, fmt: dict[str, Any], inputs: BusinessCaseInputs) -> dict[str, str]:
    if not inputs.processes:
        return {}
    ws = wb.add_worksheet("Process")
    ws.set_column(0, 1, 28)
    head = ["Process", "Step", "Minutes", "Per year", "Hourly rate", "Other cost", "Cost/year"]
    ws.write_row(0, 0, head, fmt["head"])
    row, out = 1, {}
    for p in inputs.processes:
        first = {}
        for which, steps in (("old", p.old), ("new", p.new)):
            first[which] = row
            for s in steps:
                ws.write(row, 0, f"{p.name} ({which})")
                ws.write(row, 1, s.name)
                for col, val in enumerate((s.minutes, s.per_year, s.hourly_rate, s.other_cost), 2):
                    ws.write(row, col, val, fmt["input"])
                r1 = row + 1
                ws.write_formula(
                    row, 6, f"=D{r1}*(C{r1}/60*E{r1}+F{r1})", fmt["calc"], step_cost(s)
                )
                row += 1
            first[which + "_end"] = row
        ws.write(row, 0, f"{p.name}: saving per year", fmt["bold"])
        # an empty step list costs 0 (a SUM over no rows would be written as G5:G4, the two
        # rows around it)
        old = f"SUM(G{first['old'] + 1}:G{first['old_end']})" if p.old else "0"
        new = f"SUM(G{first['new'] + 1}:G{first['new_end']})" if p.new else "0"
        ws.write_formula(row, 6, f"={old}-{new}", fmt["calc"])
        out[f"process.{p.name}"] = f"Process!$G${row + 1}"
        n_risk = f"risk_process_{p.name}"
        ws.write(row, 7, "risk adjustment")
        ws.write(row, 8, p.risk_adjustment, fmt["input"])
        wb.define_name(n_risk, f"=Process!$I${row + 1}")
        row += 2
    return out


def _write_customers(
    wb: Any, fmt: dict[str, Any], inputs: BusinessCaseInputs, n: dict[str, str]
) -> None:
    """Customer base per year with and without the portal (the growth formula)."""
    ws = wb.add_worksheet("Customers")
    ws.set_column(0, 4, 22)
    ext = n.get("benefits.churn.lifetime_extension_months", "12")
    churn = n["company.annual_churn"]
    ws.write_row(
        0, 0, ["churn with portal", "lifetime (years)", "lifetime with portal"], fmt["head"]
    )
    ws.write_formula(1, 0, f"=1/(1/{churn}+{ext}/12)", fmt["calc"])
    ws.write_formula(1, 1, f"=1/{churn}", fmt["calc"])
    ws.write_formula(1, 2, "=1/A2", fmt["calc"])
    ws.write_row(
        3, 0, ["Year", "Base without portal", "Base with portal", "Customers kept"], fmt["head"]
    )
    new = n["company.new_customers_per_year"]
    for y in range(inputs.horizon_years + 1):
        r = 4 + y
        ws.write(r, 0, y)
        if y == 0:
            ws.write_formula(r, 1, f"={n['company.customers']}", fmt["calc"])
            ws.write_formula(r, 2, f"={n['company.customers']}", fmt["calc"])
        else:
            ws.write_formula(r, 1, f"=B{r}+{new}-B{r}*{churn}", fmt["calc"])
            ws.write_formula(r, 2, f"=C{r}+{new}-C{r}*$A$2", fmt["calc"])
        ws.write_formula(r, 3, f"=C{r + 1}-B{r + 1}", fmt["calc"])


def _write_lines(
    wb: Any,
    fmt: dict[str, Any],
    inputs: BusinessCaseInputs,
    n: dict[str, str],
    process: dict[str, str],
) -> dict[str, int]:
    """Yearly value of each benefit line (rows) for years 1..H (columns B..)."""
    ws = wb.add_worksheet("Lines")
    ws.set_column(0, 0, 26)
    years = inputs.horizon_years
    ws.write_row(
        0,
        0,
        ["Benefit line (yearly value at full adoption)"]
        + [f"Year {y}" for y in range(1, years + 1)],
        fmt["head"],
    )
    formulas = _benefit_formulas(inputs, n)
    rows: dict[str, int] = {}
    row = 1
    for line_id in (*BENEFIT_IDS, *process):
        if line_id not in formulas and line_id != "churn" and line_id not in process:
            continue
        if line_id == "churn" and inputs.benefits.churn is None:
            continue
        ws.write(row, 0, line_id)
        for y in range(1, years + 1):
            if line_id == "churn":
                # Customers kept on average during year y: mean of the gap at its start and end.
                f = f"={n['benefits.churn.value_per_customer']}*(Customers!D{4 + y}+Customers!D{5 + y})/2"
            elif line_id in process:
                f = f"={process[line_id]}"
            else:
                f = formulas[line_id]
            ws.write_formula(row, y, f, fmt["calc"])
        rows[line_id] = row
        row += 1
    return rows


def write_excel(inputs: BusinessCaseInputs, path: str | Path) -> Path:
    """Write the business case as a workbook whose formulas recompute every result.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from portalroi.businesscase import example_inputs
    >>> out = write_excel(example_inputs(), pathlib.Path(tempfile.mkdtemp()) / "case.xlsx")
    >>> out.suffix
    '.xlsx'
    """
    path = Path(path)
    # text from the data or the user (names, sources, ids) is never run as a formula; the
    # live formulas are written with write_formula
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    fmt = {
        "head": wb.add_format({"bold": True, "bg_color": "#DDE4EE"}),
        "input": wb.add_format({"bg_color": "#FFF2CC"}),
        "calc": wb.add_format({"num_format": "#,##0.00"}),
        "bold": wb.add_format({"bold": True}),
        "pct": wb.add_format({"num_format": "0.0%"}),
        "int": wb.add_format({"num_format": "0"}),
    }
    summary = wb.add_worksheet("Summary")
    # the engine's figures at the written inputs: their IRR is the guess of the IRR formula,
    # and they are the formulas' stored results (what a reader that does not recalculate shows)
    result = evaluate(inputs)
    n = _write_inputs(wb, fmt, inputs)
    process = _write_process(wb, fmt, inputs)
    _write_customers(wb, fmt, inputs, n)
    rows = _write_lines(wb, fmt, inputs, n, process)
    line_ids = _write_monthly(wb, fmt, inputs, n, rows)
    _write_summary(summary, fmt, inputs, line_ids, result)
    wb.set_calc_mode("auto")  # XlsxWriter also sets fullCalcOnLoad: Excel recalculates on open
    close_workbook(wb, path)
    return path


def _write_monthly(
    wb: Any,
    fmt: dict[str, Any],
    inputs: BusinessCaseInputs,
    n: dict[str, str],
    rows: dict[str, int],
) -> list[str]:
    ws = wb.add_worksheet("Monthly")
    months = inputs.months
    adoption = adoption_curve(inputs)
    benefit_ids = list(rows)
    cost_ids = [c for c in COST_IDS if getattr(inputs.costs, c) is not None]
    head = ["Month", "Year", "Adoption (edit)", *benefit_ids, *cost_ids]
    head += ["Benefits", "Costs", "Net", "Cumulative net", "Discount factor", "Payback flag"]
    ws.write_row(0, 0, head, fmt["head"])
    ws.set_column(0, len(head), 14)
    col = {h: i for i, h in enumerate(head)}
    last = months + 1  # zero-based row index of the last month
    for t in range(months + 1):
        r, r1 = t + 1, t + 2
        ws.write(r, 0, t)
        ws.write_formula(r, 1, f"=IF(A{r1}=0,0,INT((A{r1}-1)/12)+1)")
        ws.write(r, 2, float(adoption[t]), fmt["input"])
        for line_id in benefit_ids:
            risk = (
                f"risk_process_{line_id.removeprefix('process.')}"
                if line_id.startswith("process.")
                else n[f"risk.{line_id}"]
            )
            lr = rows[line_id] + 1
            value = f"INDEX(Lines!$B${lr}:${xl_col_to_name(inputs.horizon_years)}${lr},1,B{r1})"
            ws.write_formula(
                r, col[line_id], f"=IF(A{r1}=0,0,{value}/12*C{r1}*(1-{risk}))", fmt["calc"]
            )
        for line_id in cost_ids:
            basis = getattr(inputs.costs, line_id).basis
            amount = f"{n[f'costs.{line_id}.amount']}*(1+{n[f'risk.{line_id}']})"
            f = {
                "one_off": f"=IF(A{r1}=0,{amount},0)",
                "monthly": f"=IF(A{r1}=0,0,{amount})",
                "annual": f"=IF(A{r1}=0,0,{amount}/12)",
            }[basis]
            ws.write_formula(r, col[line_id], f, fmt["calc"])
        b0, b1 = xl_col_to_name(3), xl_col_to_name(2 + len(benefit_ids))
        c0, c1 = (
            xl_col_to_name(3 + len(benefit_ids)),
            xl_col_to_name(2 + len(benefit_ids) + len(cost_ids)),
        )
        ws.write_formula(
            r, col["Benefits"], f"=SUM({b0}{r1}:{b1}{r1})" if benefit_ids else "=0", fmt["calc"]
        )
        ws.write_formula(
            r, col["Costs"], f"=SUM({c0}{r1}:{c1}{r1})" if cost_ids else "=0", fmt["calc"]
        )
        bc, cc, nc, cum = (
            xl_col_to_name(col[k]) for k in ("Benefits", "Costs", "Net", "Cumulative net")
        )
        ws.write_formula(r, col["Net"], f"={bc}{r1}-{cc}{r1}", fmt["calc"])
        ws.write_formula(r, col["Cumulative net"], f"=SUM(${nc}$2:{nc}{r1})", fmt["calc"])
        ws.write_formula(r, col["Discount factor"], f"=(1+{n['discount_rate']})^(-A{r1}/12)")
        ws.write_formula(
            r, col["Payback flag"], f"=IF(AND(A{r1}>=1,{cum}{r1}>=-m_payback_tol),A{r1},1E+9)"
        )
    rng = {
        k: f"Monthly!${xl_col_to_name(col[k])}$2:${xl_col_to_name(col[k])}${last + 1}" for k in col
    }
    wb.define_name("m_benefits", "=" + rng["Benefits"])
    wb.define_name("m_costs", "=" + rng["Costs"])
    wb.define_name("m_net", "=" + rng["Net"])
    wb.define_name("m_df", "=" + rng["Discount factor"])
    wb.define_name("m_payback", "=" + rng["Payback flag"])
    # Zero up to floating-point error, as finance.payback_tolerance: 1e-9 x sum of |net flows|.
    tol_col = len(head)
    ws.write(0, tol_col, "Payback tolerance", fmt["head"])
    ws.write_formula(1, tol_col, f"={PAYBACK_RTOL:.0E}*SUMPRODUCT(ABS(m_net))")
    wb.define_name("m_payback_tol", f"=Monthly!${xl_col_to_name(tol_col)}$2")
    for line_id in (*benefit_ids, *cost_ids):
        wb.define_name(f"m_line_{line_id.replace('.', '_')}", "=" + rng[line_id])
    return [*benefit_ids, *cost_ids]


def _irr_formula(monthly_net: list[float]) -> tuple[str, str]:
    """The Summary's IRR formula, guessing the engine's monthly IRR(s), and a note beside it.

    Excel's and LibreOffice's IRR() start Newton's method at the guess (10 % by default) and
    may end at another root or at none (flows that never pay back); starting at the engine's
    root they find that root. The formula stays live: after an edit IRR() starts from the
    written root. Several roots (not unique): the cell compares IRR() started at the lowest
    and at the highest root and reads "not unique" while they differ.
    """
    analysis = irr_analysis(np.asarray(monthly_net, dtype=np.float64))
    roots = analysis.roots
    if analysis.status == "unique":
        return f'=IFERROR((1+IRR(m_net,{roots[0]!r}))^12-1,"none")', ""
    if analysis.status == "not unique":
        lo, hi = f"IRR(m_net,{roots[0]!r})", f"IRR(m_net,{roots[-1]!r})"
        formula = f'=IFERROR(IF(ABS({lo}-{hi})<=1E-9,(1+{lo})^12-1,"not unique"),"none")'
        return formula, analysis.note + " (at the inputs as written)"
    return '=IFERROR((1+IRR(m_net))^12-1,"none")', analysis.note + " (at the inputs as written)"


def _summary_values(r: BusinessCaseResult) -> dict[str, float | str]:
    """The Summary formulas' results as the engine computes them (text where they give text)."""
    irr: float | str = r.irr if r.irr is not None else r.irr_status
    return {
        "total_benefits": r.total_benefits,
        "total_costs": r.total_costs,
        "net_benefit": r.net_benefit,
        "roi": r.roi if r.roi is not None else "n/a",
        "pv_benefits": r.pv_benefits,
        "pv_costs": r.pv_costs,
        "npv": r.npv,
        "benefit_cost_ratio": r.benefit_cost_ratio if r.benefit_cost_ratio is not None else "n/a",
        "irr": irr,
        "payback_month": r.payback_month if r.payback_month is not None else "never",
    }


def _write_summary(
    ws: Any,
    fmt: dict[str, Any],
    inputs: BusinessCaseInputs,
    line_ids: list[str],
    result: BusinessCaseResult,
) -> None:
    ws.set_column(0, 0, 34)
    ws.set_column(1, 3, 18)
    ws.write(0, 0, inputs.name, fmt["bold"])
    ws.write(0, 1, f"currency: {inputs.currency}")
    irr_formula, irr_note = _irr_formula(result.monthly_net)
    formulas = {
        "total_benefits": "=SUM(m_benefits)",
        "total_costs": "=SUM(m_costs)",
        "net_benefit": "=B3-B4",
        "roi": '=IF(B4>0,(B3-B4)/B4,"n/a")',
        "pv_benefits": "=SUMPRODUCT(m_benefits,m_df)",
        "pv_costs": "=SUMPRODUCT(m_costs,m_df)",
        "npv": "=B7-B8",
        "benefit_cost_ratio": '=IF(B8>0,B7/B8,"n/a")',
        "irr": irr_formula,
        "payback_month": '=IF(MIN(m_payback)>=1E+9,"never",MIN(m_payback))',
    }
    shown = _summary_values(result)
    for key, cell in SUMMARY_CELLS.items():
        row = int(cell[1:]) - 1
        ws.write(row, 0, key)
        style = fmt["pct"] if key in ("roi", "irr") else fmt["calc"]
        ws.write_formula(
            row, 1, formulas[key], fmt["int"] if key == "payback_month" else style, shown[key]
        )
    if irr_note:
        ws.write(int(SUMMARY_CELLS["irr"][1:]) - 1, 2, irr_note)
    ws.write_row(LINES_ROW - 1, 0, ["Line", "Total", "Present value"], fmt["head"])
    for i, line_id in enumerate(line_ids):
        name = f"m_line_{line_id.replace('.', '_')}"
        ws.write(LINES_ROW + i, 0, line_id)
        line = next((x for x in result.lines if x.id == line_id), None)
        total, pv = (line.total, line.present_value) if line is not None else (0, 0)
        ws.write_formula(LINES_ROW + i, 1, f"=SUM({name})", fmt["calc"], total)
        ws.write_formula(LINES_ROW + i, 2, f"=SUMPRODUCT({name},m_df)", fmt["calc"], pv)
