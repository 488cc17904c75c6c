"""The business case: a portal's forecast benefits and costs, with uncertainty.

Follows the six-step method (company figures, lifetime and churn, customer base with and
without the portal, running costs, costs it reduces, initial investment) and the European
Commission's cost-benefit analysis guide (2014) for the financial analysis (discounted cash
flow at a 4 % real financial discount rate). Pure functions over a validated
:class:`BusinessCaseInputs`; the CLI, Excel export and report all call them.

Examples
--------
>>> from portalroi.businesscase import evaluate, example_inputs
>>> result = evaluate(example_inputs())
>>> result.currency
'USD'
"""

from __future__ import annotations

from portalroi.businesscase.engine import (
    CONVENTIONS,
    BusinessCaseResult,
    LineResult,
    dso_cash_freed,
    evaluate,
)
from portalroi.businesscase.example import example_inputs, example_inputs_yaml
from portalroi.businesscase.excel import write_excel
from portalroi.businesscase.inputs import BusinessCaseInputs, load_inputs, parse_inputs
from portalroi.businesscase.process import process_saving
from portalroi.businesscase.report import render_html, write_html, write_pdf
from portalroi.businesscase.uncertainty import (
    MonteCarloResult,
    SwitchingValue,
    TornadoBar,
    scenarios,
    simulate_uncertainty,
    switching_values,
    tornado,
)

__all__ = [
    "CONVENTIONS",
    "BusinessCaseInputs",
    "BusinessCaseResult",
    "LineResult",
    "MonteCarloResult",
    "SwitchingValue",
    "TornadoBar",
    "dso_cash_freed",
    "evaluate",
    "example_inputs",
    "example_inputs_yaml",
    "load_inputs",
    "parse_inputs",
    "process_saving",
    "render_html",
    "scenarios",
    "simulate_uncertainty",
    "switching_values",
    "tornado",
    "write_excel",
    "write_html",
    "write_pdf",
]
