"""Alert rules as data: five kinds, validated with errors that name the field.

A rule file is YAML (or JSON) with a list under ``rules:`` (a bare list, or one rule mapping,
also works). Every problem of every rule is reported together, each located as
``rules[2].window_days``.

Kinds
-----
``health_band``
    an account's health band is ``band`` (e.g. ``at_risk``), or its score is ``below`` a value.
``metric_change``
    a metric of the registry falls (or rises) by more than ``pct`` % between the last
    ``window_days`` days and the ``window_days`` days before, per account or portal-wide.
``metric_threshold``
    a metric over the last ``window_days`` days is ``above`` / ``below`` ``value``.
``spike``
    a daily count (:data:`COUNTS`) over the last ``window_days`` days against the trailing
    ``baseline_days`` days, as a ratio to the baseline mean or as a z-score.
``topic_surge``
    a ticket topic's volume in the last ``window_days`` days against its trailing baseline.

Examples
--------
>>> rules = parse_rules({"rules": [{"name": "At risk", "kind": "health_band", "band": "at_risk"}]})
>>> rules[0].kind, rules[0].band
('health_band', 'at_risk')
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from portalroi.errors import ConfigError, Issue, ValidationError
from portalroi.reports.mail import ONE_LINE

__all__ = [
    "COUNTS",
    "AlertRule",
    "HealthBandRule",
    "MetricChangeRule",
    "MetricThresholdRule",
    "SpikeRule",
    "TopicSurgeRule",
    "load_rules",
    "parse_rule",
    "parse_rules",
    "windowed_metrics",
]

#: Daily counts a ``spike`` rule can watch: name -> (table, time column, SQL filter).
COUNTS: dict[str, tuple[str, str, str]] = {
    "zero_result_searches": ("events", "ts", "event_type = 'search' AND result_count = 0"),
    "searches": ("events", "ts", "event_type = 'search'"),
    "logins": ("events", "ts", "event_type = 'login'"),
    "events": ("events", "ts", "TRUE"),
    "tickets": ("tickets", "created_at", "TRUE"),
    "escalated_tickets": ("tickets", "created_at", "escalated"),
}

_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Scope = Literal["account", "portal"]


def windowed_metrics() -> list[str]:
    """Registry metrics a rule can watch: daily (averaged over the window) or monthly ones.

    Examples
    --------
    >>> "zero_result_rate" in windowed_metrics(), "retention_cohorts" in windowed_metrics()
    (True, False)
    """
    from portalroi.metrics import METRICS

    return [m.name for m in METRICS.values() if m.grain in ("day", "month")]


class _Rule(BaseModel):
    """Fields every rule has: name, tenant, channels and re-notification."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        min_length=1,
        max_length=200,
        pattern=ONE_LINE,
        description="Shown in messages and lists (one line: no control characters).",
    )
    org_id: str | None = Field(
        None,
        max_length=200,
        description="Organisation whose accounts the rule watches (None: every account).",
    )
    email: list[Annotated[str, Field(pattern=_EMAIL, max_length=320)]] = Field(
        default_factory=list, max_length=100, description="Recipients of the alert e-mail."
    )
    webhook_url: str | None = Field(
        None,
        max_length=2000,
        pattern=r"^https?://\S+$",
        description="URL that gets an HTTP POST of the signed JSON payload.",
    )
    webhook_secret: str | None = Field(
        None,
        min_length=8,
        max_length=500,
        description="Shared secret of the webhook signature (default: setting secret_key).",
    )
    renotify_days: float | None = Field(
        None,
        gt=0,
        description="Fire again after this many days while the condition still holds "
        "(default: only when it becomes true again after clearing).",
    )
    enabled: bool = True


class HealthBandRule(_Rule):
    """An account's health band is ``band``, or its health score is below ``below``."""

    kind: Literal["health_band"]
    band: Literal["at_risk", "neutral", "healthy"] | None = None
    below: float | None = Field(None, gt=0, le=100)

    @model_validator(mode="after")
    def _one_condition(self) -> HealthBandRule:
        if (self.band is None) == (self.below is None):
            raise ValueError("give exactly one of band or below")
        return self


def _check_metric(name: str) -> str:
    allowed = windowed_metrics()
    if name not in allowed:
        raise ValueError(
            f"unknown or non-windowed metric {name!r}; one of: {', '.join(sorted(allowed))}"
        )
    return name


class MetricChangeRule(_Rule):
    """A metric falls / rises by more than ``pct`` % between two windows of ``window_days``."""

    kind: Literal["metric_change"]
    metric: str
    direction: Literal["fall", "rise"] = "fall"
    pct: float = Field(gt=0, le=10_000, description="Relative change in percent.")
    window_days: int = Field(30, ge=1, le=365)
    scope: Scope = "account"
    min_base: float = Field(
        0.0, ge=0, description="Skip groups whose earlier value is not above this."
    )

    _metric = field_validator("metric")(_check_metric)


class MetricThresholdRule(_Rule):
    """A metric over the last ``window_days`` days is above / below ``value``."""

    kind: Literal["metric_threshold"]
    metric: str
    op: Literal["above", "below"]
    value: float
    window_days: int = Field(30, ge=1, le=365)
    scope: Scope = "account"

    _metric = field_validator("metric")(_check_metric)


