"""Uncertain figures: a low / likely / high range with bounds checked by kind.

A figure in the inputs file is either one number (no uncertainty: low = likely = high) or a
mapping ``{low: .., likely: .., high: ..}``. The subclass says which values are allowed:
:class:`Amount` (money, counts, hours: >= 0) and :class:`Share` (a fraction in [0, 1]).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

__all__ = ["Amount", "Range", "Share"]


class Range(BaseModel):
    """A figure with a low, likely and high value (low <= likely <= high).

    Examples
    --------
    >>> Amount.model_validate(10).likely
    10.0
    >>> Share.model_validate({"low": 0.1, "likely": 0.25, "high": 0.5}).high
    0.5
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Smallest and largest allowed value (``None``: unbounded) and the words used in errors.
    lower: ClassVar[float | None] = None
    upper: ClassVar[float | None] = None
    kind: ClassVar[str] = "number"

    low: float
    likely: float
    high: float

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, data: Any) -> Any:
        # One number means "no uncertainty"; booleans are refused (YAML turns yes/no into bools).
        if isinstance(data, bool):
            raise ValueError("expected a number or {low, likely, high}, got a boolean")
        if isinstance(data, int | float):
            return {"low": data, "likely": data, "high": data}
        return data

    @model_validator(mode="after")
    def _check(self) -> Range:
        problems = []
        for name in ("low", "likely", "high"):
            value = getattr(self, name)
            if self.lower is not None and value < self.lower:
                problems.append(f"{name} must be >= {self.lower:g} ({self.kind}), got {value:g}")
            if self.upper is not None and value > self.upper:
                problems.append(f"{name} must be <= {self.upper:g} ({self.kind}), got {value:g}")
        if not self.low <= self.likely <= self.high:
            problems.append(
                f"needs low <= likely <= high, got {self.low:g} / {self.likely:g} / {self.high:g}"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def value(self, which: str) -> float:
        """The ``low``, ``likely`` or ``high`` value."""
        return float(getattr(self, which))


class Amount(Range):
    """A non-negative figure: money, a count, hours, days."""

    lower: ClassVar[float | None] = 0.0
    kind: ClassVar[str] = "an amount cannot be negative"


class Share(Range):
    """A fraction between 0 and 1 (0.25 means 25 %)."""

    lower: ClassVar[float | None] = 0.0
    upper: ClassVar[float | None] = 1.0
    kind: ClassVar[str] = "a share between 0 and 1, e.g. 0.25 for 25 %"
