"""Configuration of the company simulator: sizes, calendar, roll-out and the known true effects.

Examples
--------
>>> cfg = SimConfig.preset("tiny", seed=3)
>>> cfg.n_accounts, cfg.seed
(60, 3)
>>> SimConfig(effects=TrueEffects(deflection_share=0.0)).effects.deflection_share
0.0
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["PRESETS", "SimConfig", "SizeName", "TrueEffects"]

SizeName = Literal["tiny", "default", "large"]


class TrueEffects(BaseModel):
    """The portal's true effects: parameters of the simulation, each may be zero.

    Every effect applies only to an account whose portal is live (``portal_live_at`` at or
    before the time of the ticket, month, invoice or order). "Engaged" accounts are the live
    accounts whose users actually use the portal (a latent per-account flag, visible in the
    event volume).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    deflection_share: float = Field(
        0.25,
        ge=0,
        le=0.9,
        description="Fraction of the would-be tickets of a live, engaged account that never "
        "reach the helpdesk because the user self-serves.",
    )
    self_service_event_share: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Fraction of deflected tickets that leave a `self_service_resolved` event.",
    )
    churn_hazard_ratio: float = Field(
        0.7,
        gt=0,
        le=3,
        description="Multiplier on the monthly churn hazard of a live, engaged account "
        "(1 = no effect).",
    )
    dso_reduction_days: float = Field(
        6.0,
        ge=0,
        le=30,
        description="Days by which an invoice issued to a live account is paid earlier.",
    )
    csat_change: float = Field(
        0.2,
        ge=-2,
        le=2,
        description="Change of the latent 1-5 CSAT of tickets from live accounts (before "
        "rounding and clipping to 1..5).",
    )
    order_volume_uplift: float = Field(
        0.05,
        ge=-0.5,
        le=2,
        description="Relative increase of the monthly order rate of a live account.",
    )
    order_value_uplift: float = Field(
        0.02,
        ge=-0.5,
        le=2,
        description="Relative increase of the mean order value of a live account.",
    )

    @classmethod
    def none(cls) -> TrueEffects:
        """All effects switched off (a portal that changes nothing)."""
        return cls(
            deflection_share=0.0,
            churn_hazard_ratio=1.0,
            dso_reduction_days=0.0,
            csat_change=0.0,
            order_volume_uplift=0.0,
            order_value_uplift=0.0,
        )


class SimConfig(BaseModel):
    """Everything that shapes a simulated company; the seed makes a run reproducible."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int = Field(42, description="Seed of numpy's default_rng; same seed, same data.")
    size: SizeName = Field("default", description="Name of the preset the sizes came from.")
    start: date = Field(date(2022, 1, 1), description="First day simulated.")
    end: date = Field(date(2024, 12, 31), description="Last day simulated (inclusive).")
    n_accounts: int = Field(400, ge=5, description="Customer accounts at or after the start.")
    late_join_share: float = Field(
        0.2, ge=0, le=0.9, description="Share of accounts that become customers during the period."
    )
    users_per_seat: float = Field(
        0.5, gt=0, le=2, description="Portal users created per licensed seat."
    )
    golive_start_month: int = Field(
        12, ge=1, description="Months after `start` when the first account goes live."
    )
    golive_window_months: int = Field(
        12, ge=1, description="Months over which the roll-out is staggered."
    )
    never_live_share: float = Field(
        0.2, ge=0, le=0.95, description="Share of accounts that never go live."
    )
    engaged_share: float = Field(
        0.8, ge=0, le=1, description="Share of live accounts whose users really use the portal."
    )
    selection_strength: float = Field(
        1.0,
        ge=0,
        description="How strongly healthier, larger accounts go live first (0 = random order).",
    )
    tickets_per_account_month: float = Field(
        4.0, gt=0, description="Mean would-be tickets per account-month at the start."
    )
    ticket_trend_per_month: float = Field(
        0.01, description="Secular drift of the ticket rate per month (log scale)."
    )
    sessions_per_user_day: float = Field(
        0.13, gt=0, description="Median portal sessions per engaged user and weekday."
    )
    events: bool = Field(True, description="Generate portal events (False: skip, much faster).")
    currency: str = Field("USD", description="Currency of every amount.")
    effects: TrueEffects = Field(default_factory=TrueEffects)
    intervention_effect: float = Field(
        0.3,
        ge=0,
        le=2,
        description="Relative increase of an account's weekly active users in the 13 weeks "
        "after a customer-success training (0 = trainings change nothing). Interventions are "
        "drawn from their own random stream, so every other table is the same for any value.",
    )

    @model_validator(mode="after")
    def _check_calendar(self) -> SimConfig:
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        if months < 12:
            raise ValueError("the simulated period must cover at least 12 months")
        if self.golive_start_month >= months:
            raise ValueError("golive_start_month must fall inside the simulated period")
        return self

    @property
    def n_months(self) -> int:
        """Calendar months from `start` to `end`, both included."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @classmethod
    def preset(cls, size: SizeName = "default", **overrides: object) -> SimConfig:
        """A preset size with ``overrides`` on top (e.g. ``seed=7`` or ``events=False``)."""
        values: dict[str, object] = {**PRESETS[size], "size": size, **overrides}
        return cls.model_validate(values)


#: Sizes: ``tiny`` for tests that run the simulator many times, ``default`` for
#: ``portalroi demo``; ``large`` only names the streamed benchmark set (see ``generate_large``).
PRESETS: dict[str, dict[str, object]] = {
    "tiny": {"n_accounts": 60, "users_per_seat": 0.25, "sessions_per_user_day": 0.1},
    "default": {"n_accounts": 400},
    "large": {"n_accounts": 2000},
}
