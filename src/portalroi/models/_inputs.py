"""Validation of the per-customer arrays the CLV models take (collects every problem)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from portalroi.errors import Issue, ValidationError
from portalroi.models._base import FloatArray

__all__ = ["as_rfm"]

ArrayLike = Sequence[float] | npt.NDArray[Any] | Any


def _bad(
    issues: list[Issue], name: str, mask: npt.NDArray[np.bool_], values: FloatArray, why: str
) -> None:
    for i in np.flatnonzero(mask)[:20]:
        issues.append(Issue(f"{name}[row {int(i)}]", why, float(values[i])))


def as_rfm(
    model: str,
    frequency: ArrayLike,
    recency: ArrayLike | None = None,
    T: ArrayLike | None = None,  # noqa: N803 (the BTYD literature's name)
    monetary_value: ArrayLike | None = None,
) -> tuple[FloatArray, ...]:
    """Arrays of frequency (and recency, T, monetary value when given), checked for consistency.

    Raises :class:`ValidationError` listing every offending row.
    """
    x = np.asarray(frequency, dtype=float).ravel()
    arrays: dict[str, FloatArray] = {"frequency": x}
    if recency is not None:
        arrays["recency"] = np.asarray(recency, dtype=float).ravel()
    if T is not None:
        arrays["T"] = np.broadcast_to(np.asarray(T, dtype=float), x.shape).astype(float)
    if monetary_value is not None:
        arrays["monetary_value"] = np.asarray(monetary_value, dtype=float).ravel()
    issues: list[Issue] = []
    for name, arr in arrays.items():
        if arr.shape != x.shape:
            issues.append(Issue(name, f"has {arr.size} rows but frequency has {x.size}"))
    if x.size == 0:
        issues.append(Issue("frequency", "no customers"))
    if issues:
        raise ValidationError(f"{model}: inputs do not fit", issues)
    for name, arr in arrays.items():
        _bad(issues, name, ~np.isfinite(arr), arr, "must be a finite number")
    _bad(issues, "frequency", (x < 0) | (x != np.round(x)), x, "must be a whole number >= 0")
    if "recency" in arrays:
        r = arrays["recency"]
        _bad(issues, "recency", r < 0, r, "must be >= 0")
        _bad(issues, "recency", (x == 0) & (r != 0), r, "must be 0 when frequency is 0")
        if "T" in arrays:
            _bad(issues, "recency", r > arrays["T"], r, "must not exceed T (age of the customer)")
    if "T" in arrays:
        # T = 0 is a customer whose first purchase is on the last day (the default end of
        # summary_from_transactions): it says nothing yet, and BG/NBD gives it likelihood 1
        _bad(issues, "T", arrays["T"] < 0, arrays["T"], "must be >= 0")
    if "monetary_value" in arrays:
        m = arrays["monetary_value"]
        _bad(issues, "monetary_value", (x > 0) & (m <= 0), m, "must be > 0 for repeat customers")
    if issues:
        raise ValidationError(f"{model}: inputs do not fit", issues)
    return tuple(arrays.values())
