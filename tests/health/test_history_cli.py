"""``portalroi health refit | models | record | scores | accuracy | expansion`` end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from portalroi.cli.main import app
from portalroi.health.accuracy import scored_outcomes
from portalroi.store import Store

runner = CliRunner()


def _run(*args: str) -> dict:  # type: ignore[type-arg]
    out = runner.invoke(app, ["health", *args])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)  # type: ignore[no-any-return]


@pytest.mark.slow
def test_refit_record_accuracy_and_expansion(sim_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    shutil.copy(sim_db, db)
    fitted = _run("refit", "--db", str(db), "--as-of", "2024-01-01", "--json")
    assert fitted["model_version"] == "m20240101-h180"
    assert fitted["trained_until"] == "2024-01-01"
    models = _run("models", "--db", str(db), "--json")["models"]
    assert [m["model_version"] for m in models] == ["m20240101-h180"]
    # Backfill 2024-01-01 and 2024-04-30 reusing saved models: both use the one refitted above
    # (the newest trained by each date).
    rec = _run(
        "record", "--db", str(db), "--from", "2024-01-01", "--to", "2024-05-01",
        "--step-days", "120", "--reuse-models", "--json",
    )  # fmt: skip
    assert list(rec["recorded"]) == ["2024-01-01", "2024-04-30"]
    hist = _run("scores", "--db", str(db), "--date", "2024-01-01", "--json")
    assert hist["count"] == rec["recorded"]["2024-01-01"]
    assert {r["model_version"] for r in hist["scores"]} == {"m20240101-h180"}
    report = _run("accuracy", "--db", str(db), "--known-until", "2024-12-01", "--json")
    months = {m["month"]: m for m in report["months"]}
    assert list(months) == ["2024-01", "2024-04"]
    # Independent check of the January AUC with scikit-learn on the stored rows.
    with Store(db, read_only=True) as store:
        rows = scored_outcomes(store, known_until="2024-12-01")
    jan = rows[rows["score_date"].astype(str) == "2024-01-01"]
    assert months["2024-01"]["model"]["roc_auc"] == pytest.approx(
        roc_auc_score(jan["churned"], jan["risk"])
    )
    assert months["2024-01"]["n"] == len(jan)
    text = runner.invoke(
        app, ["health", "accuracy", "--db", str(db), "--known-until", "2024-12-01"]
    )
    assert text.exit_code == 0, text.output
    assert "2024-01" in text.output
    exp = _run("expansion", "--db", str(db), "--as-of", "2024-06-01", "--json")
    assert exp["as_of"] == "2024-06-01"
    assert all(s["reason"] for s in exp["signals"])


def test_bad_record_range_exits_2(sim_db: Path) -> None:
    out = runner.invoke(app, ["health", "record", "--db", str(sim_db), "--to", "2024-01-01"])
    assert out.exit_code == 2
    assert "--to needs --from" in out.output
    out = runner.invoke(app, ["health", "expansion", "--db", str(sim_db), "--peer-share", "2"])
    assert out.exit_code == 2
    assert "peer_share" in out.output
