"""Health-score configuration: components, their signals, thresholds, weights and bands.

A health score is built from *components* (engagement, product adoption, support friction,
sentiment, billing). Each component holds *signals*; a signal reads one account feature (see
:data:`portalroi.health.features.FEATURES`) and turns it into 0-100 points by straight-line
interpolation between a ``bad`` value (0 points) and a ``good`` value (100 points), clipped at
both ends. ``bad`` may lie above ``good`` (more tickets is worse). Weights are relative: they are
normalised over the signals (and components) that have a value for the account.

Examples
--------
>>> cfg = HealthConfig.default()
>>> sorted(cfg.components)
['adoption', 'billing', 'engagement', 'sentiment', 'support']
>>> cfg.components["support"].signals["tickets_per_seat_90d"].points(1.1)
50.0
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from portalroi.errors import ConfigError, Issue, ValidationError

__all__ = ["Bands", "Component", "HealthConfig", "Signal", "load_config"]


class Signal(BaseModel):
    """One feature turned into 0-100 points between a bad and a good value."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bad: float = Field(description="Feature value worth 0 points (and anything worse).")
    good: float = Field(description="Feature value worth 100 points (and anything better).")
    weight: float = Field(1.0, gt=0, description="Relative weight inside the component.")

    @model_validator(mode="after")
    def _distinct(self) -> Signal:
        if self.bad == self.good:
            raise ValueError("bad and good must differ")
        return self

    def points(self, value: float | None) -> float | None:
        """Points for ``value``: 0 at ``bad``, 100 at ``good``, linear between, clipped.

        Examples
        --------
        >>> Signal(bad=0.0, good=0.5).points(0.1)
        20.0
        >>> Signal(bad=10, good=0).points(15), Signal(bad=10, good=0).points(None) is None
        (0.0, True)
        """
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        share = (float(value) - self.bad) / (self.good - self.bad)
        return round(100.0 * min(1.0, max(0.0, share)), 10)


class Component(BaseModel):
    """A group of signals with a weight in the overall score."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weight: float = Field(gt=0, description="Relative weight in the overall score.")
    description: str = Field("", description="What the component measures.")
    signals: dict[str, Signal] = Field(min_length=1, description="Feature name -> signal.")


class Bands(BaseModel):
    """Score cut-offs: ``>= healthy`` is healthy, ``< at_risk`` is at risk, else neutral."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    healthy: float = Field(70.0, ge=0, le=100)
    at_risk: float = Field(40.0, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.at_risk > self.healthy:
            raise ValueError("at_risk must not exceed healthy")
        return self

    def band(self, score: float) -> str:
        """Band name of a score.

        Examples
        --------
        >>> Bands().band(70.0), Bands().band(55.0), Bands().band(39.9)
        ('healthy', 'neutral', 'at_risk')
        """
        if score >= self.healthy:
            return "healthy"
        return "at_risk" if score < self.at_risk else "neutral"


class HealthConfig(BaseModel):
    """Everything that shapes the transparent health score."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    components: dict[str, Component] = Field(min_length=1)
    bands: Bands = Field(default_factory=Bands)
    trend_days: int = Field(
        90, ge=1, description="The trend compares the score with the score this many days before."
    )
    trend_flat_within: float = Field(
        5.0, ge=0, description="A change of at most this many points is reported as flat."
    )

    @model_validator(mode="after")
    def _known_features(self) -> HealthConfig:
        from portalroi.health.features import FEATURES

        unknown = [
            f"components.{c}.signals.{s}"
            for c, comp in self.components.items()
            for s in comp.signals
            if s not in FEATURES
        ]
        if unknown:
            raise ValueError(
                f"unknown feature(s) {', '.join(unknown)}; known: {', '.join(sorted(FEATURES))}"
            )
        return self

    @classmethod
    def default(cls) -> HealthConfig:
        """The default configuration (see ``docs/health.md`` for the reasoning)."""
        return cls.model_validate(DEFAULT_CONFIG)


#: The default components, thresholds and weights (also the shape of a ``health.yaml``).
DEFAULT_CONFIG: dict[str, Any] = {
    "components": {
        "engagement": {
            "weight": 0.25,
            "description": "Are people using the portal, and is use holding up?",
            "signals": {
                "active_user_share": {"bad": 0.05, "good": 0.6},
                "usage_trend": {"bad": -0.5, "good": 0.0},
            },
        },
        "adoption": {
            "weight": 0.15,
            "description": "How much of the product and of the licence is used.",
            "signals": {
                "feature_breadth": {"bad": 1, "good": 10},
                "seat_utilisation": {"bad": 0.1, "good": 0.5},
            },
        },
        "support": {
            "weight": 0.25,
            "description": "Support friction: ticket load, its trend, escalations, open cases.",
            "signals": {
                "tickets_per_seat_90d": {"bad": 2.0, "good": 0.2},
                "ticket_trend": {"bad": 1.0, "good": 0.0},
                "escalation_share_90d": {"bad": 0.2, "good": 0.0},
                "open_tickets": {"bad": 5, "good": 0},
            },
        },
        "sentiment": {
            "weight": 0.20,
            "description": "What customers say: ticket CSAT and NPS.",
            "signals": {
                "csat_avg": {"bad": 3.0, "good": 4.5},
                "nps_avg": {"bad": 5.0, "good": 9.0, "weight": 1.5},
            },
        },
        "billing": {
            "weight": 0.15,
            "description": "Paying on time and without disputes.",
            "signals": {
                "days_to_pay": {"bad": 50, "good": 25},
                "late_invoice_share": {"bad": 1.0, "good": 0.2},
                "disputes_365d": {"bad": 2, "good": 0},
            },
        },
    },
    "bands": {"healthy": 70, "at_risk": 40},
    "trend_days": 90,
    "trend_flat_within": 5,
}


def _issues(exc: PydanticValidationError, origin: str) -> list[Issue]:
    return [
        Issue(f"{origin}: {'.'.join(str(p) for p in err['loc']) or '(top)'}", err["msg"])
        for err in exc.errors()
    ]


def load_config(path: str | Path | None = None) -> HealthConfig:
    """Read a health configuration from YAML; ``None`` gives :meth:`HealthConfig.default`.

    Every problem is reported together, each with its YAML path (``components.billing.weight``).

    Examples
    --------
    >>> load_config().bands.healthy
    70.0
    """
    if path is None:
        return HealthConfig.default()
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read health config ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: a health config must be a YAML mapping")
    try:
        return HealthConfig.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(f"{file}: invalid health config", _issues(exc, str(file))) from exc
