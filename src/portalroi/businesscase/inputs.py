"""The business-case inputs model, loaded from YAML and validated in one pass.

Every problem (negative count, churn above 100 %, low > likely > high, missing required figure,
unknown key) is collected and raised together as one :class:`~portalroi.errors.InputsError`,
each issue named by its YAML path (``benefits.deflection.cost_per_ticket.low``).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Literal, TypeVar

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from portalroi.businesscase.defaults import DEFAULTS, SOURCES
from portalroi.businesscase.ranges import Amount, Range, Share
from portalroi.errors import InputsError, Issue

__all__ = [
    "AdoptionRamp",
    "BenefitLines",
    "BusinessCaseInputs",
    "Company",
    "CostLine",
    "CostLines",
    "ProcessMap",
    "ProcessStep",
    "load_inputs",
    "parse_inputs",
]

R = TypeVar("R", bound=Range)


def _default(key: str, kind: type[R]) -> Any:
    (low, likely, high), _source = DEFAULTS[key]
    return Field(
        default_factory=lambda: kind(low=low, likely=likely, high=high),
        description=f"default {likely:g}: {_source}",
    )


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Company(_Model):
    """The company's current figures (six-step method, steps 1-3)."""

    annual_revenue: float = Field(ge=0, description="Revenue per year.")
    customers: float = Field(gt=0, description="Number of customers today.")
    annual_churn: float = Field(
        gt=0, le=1, description="Share of customers lost per year (0.27 = 27 %)."
    )
    new_customers_per_year: float = Field(ge=0, description="Customers won per year.")
    sales_marketing_cost: float = Field(ge=0, description="Sales and marketing cost per year.")
    cost_to_acquire_customer: float | None = Field(
        default=None, ge=0, description="Default: sales & marketing cost / new customers."
    )
    gross_margin_new: float = Field(ge=0, le=1, description="Gross margin on new customers.")
    gross_margin_existing: float = Field(
        ge=0, le=1, description="Gross margin on existing customers."
    )


class _Line(_Model):
    source: str = Field(default="", description="Where this line's figures come from.")
    risk_adjustment: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        description="Forrester-TEI style risk adjustment: benefits are cut by this share.",
    )


class Deflection(_Line):
    """Tickets per month × deflection share × cost per ticket × 12."""

    tickets_per_month: Amount
    deflection_share: Share = _default("deflection.deflection_share", Share)
    cost_per_ticket: Amount | None = Field(
        default=None, description="Default: support_cost_per_year / tickets, else $10."
    )
    support_cost_per_year: Amount | None = None


class AgentTime(_Line):
    """Tickets per month × minutes saved per ticket / 60 × agent hourly cost × 12."""

    tickets_per_month: Amount
    minutes_saved_per_ticket: Amount
    agent_hourly_cost: Amount


class AdminHours(_Line):
    """Hours saved per week × hourly rate × 52."""

    hours_per_week: Amount = _default("admin_hours.hours_per_week", Amount)
    hourly_rate: Amount = _default("admin_hours.hourly_rate", Amount)


class Dso(_Line):
    """Cash freed = daily billing × days less DSO, valued at the cost of capital per year."""

    monthly_billing: Amount | None = Field(default=None, description="Default: revenue / 12.")
    days_reduced: Amount = _default("dso.days_reduced", Amount)
    cost_of_capital: Share | None = Field(default=None, description=SOURCES["dso.cost_of_capital"])
    day_convention: Literal["365-day year", "30-day month"] = Field(
        default="365-day year",
        description="Daily billing = monthly × 12 / 365, or monthly / 30.",
    )


class Clv(_Line):
    """Customers × annual value per customer × CLV uplift × margin."""

    customers: Amount | None = Field(default=None, description="Default: company customers.")
    annual_value_per_customer: Amount | None = Field(
        default=None, description="Default: revenue / customers."
    )
    uplift: Share = _default("clv.uplift", Share)
    margin: Share | None = Field(default=None, description="Default: margin on existing.")


