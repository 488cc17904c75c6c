"""Rules as data: every problem named with its field; YAML files; the CLI's add/list/remove."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portalroi.alerts import load_rules, parse_rule, parse_rules
from portalroi.cli.main import app
from portalroi.errors import ValidationError


def _locations(data: object) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as info:
        parse_rules(data, "rules.yaml")
    assert str(info.value).startswith("rules.yaml: invalid alert rules: ")
    return [(i.location, i.reason) for i in info.value.issues]


def test_every_problem_is_named_with_its_field() -> None:
    issues = _locations(
        {
            "rules": [
                {"name": "ok", "kind": "health_band", "band": "at_risk"},
                {"name": "x", "kind": "metric_change", "metric": "no_such", "pct": -5},
                {"name": "y", "kind": "spike", "count": "tickets", "threshold": 2, "colour": 1},
            ]
        }
    )
    locations = [loc for loc, _ in issues]
    assert locations == ["rules[1].metric", "rules[1].pct", "rules[2].colour"]
    assert issues[0][1].startswith("unknown or non-windowed metric 'no_such'; one of: ")
    assert issues[1][1] == "Input should be greater than 0"
    assert issues[2][1] == "Extra inputs are not permitted"


@pytest.mark.parametrize(
    ("rule", "location", "reason"),
    [
        ({"name": "a", "kind": "nope"}, "rules[0]", "does not match any of the expected tags"),
        ({"kind": "health_band", "band": "at_risk"}, "rules[0].name", "Field required"),
        ({"name": "a", "kind": "health_band"}, "rules[0]", "give exactly one of band or below"),
        (
            {"name": "a", "kind": "spike", "count": "tickets", "threshold": 1, "window_days": 20},
            "rules[0]",
            "baseline_days must be at least twice window_days",
        ),
        (
            {"name": "a", "kind": "health_band", "below": 40, "email": ["not-an-address"]},
            "rules[0].email[0]",
            "should match pattern",
        ),
        (
            {"name": "a", "kind": "health_band", "below": 40, "webhook_url": "ftp://x"},
            "rules[0].webhook_url",
            "should match pattern",
        ),
        (
            {
                "name": "a",
                "kind": "metric_threshold",
                "metric": "retention_cohorts",
                "op": "above",
                "value": 1,
            },
            "rules[0].metric",
            "unknown or non-windowed metric 'retention_cohorts'",
        ),
    ],
)
def test_bad_rules(rule: dict[str, object], location: str, reason: str) -> None:
    ((loc, why),) = _locations([rule])
    assert loc == location
    assert reason in why


def test_rules_must_be_a_list() -> None:
    assert _locations({"rules": "everything"}) == [("rules", "must be a list of rules")]
    assert _locations({"rules": [], "extra": 1})[0][0] == "extra"


def test_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n"
        "  - name: Accounts at risk\n"
        "    kind: health_band\n"
        "    band: at_risk\n"
        "    email: [cs@vendor.example]\n"
        "  - name: Adoption falls\n"
        "    kind: metric_change\n"
        "    metric: mau\n"
        "    pct: 30\n",
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert [r.kind for r in rules] == ["health_band", "metric_change"]
    assert rules[1].window_days == 30
    assert rules[1].direction == "fall"
    path.write_text("rules:\n  - name: [unclosed\n", encoding="utf-8")
    with pytest.raises(Exception, match="not valid YAML"):
        load_rules(path)


def test_one_rule_round_trips_through_json() -> None:
    rule = parse_rule({"name": "s", "kind": "topic_surge", "topics": "category"})
    assert parse_rule(json.loads(rule.model_dump_json())) == rule


def _cli(*args: str) -> object:
    return CliRunner().invoke(app, ["alerts", *args])


def test_cli_add_list_remove(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    bad = _cli(
        "add",
        "--db",
        db,
        "--name",
        "x",
        "--kind",
        "spike",
        "--count",
        "tickets",
        "--threshold",
        "-2",
    )
    assert bad.exit_code == 2  # type: ignore[attr-defined]
    assert "--threshold: Input should be greater than 0" in bad.output  # type: ignore[attr-defined]
    ok = _cli(
        "add",
        "--db",
        db,
        "--name",
        "Risk",
        "--kind",
        "health_band",
        "--below",
        "40",
        "--org",
        "org-a",
        "--webhook-url",
        "http://127.0.0.1:9/x",
        "--webhook-secret",
        "very-secret",
    )
    assert ok.exit_code == 0, ok.output  # type: ignore[attr-defined]
    listed = json.loads(_cli("list", "--db", db, "--json").output)  # type: ignore[attr-defined]
    assert [(r["name"], r["org_id"], r["below"], r["webhook_secret"]) for r in listed] == [
        ("Risk", "org-a", 40.0, "***")
    ]
    assert json.loads(_cli("list", "--db", db, "--json", "--org", "org-b").output) == []  # type: ignore[attr-defined]
    gone = _cli("remove", "--db", db, "ar_nope")
    assert gone.exit_code == 2
    assert "no alert rule 'ar_nope'" in gone.output
    assert _cli("remove", "--db", db, listed[0]["rule_id"]).exit_code == 0  # type: ignore[attr-defined]
    assert json.loads(_cli("list", "--db", db, "--json").output) == []  # type: ignore[attr-defined]
