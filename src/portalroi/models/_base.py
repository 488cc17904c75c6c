"""Shared machinery of the fitted models: config, maximum likelihood, save/load with a version check.

A model is a small object in the style of pymc-marketing: ``default_config`` (optimiser
settings), ``fit(...)`` (maximum likelihood on log-parameters with scipy), ``params``,
``save(path)`` / ``load(path)``. The saved file is JSON: it names the model class and a format
version, so a file written by an incompatible version is refused with a clear reason instead of
being read wrongly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
from scipy import optimize

from portalroi.errors import ConfigError, DataError, NotFoundError

__all__ = ["FloatArray", "MaximumLikelihoodModel"]

FloatArray = npt.NDArray[np.float64]

#: Version of the JSON layout written by :meth:`MaximumLikelihoodModel.save`.
FORMAT_VERSION = 1


class MaximumLikelihoodModel:
    """Base class: parameters fitted by maximising a log-likelihood over log-parameters.

    Subclasses set ``model_type`` and ``param_names`` and call :meth:`_maximise` from ``fit``.
    """

    model_type: ClassVar[str] = ""
    param_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        unknown = sorted(set(config or {}) - set(self.default_config))
        if unknown:
            raise ConfigError(
                f"{type(self).__name__}: unknown config key(s) {unknown}; "
                f"known: {sorted(self.default_config)}"
            )
        self.config: dict[str, Any] = {**self.default_config, **(config or {})}
        self._params: dict[str, float] | None = None
        self.log_likelihood_: float | None = None
        self.n_observations_: int | None = None

    @property
    def default_config(self) -> dict[str, Any]:
        """Optimiser settings: starting values (``initial``), ``maxiter`` and tolerance ``tol``."""
        return {"initial": dict.fromkeys(self.param_names, 1.0), "maxiter": 20_000, "tol": 1e-10}

    @property
    def params(self) -> dict[str, float]:
        """Fitted parameters by name; raises :class:`ConfigError` before ``fit``."""
        if self._params is None:
            raise ConfigError(f"{type(self).__name__} is not fitted yet: call fit() first")
        return dict(self._params)

    def _maximise(self, log_likelihood: Callable[[FloatArray], float], n_obs: int) -> None:
        """Maximise ``log_likelihood(params)`` over positive parameters (optimised on logs)."""
        initial = self.config["initial"]
        x0 = np.log([float(initial[name]) for name in self.param_names])

        def negative(log_params: FloatArray) -> float:
            value = log_likelihood(np.exp(log_params))
            return -value if np.isfinite(value) else np.inf

        # Nelder-Mead is robust to the flat, curved ridges these likelihoods have; BFGS then
        # polishes the optimum so estimates agree with other implementations to many digits.
        first = optimize.minimize(
            negative,
            x0,
            method="Nelder-Mead",
            options={
                "maxiter": int(self.config["maxiter"]),
                "xatol": float(self.config["tol"]),
                "fatol": float(self.config["tol"]),
            },
        )
        polished = optimize.minimize(negative, first.x, method="BFGS", options={"gtol": 1e-8})
        best = polished if polished.fun <= first.fun else first
        if not np.isfinite(best.fun):
            raise DataError(f"{type(self).__name__}: the likelihood could not be evaluated")
        self._params = {
            name: float(v) for name, v in zip(self.param_names, np.exp(best.x), strict=True)
        }
        self.log_likelihood_ = float(-best.fun)
        self.n_observations_ = n_obs

    def _set_params(self, params: Mapping[str, float]) -> None:
        missing = [name for name in self.param_names if name not in params]
        if missing:
            raise ConfigError(f"{type(self).__name__}: missing parameter(s) {missing}")
        bad = [name for name in self.param_names if not float(params[name]) > 0]
        if bad:
            raise ConfigError(f"{type(self).__name__}: parameter(s) {bad} must be positive")
        self._params = {name: float(params[name]) for name in self.param_names}

    @classmethod
    def from_params(cls, params: Mapping[str, float], **config: Any) -> Self:
        """A model with given parameters (e.g. published estimates), without fitting."""
        model = cls(config or None)
        model._set_params(params)
        return model

    def save(self, path: str | Path) -> None:
        """Write the fitted parameters, config and fit statistics to a JSON file."""
        payload = {
            "model_type": self.model_type,
            "format_version": FORMAT_VERSION,
            "params": self.params,
            "config": self.config,
            "log_likelihood": self.log_likelihood_,
            "n_observations": self.n_observations_,
        }
        Path(path).write_text(json.dumps(payload, indent=2, sort_keys=True), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Self:
        """Read a model written by :meth:`save`; refuses another model type or format version."""
        file = Path(path)
        if not file.exists():
            raise NotFoundError(f"{file}: model file not found")
        try:
            payload = json.loads(file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(f"{file}: not a saved model (invalid JSON: {exc.msg})") from exc
        if not isinstance(payload, dict):
            raise DataError(f"{file}: not a saved model (expected a JSON object)")
        if payload.get("model_type") != cls.model_type:
            raise DataError(
                f"{file}: holds a {payload.get('model_type')!r} model, not {cls.model_type!r}"
            )
        if payload.get("format_version") != FORMAT_VERSION:
            raise DataError(
                f"{file}: model format version {payload.get('format_version')!r} is not supported "
                f"(this portalroi reads version {FORMAT_VERSION}); refit the model"
            )
        model = cls(payload.get("config") or None)
        model._set_params(payload["params"])
        model.log_likelihood_ = payload.get("log_likelihood")
        model.n_observations_ = payload.get("n_observations")
        return model