class Churn(_Line):
    """Customers kept (with vs without portal) × yearly margin per customer."""

    lifetime_extension_months: Amount = _default("churn.lifetime_extension_months", Amount)
    value_per_customer: Amount | None = Field(
        default=None, description="Default: revenue / customers × margin on existing."
    )


class Consolidation(_Line):
    """Tools and subscriptions the portal replaces, per year."""

    annual_saving: Amount = _default("consolidation.annual_saving", Amount)


class Orders(_Line):
    """Orders per year through the portal × average order value × uplift × margin."""

    orders_per_year: Amount
    average_order_value: Amount
    uplift: Share
    margin: Share | None = Field(default=None, description="Default: margin on existing.")


class BenefitLines(_Model):
    """The benefit lines; a line left out is not counted."""

    deflection: Deflection | None = None
    agent_time: AgentTime | None = None
    admin_hours: AdminHours | None = None
    dso: Dso | None = None
    clv: Clv | None = None
    churn: Churn | None = None
    consolidation: Consolidation | None = None
    orders: Orders | None = None


class CostLine(_Model):
    """One cost of the portal: an amount paid once (month 0), monthly or yearly."""

    amount: Amount
    basis: Literal["one_off", "monthly", "annual"]
    source: str = ""
    risk_adjustment: float = Field(
        default=0.0, ge=0, lt=1, description="TEI risk adjustment: costs are raised by this share."
    )


def _cost_default(key: str, basis: str) -> Any:
    (low, likely, high), source = DEFAULTS[f"{key}.amount"]
    return {
        "amount": {"low": low, "likely": likely, "high": high},
        "basis": basis,
        "source": source,
    }


class CostLines(_Model):
    """The cost lines (total cost of ownership); ``licence: {}`` takes the benchmark default."""

    licence: CostLine | None = None
    implementation: CostLine | None = None
    management: CostLine | None = None
    hosting: CostLine | None = None
    content: CostLine | None = None

    @model_validator(mode="before")
    @classmethod
    def _fill_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        bases = {"licence": "monthly", "implementation": "one_off", "management": "annual"}
        out = dict(data)
        for key, basis in bases.items():
            given = out.get(key)
            if isinstance(given, dict):
                merged = _cost_default(key, basis)
                if "amount" in given:
                    merged["source"] = ""
                elif given.get("basis", basis) != basis:
                    merged["amount"] = _rebased(key, merged["amount"], basis, given["basis"])
                merged.update(given)
                out[key] = merged
        return out


#: Months in one period of each recurring basis.
_MONTHS = {"monthly": 1, "annual": 12}


def _rebased(key: str, amount: dict[str, float], basis: str, wanted: Any) -> dict[str, float]:
    """The benchmark ``amount`` (per ``basis``) per the ``wanted`` basis: a monthly licence
    benchmark given ``basis: annual`` is twelve months' worth, not the monthly figure a year."""
    if basis in _MONTHS and wanted in _MONTHS:
        factor = _MONTHS[wanted] / _MONTHS[basis]
        return {k: v * factor for k, v in amount.items()}
    raise ValueError(
        f"{key}: the benchmark amount is {basis.replace('_', '-')}; with basis {wanted} give "
        "the amount too"
    )


class AdoptionRamp(_Model):
    """Share of customers using the portal, linear between (month, share) points, flat after.

    Before the first point the share is the first point's (not zero); month 0 is always 0.
    """

    points: list[tuple[float, float]] = Field(
        default_factory=lambda: [(0.0, 0.0), (3.0, 0.6), (12.0, 1.0)]
    )
    source: str = SOURCES["adoption"]

    @model_validator(mode="after")
    def _check(self) -> AdoptionRamp:
        problems = []
        months = [m for m, _ in self.points]
        if not self.points:
            problems.append("needs at least one (month, share) point")
        if any(b <= a for a, b in itertools.pairwise(months)):
            problems.append(f"months must increase, got {months}")
        if any(not 0 <= s <= 1 for _, s in self.points):
            problems.append("shares must be between 0 and 1")
        if any(m < 0 for m in months):
            problems.append("months cannot be negative")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class ProcessStep(_Model):
    """One step of a process: minutes of work at an hourly rate plus other cost, times a year."""

    name: str
    minutes: float = Field(ge=0)
    per_year: float = Field(ge=0, description="How often the step happens per year.")
    hourly_rate: float = Field(ge=0)
    other_cost: float = Field(default=0.0, ge=0, description="Other cost per occurrence.")


