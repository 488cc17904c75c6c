"""The business-case editor: a few key figures from a form, laid over the example inputs.

The form edits the *likely* value of each figure; a figure given as a range keeps its range
(widened when the new value falls outside it), so Monte Carlo and tornado still have one.
Everything else comes from :func:`portalroi.businesscase.example_inputs_yaml`, and the result
is :func:`portalroi.businesscase.evaluate` of the validated inputs.

Examples
--------
>>> inputs = inputs_from_form({"tickets_per_month": "2000"})
>>> inputs.benefits.deflection.tickets_per_month.likely
2000.0
>>> form_defaults()["customers"]
200.0
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import yaml

from portalroi.businesscase import (
    BusinessCaseInputs,
    BusinessCaseResult,
    example_inputs_yaml,
    parse_inputs,
)
from portalroi.errors import InputsError, Issue
from portalroi.reports.charts import bar_line_spec, cumulative_spec
from portalroi.reports.i18n import format_currency, text
from portalroi.web.i18n_strings import t
from portalroi.web.model import Kpi, fmt_value

__all__ = ["FIELDS", "bc_charts", "bc_kpis", "form_defaults", "inputs_from_form"]

#: Form field -> path in the inputs document.
FIELDS: dict[str, tuple[str, ...]] = {
    "annual_revenue": ("company", "annual_revenue"),
    "customers": ("company", "customers"),
    "annual_churn": ("company", "annual_churn"),
    "tickets_per_month": ("benefits", "deflection", "tickets_per_month"),
    "deflection_share": ("benefits", "deflection", "deflection_share"),
    "cost_per_ticket": ("benefits", "deflection", "cost_per_ticket"),
    "licence_monthly": ("costs", "licence", "amount"),
    "implementation": ("costs", "implementation", "amount"),
    "discount_rate": ("discount_rate",),
    "horizon_years": ("horizon_years",),
}
_INTEGER = {"horizon_years"}
CURRENCIES = ("USD", "EUR", "SEK")


def _example() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(example_inputs_yaml())
    return doc


def _get(doc: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = doc
    for key in path:
        node = node[key]
    return node


def form_defaults() -> dict[str, float]:
    """The form's starting values: the example's likely figures."""
    doc = _example()
    out: dict[str, float] = {}
    for name, path in FIELDS.items():
        value = _get(doc, path)
        out[name] = float(value["likely"] if isinstance(value, dict) else value)
    return out


def _number(name: str, raw: str) -> float | int:
    try:
        value = float(raw.replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except ValueError:
        raise InputsError(
            "business-case form is invalid", [Issue(".".join(FIELDS[name]), "not a number", raw)]
        ) from None
    return int(value) if name in _INTEGER and value.is_integer() else value


def inputs_from_form(form: Mapping[str, str]) -> BusinessCaseInputs:
    """Validated inputs: the example with the form's figures (and ``currency``) laid over it.

    Raises :class:`~portalroi.errors.InputsError` naming every bad field by its inputs path.

    Examples
    --------
    >>> inputs_from_form({"annual_churn": "1.5"})
    Traceback (most recent call last):
    ...
    portalroi.errors.InputsError: business-case form is invalid: company.annual_churn: ...
    """
    doc = copy.deepcopy(_example())
    issues: list[Issue] = []
    for name, path in FIELDS.items():
        raw = (form.get(name) or "").strip()
        if not raw:
            continue
        try:
            value = _number(name, raw)
        except InputsError as exc:
            issues.extend(exc.issues)
            continue
        parent = _get(doc, path[:-1]) if len(path) > 1 else doc
        old = parent.get(path[-1])
        if isinstance(old, dict) and isinstance(value, float):
            parent[path[-1]] = {
                "low": min(float(old["low"]), value),
                "likely": value,
                "high": max(float(old["high"]), value),
            }
        else:
            parent[path[-1]] = value
    currency = form.get("currency")
    if currency:
        doc["currency"] = currency
    try:
        inputs = parse_inputs(doc, origin="business-case form")
    except InputsError as exc:
        issues.extend(exc.issues)
    if issues:
        raise InputsError("business-case form is invalid", issues)
    return inputs


def bc_kpis(result: BusinessCaseResult, lang: str) -> list[Kpi]:
    """The headline figures of an evaluated business case."""
    cur = result.currency

    def money(v: float) -> str:
        return format_currency(v, cur, lang, 0)

    never = text("never", lang)
    return [
        Kpi(t("total_benefits", lang), money(result.total_benefits)),
        Kpi(t("total_costs", lang), money(result.total_costs)),
        Kpi(t("net_benefit", lang), money(result.net_benefit), good=result.net_benefit > 0),
        Kpi(t("roi", lang), "–" if result.roi is None else fmt_value(result.roi, "ratio", lang)),
        Kpi(t("npv", lang), money(result.npv), good=result.npv > 0),
        Kpi(
            t("irr", lang),
            (text("not_unique", lang) if result.irr_status == "not unique" else "–")
            if result.irr is None
            else fmt_value(result.irr, "ratio", lang),
        ),
        Kpi(
            text("payback", lang),
            never if result.payback_month is None else str(result.payback_month),
        ),
        Kpi(
            text("bcr", lang),
            "–"
            if result.benefit_cost_ratio is None
            else fmt_value(result.benefit_cost_ratio, "x", lang),
        ),
    ]


def bc_charts(result: BusinessCaseResult, lang: str) -> dict[str, dict[str, Any]]:
    """Cash flow per year and the cumulative net benefit (the report's chart builders)."""
    # Year 0 holds the one-off costs (month 0), as in the business-case report.
    years = [f"{text('year', lang)} {i}" for i in range(result.horizon_years + 1)]
    yearly = bar_line_spec(
        years,
        {
            text("benefits", lang): result.yearly_benefits,
            text("costs", lang): [-c for c in result.yearly_costs],
            text("net", lang): result.yearly_net,
        },
        title=text("cash_flow", lang),
        x_title=text("year", lang),
        y_title=result.currency,
    )
    cumulative = cumulative_spec(
        result.months,
        result.cumulative_net,
        payback_month=result.payback_month,
        payback_label=text("payback", lang),
        title=text("cumulative_net", lang),
        x_title=text("month", lang),
        y_title=result.currency,
    )
    for spec in (yearly, cumulative):
        spec["width"] = "container"
        spec["height"] = 220
        spec["autosize"] = {"type": "fit", "contains": "padding"}
    return {"cash_flow": yearly, "cumulative_net": cumulative}
