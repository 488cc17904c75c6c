"""Panel data for staggered roll-outs: units observed over integer periods.

A :class:`Panel` holds one outcome per unit and period (a unit × period matrix with NaN where a
unit was not observed, e.g. after it churned), the period each unit was first treated (``inf``
for never-treated units) and time-invariant covariates measured before treatment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from portalroi.errors import Issue, ValidationError

__all__ = ["NEVER", "Panel"]

NEVER = float("inf")
"""``first_treated`` value of a unit that is never treated."""

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Panel:
    """Outcome matrix of a staggered roll-out.

    Attributes
    ----------
    units : unit labels, one per row of ``y``.
    periods : consecutive integer periods, one per column of ``y``.
    y : outcomes, shape (units, periods); NaN where a unit is not observed.
    first_treated : first treated period per unit; ``inf`` (:data:`NEVER`) if never treated.
    covariates : time-invariant pre-treatment covariates, shape (units, k).
    covariate_names : names of the covariate columns.
    outcome : name of the outcome.

    Examples
    --------
    >>> df = pd.DataFrame({"unit": [1, 1, 2, 2], "period": [0, 1, 0, 1],
    ...                    "outcome": [1.0, 3.0, 1.0, 1.5], "first_treated": [1, 1, None, None]})
    >>> p = Panel.from_long(df)
    >>> p.y.shape, p.first_treated.tolist()
    ((2, 2), [1.0, inf])
    """

    units: npt.NDArray[np.object_]
    periods: npt.NDArray[np.int64]
    y: FloatArray
    first_treated: FloatArray
    covariates: FloatArray
    covariate_names: tuple[str, ...] = ()
    outcome: str = "outcome"

    @property
    def n_units(self) -> int:
        """Number of units."""
        return int(self.y.shape[0])

    def subset(self, keep: npt.NDArray[np.bool_]) -> Panel:
        """The panel of the units where ``keep`` is true (same periods and covariates).

        Examples
        --------
        >>> p = Panel.from_arrays([[1.0, 2.0], [3.0, 4.0]], [0, 1], [1, float("inf")])
        >>> p.subset(np.array([False, True])).y.tolist()
        [[3.0, 4.0]]
        """
        return Panel(
            self.units[keep],
            self.periods,
            self.y[keep],
            self.first_treated[keep],
            self.covariates[keep],
            self.covariate_names,
            self.outcome,
        )

    def column(self, period: float) -> int:
        """Column index of ``period`` in ``y``.

        Examples
        --------
        >>> p = Panel.from_arrays([[1.0, 2.0]], [5, 6], [float("inf")])
        >>> p.column(6)
        1
        """
        return int(period) - int(self.periods[0])

    @classmethod
    def from_arrays(
        cls,
        y: Sequence[Sequence[float]] | FloatArray,
        periods: Sequence[int] | npt.NDArray[np.int64],
        first_treated: Sequence[float] | FloatArray,
        covariates: FloatArray | None = None,
        covariate_names: Sequence[str] = (),
        outcome: str = "outcome",
    ) -> Panel:
        """Build a panel from a unit × period matrix.

        Examples
        --------
        >>> Panel.from_arrays([[0.0, 1.0], [0.0, 0.0]], [0, 1], [1, float("inf")]).n_units
        2
        """
        y_arr = np.asarray(y, dtype=np.float64)
        per = np.asarray(periods, dtype=np.int64)
        ft = np.asarray(first_treated, dtype=np.float64)
        n = y_arr.shape[0]
        x = np.empty((n, 0)) if covariates is None else np.asarray(covariates, dtype=np.float64)
        issues: list[Issue] = []
        if y_arr.ndim != 2 or y_arr.shape[1] != per.size:
            issues.append(Issue("y", f"must be units x {per.size} periods", y_arr.shape))
        if per.size and not np.array_equal(per, np.arange(per[0], per[0] + per.size)):
            issues.append(Issue("periods", "must be consecutive integers"))
        if ft.shape != (n,):
            issues.append(Issue("first_treated", f"must have one value per unit ({n})", ft.shape))
        if x.shape[0] != n or x.ndim != 2 or x.shape[1] != len(covariate_names):
            issues.append(Issue("covariates", "must be units x len(covariate_names)", x.shape))
        elif not np.isfinite(x).all():
            issues.append(Issue("covariates", "must be finite"))
        if issues:
            raise ValidationError("invalid panel", issues)
        return cls(
            units=np.arange(n).astype(object),
            periods=per,
            y=y_arr,
            first_treated=np.where(np.isnan(ft), NEVER, ft),
            covariates=x,
            covariate_names=tuple(covariate_names),
            outcome=outcome,
        )

    @classmethod
    def from_long(
        cls,
        frame: pd.DataFrame,
        unit: str = "unit",
        period: str = "period",
        outcome: str = "outcome",
        first_treated: str = "first_treated",
        covariates: Sequence[str] = (),
        source: str = "panel",
    ) -> Panel:
        """Build a panel from a long frame (one row per unit and period).

        ``first_treated`` is the first treated period of the row's unit (NaN / None: never);
        covariates must be constant within a unit. Every problem is reported, with its row.

        Examples
        --------
        >>> df = pd.DataFrame({"unit": ["a", "a"], "period": [0, 1], "outcome": [2.0, 4.0],
        ...                    "first_treated": [None, None]})
        >>> Panel.from_long(df).y.tolist()
        [[2.0, 4.0]]
        """
        needed = [unit, period, outcome, first_treated, *covariates]
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise ValidationError(
                f"{source}: missing columns",
                [Issue(f"{source}: column {c}", "required column is missing") for c in missing],
            )
        issues: list[Issue] = []
        df = frame.reset_index(drop=True)
        numeric = {c: pd.to_numeric(df[c], errors="coerce") for c in [period, outcome, *covariates]}
        ft_values = pd.to_numeric(df[first_treated], errors="coerce")
        for c, values in numeric.items():
            bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
            if c == period:
                bad |= values.notna() & (values.round() != values)
            for row in np.flatnonzero(bad.to_numpy())[:50]:
                issues.append(
                    Issue(f"{source}: row {row}, column {c}", "must be a finite number", df[c][row])
                )
        bad_ft = df[first_treated].notna() & ft_values.isna()
        for row in np.flatnonzero(bad_ft.to_numpy())[:50]:
            issues.append(
                Issue(f"{source}: row {row}, column {first_treated}", "must be a period or empty")
            )
        dup = df.duplicated([unit, period], keep="first")
        for row in np.flatnonzero(dup.to_numpy())[:50]:
            issues.append(Issue(f"{source}: row {row}", f"duplicate {unit}/{period} pair"))
        for c, values in [(first_treated, ft_values)] + [(c, numeric[c]) for c in covariates]:
            spread = values.fillna(np.inf).groupby(df[unit]).nunique()
            for u in spread.index[spread > 1][:50]:
                issues.append(Issue(f"{source}: unit {u}, column {c}", "must be constant per unit"))
        if issues:
            raise ValidationError(f"{source}: invalid panel data", issues)
        per = numeric[period].astype(np.int64)
        codes, labels = pd.factorize(df[unit], sort=True)
        lo, hi = int(per.min()), int(per.max())
        y = np.full((labels.size, hi - lo + 1), np.nan)
        y[codes, per.to_numpy() - lo] = numeric[outcome].to_numpy(dtype=float)
        first_rows = pd.Series(np.arange(len(df))).groupby(codes).first().to_numpy()
        ft = ft_values.to_numpy(dtype=float, na_value=np.nan)[first_rows]
        x = np.empty((labels.size, 0))
        if covariates:
            x = np.column_stack([numeric[c].to_numpy(dtype=float)[first_rows] for c in covariates])
        return cls(
            units=np.asarray(labels, dtype=object),
            periods=np.arange(lo, hi + 1, dtype=np.int64),
            y=y,
            first_treated=np.where(np.isnan(ft), NEVER, ft),
            covariates=x,
            covariate_names=tuple(covariates),
            outcome=outcome,
        )
