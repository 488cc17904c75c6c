"""Churn risk: a calibrated classifier over a feature frame, with faithful per-row reasons.

Data it needs: one row per customer (account, user, subscriber) with numeric and categorical
feature columns, and a 0/1 label saying whether the customer churned in the outcome window.
Whoever builds the features (for portalroi, the account-level feature builder over the store)
passes a ``pandas.DataFrame``; nothing here reads the store.

Two methods:

``logistic`` (default)
    Logistic regression on standardised numeric columns (median-imputed) and one-hot
    categorical columns, then Platt scaling (or isotonic) fitted on out-of-fold scores
    (``CalibratedClassifierCV(ensemble=False)``). The calibrator is monotone in the
    regression's log-odds, so the reasons are the exact additive split of the log-odds:
    feature *j* contributes ``sum_k coef_k * (z_k(x) - mean z_k)`` over its encoded columns
    *k*, relative to the average training row.
``hgb``
    ``HistGradientBoostingClassifier`` with native categorical splits, calibrated the same way.
    Reasons are occlusion effects on the calibrated log-odds: feature *j* contributes
    ``logit p(x) - logit p(x with feature j set to its training median / mode)``. They are the
    model's own response to that one feature, so they are faithful, though they do not sum
    exactly to the score.

A numeric column with no value at all in the training rows (no NPS surveys yet) is held at a
constant and carries no weight, for either method.

References: Platt (1999) "Probabilistic outputs for support vector machines"; Zadrozny & Elkan
(2002) for isotonic calibration; Niculescu-Mizil & Caruana (2005) "Predicting good
probabilities with supervised learning".
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from portalroi.errors import ConfigError, DataError, Issue, SchemaError, ValidationError
from portalroi.models.churn_eval import ChurnEvaluation, evaluate

__all__ = ["MODEL_FORMAT", "MODEL_VERSION", "ChurnEvaluation", "ChurnModel", "evaluate"]

MODEL_FORMAT = "portalroi.churn"
MODEL_VERSION = 1
_EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, _EPS, 1 - _EPS)
    return np.asarray(np.log(q / (1 - q)), dtype=float)


def _labels(y: pd.Series | np.ndarray | list[int], n: int) -> np.ndarray:
    arr = np.asarray(y)
    if arr.shape != (n,):
        raise DataError(
            f"label has {arr.shape[0] if arr.ndim else 0} values; features have {n} rows"
        )
    issues = [
        Issue(f"label row {i}", "must be 0 or 1", v)
        for i, v in enumerate(arr.tolist())
        if v not in (0, 1, True, False)
    ]
    if issues:
        raise ValidationError("churn label is not binary", issues)
    out = arr.astype(int)
    if out.min() == out.max():
        raise DataError("churn label has a single class; need both churned and retained rows")
    return out


class ChurnModel:
    """Calibrated churn-probability model over a tabular feature frame.

    Parameters
    ----------
    config
        Overrides for :attr:`default_config`: ``method`` (``"logistic"`` or ``"hgb"``),
        ``calibration`` (``"sigmoid"`` = Platt or ``"isotonic"``), ``cv`` (folds for the
        calibration scores), ``C`` (inverse L2 strength, logistic), ``learning_rate``,
        ``max_iter``, ``max_leaf_nodes``, ``l2_regularization`` (hgb), ``random_state``,
        ``threads`` (OpenMP threads for hgb; ``None`` = all cores; 1 avoids oversubscription on
        a busy machine).

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"logins": [1, 2, 3, 4, 5, 6, 7, 8] * 5,
    ...                   "plan": ["a", "b"] * 20})
    >>> y = [1, 1, 1, 0, 1, 0, 0, 0] * 5
    >>> model = ChurnModel({"cv": 2}).fit(X, y)
    >>> bool(model.predict_proba(X.iloc[[0]])[0] > model.predict_proba(X.iloc[[7]])[0])
    True
    >>> model.explain(X.iloc[[0]], top=1)["feature"].tolist()
    ['logins']
    """

    default_config: ClassVar[dict[str, Any]] = {
        "method": "logistic",
        "calibration": "sigmoid",
        "cv": 5,
        "C": 1.0,
        "learning_rate": 0.05,
        "max_iter": 300,
        "max_leaf_nodes": 15,
        "l2_regularization": 1.0,
        "random_state": 0,
        "threads": None,
    }

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        unknown = sorted(set(config or {}) - set(self.default_config))
        if unknown:
            raise ConfigError(f"unknown churn model option(s): {', '.join(unknown)}")
        self.config: dict[str, Any] = {**self.default_config, **(config or {})}
        if self.config["method"] not in ("logistic", "hgb"):
            raise ConfigError(f"method must be 'logistic' or 'hgb', got {self.config['method']!r}")
        if self.config["calibration"] not in ("sigmoid", "isotonic"):
            raise ConfigError(
                f"calibration must be 'sigmoid' or 'isotonic', got {self.config['calibration']!r}"
            )
        self.features_: list[str] = []
        self.categorical_: list[str] = []
        self.numeric_: list[str] = []
        self.empty_: list[str] = []
        self.reference_: dict[str, Any] = {}
        self._calibrated: CalibratedClassifierCV | None = None
        self._base: Pipeline | None = None
        self._mean_z: np.ndarray | None = None

    # -- fitting -----------------------------------------------------------------------------
    def _pipeline(self) -> Pipeline:
        cfg = self.config
        if cfg["method"] == "logistic":
            prep = ColumnTransformer(
                [
                    (
                        "num",
                        Pipeline(
                            [
                                # a column empty in one calibration fold stays (as 0)
                                (
                                    "impute",
                                    SimpleImputer(strategy="median", keep_empty_features=True),
                                ),
                                ("scale", StandardScaler()),
                            ]
                        ),
                        self.numeric_,
                    ),
                    (
                        "cat",
                        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                        self.categorical_,
                    ),
                ]
            )
            clf: Any = LogisticRegression(C=cfg["C"], max_iter=2000)
        else:
            prep = ColumnTransformer(
                [
                    ("num", "passthrough", self.numeric_),
                    (
                        "cat",
                        OrdinalEncoder(
                            handle_unknown="use_encoded_value",
                            unknown_value=np.nan,
                            encoded_missing_value=np.nan,
                        ),
                        self.categorical_,
                    ),
                ]
            )
            n_num = len(self.numeric_)
            mask = [i >= n_num for i in range(n_num + len(self.categorical_))]
            clf = HistGradientBoostingClassifier(
                learning_rate=cfg["learning_rate"],
                max_iter=cfg["max_iter"],
                max_leaf_nodes=cfg["max_leaf_nodes"],
                l2_regularization=cfg["l2_regularization"],
                categorical_features=mask if any(mask) else None,
                random_state=cfg["random_state"],
            )
        return Pipeline([("prep", prep), ("clf", clf)])

    def _frame(self, X: pd.DataFrame) -> pd.DataFrame:  # noqa: N803
        if not isinstance(X, pd.DataFrame):
            raise DataError("features must be a pandas DataFrame with named columns")
        if self.features_:
            missing = [c for c in self.features_ if c not in X.columns]
            if missing:
                raise SchemaError(f"feature column(s) missing: {', '.join(missing)}")
            X = X[self.features_]  # noqa: N806
        out = X.copy()
        # A numeric column without any value when fitted (no NPS surveys yet, no trend in a
        # portal's first months) is a constant 0 that carries no weight: the imputer would drop
        # it with a warning and gradient boosting fails on it. Models saved before have none.
        for c in getattr(self, "empty_", []):
            out[c] = 0.0
        for c in self.categorical_:
            out[c] = out[c].astype(object).where(out[c].notna(), None)
        return out

    def fit(self, X: pd.DataFrame, y: pd.Series | np.ndarray | list[int]) -> ChurnModel:  # noqa: N803
        """Fit the model and its calibrator.

        Parameters
        ----------
        X
            One row per customer; numeric columns are used as numbers, every other column
            (text, category, bool) as a category.
        y
            0/1 churn label, one per row.

        Returns
        -------
        ChurnModel
            ``self``, fitted.
        """
        if not isinstance(X, pd.DataFrame) or X.shape[1] == 0:
            raise DataError("features must be a pandas DataFrame with at least one column")
        labels = _labels(y, len(X))
        self.features_ = [str(c) for c in X.columns]
        self.numeric_ = [c for c in self.features_ if _is_numeric(X[c])]
        self.categorical_ = [c for c in self.features_ if c not in self.numeric_]
        self.empty_ = [c for c in self.numeric_ if X[c].isna().all()]
        frame = self._frame(X)
        self.reference_ = {
            c: (float(frame[c].median()) if c in self.numeric_ else _mode(frame[c]))
            for c in self.features_
        }
        with threadpool_limits(limits=self.config["threads"], user_api="openmp"):
            self._calibrated = CalibratedClassifierCV(
                self._pipeline(),
                method=self.config["calibration"],
                cv=self.config["cv"],
                ensemble=False,
            ).fit(frame, labels)
        self._base = self._calibrated.calibrated_classifiers_[0].estimator
        if self.config["method"] == "logistic":
            z = self._base.named_steps["prep"].transform(frame)
            self._mean_z = np.asarray(z, dtype=float).mean(axis=0)
        return self

    # -- scoring -----------------------------------------------------------------------------
    def _fitted(self) -> CalibratedClassifierCV:
        if self._calibrated is None:
            raise ConfigError("the churn model is not fitted; call fit() or load() first")
        return self._calibrated

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:  # noqa: N803
        """Calibrated churn probability for each row (a 1-d array in ``[0, 1]``)."""
        model = self._fitted()
        with threadpool_limits(limits=self.config["threads"], user_api="openmp"):
            return np.asarray(model.predict_proba(self._frame(X))[:, 1], dtype=float)

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:  # noqa: N803
        """Each feature's push on each row's churn log-odds (positive = more risk).

        For ``logistic`` the columns sum, with the average row's log-odds, to the row's
        uncalibrated log-odds exactly; for ``hgb`` each is an occlusion effect (see module doc).
        """
        self._fitted()
        frame = self._frame(X)
        if self.config["method"] == "logistic":
            assert self._base is not None
            assert self._mean_z is not None
            z = np.asarray(self._base.named_steps["prep"].transform(frame), dtype=float)
            coef = self._base.named_steps["clf"].coef_[0]
            parts = (z - self._mean_z) * coef
            names = self._base.named_steps["prep"].get_feature_names_out()
            owner = [self._owner(str(n)) for n in names]
            out = pd.DataFrame(0.0, index=frame.index, columns=self.features_)
            for k, feature in enumerate(owner):
                out[feature] += parts[:, k]
            return out
        base = _logit(self.predict_proba(frame))
        out = pd.DataFrame(index=frame.index, columns=self.features_, dtype=float)
        for c in self.features_:
            swapped = frame.copy()
            swapped[c] = self.reference_[c]
            out[c] = base - _logit(self.predict_proba(swapped))
        return out

    def _owner(self, encoded: str) -> str:
        kind, _, rest = encoded.partition("__")
        if kind == "num":
            return rest
        # One-hot names are "<feature>_<category>"; pick the longest feature name that fits.
        fits = [c for c in self.categorical_ if rest.startswith(f"{c}_")]
        return max(fits, key=len)

    def explain(self, X: pd.DataFrame, top: int = 3) -> pd.DataFrame:  # noqa: N803
        """Top reasons per row: the features pushing churn risk up the most.

        Returns
        -------
        pandas.DataFrame
            Long format, columns ``row`` (index label of ``X``), ``rank`` (1 = strongest),
            ``feature``, ``value`` (the row's value), ``contribution`` (log-odds, > 0),
            ``probability`` (the row's calibrated churn probability). A row with no
            risk-raising feature has no reason rows.
        """
        contrib = self.contributions(X)
        proba = self.predict_proba(X)
        rows: list[dict[str, Any]] = []
        for pos, (idx, series) in enumerate(contrib.iterrows()):
            ranked = series[series > 0].sort_values(ascending=False).head(top)
            for rank, (feature, value) in enumerate(ranked.items(), start=1):
                rows.append(
                    {
                        "row": idx,
                        "rank": rank,
                        "feature": str(feature),
                        "value": X.iloc[pos][str(feature)],
                        "contribution": float(value),
                        "probability": float(proba[pos]),
                    }
                )
        cols = ["row", "rank", "feature", "value", "contribution", "probability"]
        return pd.DataFrame(rows, columns=cols)

    # -- persistence -------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the fitted model to ``path`` (pickle; load only files you trust)."""
        self._fitted()
        target = Path(path)
        payload = {
            "format": MODEL_FORMAT,
            "version": MODEL_VERSION,
            "sklearn": sklearn.__version__,
            "state": self.__dict__,
        }
        target.write_bytes(pickle.dumps(payload))
        return target

    @classmethod
    def load(cls, path: str | Path) -> ChurnModel:
        """Read a model written by :meth:`save`, refusing other formats and versions."""
        source = Path(path)
        try:
            payload = pickle.loads(source.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError) as exc:
            raise DataError(f"{source}: cannot read churn model ({exc})") from exc
        if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
            raise DataError(f"{source}: not a portalroi churn model file")
        if payload.get("version") != MODEL_VERSION:
            raise DataError(
                f"{source}: churn model format version {payload.get('version')!r}; "
                f"this portalroi reads version {MODEL_VERSION}. Refit the model."
            )
        if payload.get("sklearn") != sklearn.__version__:
            raise DataError(
                f"{source}: saved with scikit-learn {payload.get('sklearn')}, running "
                f"{sklearn.__version__}; refit the model."
            )
        model = cls.__new__(cls)
        model.__dict__.update(payload["state"])
        return model


def _is_numeric(col: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(col)) and not pd.api.types.is_bool_dtype(col)


def _mode(col: pd.Series) -> Any:
    counts = col.dropna().value_counts()
    return None if counts.empty else counts.index[0]