class ProcessMap(_Model):
    """An old and a new way of doing one task; the yearly saving becomes a benefit line."""

    name: str = Field(pattern=r"^[A-Za-z0-9_]+$")
    old: list[ProcessStep]
    new: list[ProcessStep]
    source: str = ""
    risk_adjustment: float = Field(default=0.0, ge=0, lt=1)


class BusinessCaseInputs(_Model):
    """Everything the business case needs; see ``docs/business-case.md`` for each figure.

    Examples
    --------
    >>> from portalroi.businesscase import example_inputs_yaml
    >>> inputs = parse_inputs(yaml.safe_load(example_inputs_yaml()))
    >>> inputs.currency, inputs.horizon_years
    ('USD', 3)
    """

    name: str = "Customer portal business case"
    currency: Literal["USD", "EUR", "SEK"] = "USD"
    language: Literal["en", "sv"] = "en"
    horizon_years: int = Field(default=3, ge=1, le=20)
    discount_rate: float = Field(default=0.04, ge=0, lt=1, description=SOURCES["discount_rate"])
    company: Company
    adoption: AdoptionRamp = Field(default_factory=AdoptionRamp)
    benefits: BenefitLines = Field(default_factory=BenefitLines)
    processes: list[ProcessMap] = Field(default_factory=list)
    costs: CostLines = Field(default_factory=CostLines)

    @property
    def months(self) -> int:
        """Number of months in the horizon."""
        return 12 * self.horizon_years


def _issues(exc: pydantic.ValidationError) -> list[Issue]:
    issues = []
    for err in exc.errors():
        # Drop pydantic's union-branch tags so the location reads as the YAML path.
        parts = [str(p) for p in err["loc"] if p not in ("Amount", "Share", "function-after")]
        location = ".".join(parts) or "(top level)"
        reason = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            reason = "required figure is missing"
        elif err["type"] == "extra_forbidden":
            reason = "unknown key"
        value = None if err["type"] in ("missing", "extra_forbidden") else err.get("input")
        if isinstance(value, dict):
            value = None
        issues.append(Issue(location, reason, value))
    return issues


def parse_inputs(data: object, origin: str = "inputs") -> BusinessCaseInputs:
    """Validate a mapping (parsed YAML) into :class:`BusinessCaseInputs`.

    Raises :class:`~portalroi.errors.InputsError` listing every problem with its YAML path.

    Examples
    --------
    >>> try:
    ...     parse_inputs({"company": {"customers": -1}})
    ... except InputsError as exc:
    ...     print(exc.issues[0].location)
    company.annual_revenue
    """
    if not isinstance(data, dict):
        raise InputsError(
            f"{origin} must be a mapping of figures", [Issue("(top level)", "not a mapping")]
        )
    try:
        return BusinessCaseInputs.model_validate(data)
    except pydantic.ValidationError as exc:
        raise InputsError(f"{origin} is invalid", _issues(exc)) from None


def load_inputs(path: str | Path) -> BusinessCaseInputs:
    """Read and validate a business-case inputs YAML file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from portalroi.businesscase import example_inputs_yaml
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "case.yaml"
    >>> _ = p.write_text(example_inputs_yaml())
    >>> load_inputs(p).company.customers
    200.0
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputsError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputsError(f"{path} is not valid YAML: {exc}") from None
    return parse_inputs(data, origin=str(path))
