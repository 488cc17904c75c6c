"""Saving and loading fitted CLV models: round trip, and refusal of other types and versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portalroi.errors import ConfigError, DataError, NotFoundError
from portalroi.models.clv import BetaGeoModel, GammaGammaModel, ShiftedBetaGeometricModel


def test_round_trip_keeps_parameters_and_fit(tmp_path: Path) -> None:
    model = ShiftedBetaGeometricModel().fit_survivors([1000, 631, 468, 382, 326, 289, 262, 241])
    path = tmp_path / "sbg.json"
    model.save(path)
    loaded = ShiftedBetaGeometricModel.load(path)
    assert loaded.params == model.params
    assert loaded.log_likelihood_ == model.log_likelihood_
    assert loaded.n_observations_ == 1000
    assert float(loaded.survival(3)) == float(model.survival(3))


def test_load_refuses_other_model_and_version(tmp_path: Path) -> None:
    path = tmp_path / "gg.json"
    GammaGammaModel.from_params({"p": 6.25, "q": 3.74, "gamma": 15.44}).save(path)
    with pytest.raises(DataError, match="holds a 'gamma_gamma' model, not 'bg_nbd'"):
        BetaGeoModel.load(path)
    payload = json.loads(path.read_text())
    payload["format_version"] = 99
    path.write_text(json.dumps(payload))
    with pytest.raises(DataError, match="format version 99 is not supported"):
        GammaGammaModel.load(path)
    with pytest.raises(NotFoundError, match="model file not found"):
        GammaGammaModel.load(tmp_path / "missing.json")


def test_unfitted_and_misconfigured_models_say_why() -> None:
    with pytest.raises(ConfigError, match="not fitted yet"):
        _ = BetaGeoModel().params
    with pytest.raises(ConfigError, match="unknown config key"):
        BetaGeoModel({"learning_rate": 0.1})
    with pytest.raises(ConfigError, match="must be positive"):
        GammaGammaModel.from_params({"p": 6.25, "q": -1.0, "gamma": 15.44})