class SpikeRule(_Rule):
    """A daily count over the last ``window_days`` days against its trailing baseline."""

    kind: Literal["spike"]
    count: Literal[
        "zero_result_searches", "searches", "logins", "events", "tickets", "escalated_tickets"
    ]
    method: Literal["ratio", "zscore"] = "ratio"
    threshold: float = Field(gt=0, description="Ratio to the baseline mean, or z-score.")
    window_days: int = Field(1, ge=1, le=90)
    baseline_days: int = Field(28, ge=2, le=730)
    min_count: int = Field(1, ge=0, description="Ignore windows with fewer than this many.")
    scope: Scope = "portal"

    @model_validator(mode="after")
    def _baseline(self) -> SpikeRule:
        if self.baseline_days < 2 * self.window_days:
            raise ValueError("baseline_days must be at least twice window_days")
        return self


class TopicSurgeRule(_Rule):
    """A ticket topic's count in the last ``window_days`` vs its mean over the baseline."""

    kind: Literal["topic_surge"]
    topics: Literal["discovered", "category"] = Field(
        "discovered",
        description="Topics found in the ticket texts (TF-IDF + NMF) or the category column.",
    )
    k: int | None = Field(
        None,
        ge=2,
        le=50,
        description="Number of discovered topics (default: from the number of tickets).",
    )
    ratio: float = Field(2.0, gt=1, description="Recent count / baseline mean per window.")
    window_days: int = Field(7, ge=1, le=90)
    baseline_days: int = Field(56, ge=2, le=730)
    min_count: int = Field(5, ge=1, description="Ignore topics with fewer recent tickets.")

    @model_validator(mode="after")
    def _baseline(self) -> TopicSurgeRule:
        if self.baseline_days < self.window_days:
            raise ValueError("baseline_days must be at least window_days")
        return self


AlertRule = Annotated[
    HealthBandRule | MetricChangeRule | MetricThresholdRule | SpikeRule | TopicSurgeRule,
    Field(discriminator="kind"),
]
_ADAPTER: TypeAdapter[Any] = TypeAdapter(AlertRule)
_LIST: TypeAdapter[list[Any]] = TypeAdapter(list[AlertRule])


def _issues(exc: PydanticValidationError, prefix: str) -> list[Issue]:
    out = []
    for err in exc.errors():
        parts = [prefix] if prefix else []
        for p in err["loc"]:
            if isinstance(p, int):
                parts[-1 if parts else 0 :] = [f"{parts[-1] if parts else ''}[{p}]"]
            elif p not in _KIND_TAGS:
                parts.append(str(p))
        loc = ".".join(parts) or "rule"
        value = err.get("input") if err["type"] != "missing" else None
        shown = value if isinstance(value, str | int | float | bool) else None
        out.append(Issue(loc, err["msg"].removeprefix("Value error, "), shown))
    return out


_KIND_TAGS = {"health_band", "metric_change", "metric_threshold", "spike", "topic_surge"}


def parse_rule(data: object, origin: str = "rule") -> Any:
    """One rule from a mapping; :class:`~portalroi.errors.ValidationError` names each bad field.

    Examples
    --------
    >>> parse_rule({"name": "x", "kind": "spike", "count": "tickets", "threshold": 3}).window_days
    1
    >>> try:
    ...     parse_rule({"name": "x", "kind": "spike", "count": "tickets", "threshold": -1})
    ... except ValidationError as exc:
    ...     print(exc.issues[0].location)
    rule.threshold
    """
    try:
        return _ADAPTER.validate_python(data)
    except PydanticValidationError as exc:
        raise ValidationError(f"invalid alert {origin}", _issues(exc, origin)) from exc


def parse_rules(data: object, origin: str = "") -> list[Any]:
    """Rules from ``{"rules": [...]}``, a list of rules, or one rule mapping.

    Examples
    --------
    >>> try:
    ...     parse_rules({"rules": [{"name": "x", "kind": "nope"}]})
    ... except ValidationError as exc:
    ...     print(exc.issues[0].location)
    rules[0]
    """
    prefix = f"{origin}: " if origin else ""
    if isinstance(data, dict) and "rules" in data:
        extra = sorted(set(data) - {"rules"})
        if extra:
            raise ValidationError(
                f"{prefix}invalid alert rules",
                [Issue(k, "unknown key (a rule file holds only 'rules')") for k in extra],
            )
        data = data["rules"]
    elif isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ValidationError(
            f"{prefix}invalid alert rules", [Issue("rules", "must be a list of rules")]
        )
    try:
        return _LIST.validate_python(data)
    except PydanticValidationError as exc:
        raise ValidationError(f"{prefix}invalid alert rules", _issues(exc, "rules")) from exc


def load_rules(path: str | Path) -> list[Any]:
    """Rules from a YAML (or JSON) file; every problem is reported with its path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "rules.yaml"
    >>> _ = p.write_text("rules:\\n  - {name: Risk, kind: health_band, below: 40}\\n")
    >>> load_rules(p)[0].below
    40.0
    """
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read rules ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not valid YAML ({exc})") from exc
    return parse_rules(data, origin=str(file))
