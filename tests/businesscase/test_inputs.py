"""Inputs validation: every problem in one InputsError, each named by its YAML path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from portalroi.businesscase import example_inputs_yaml, load_inputs, parse_inputs
from portalroi.errors import InputsError


def test_all_problems_named_in_one_error(base: dict[str, Any]) -> None:
    base["company"]["customers"] = -5  # negative count
    base["company"]["annual_churn"] = 1.2  # churn above 100 %
    del base["company"]["annual_revenue"]  # missing required figure
    base["benefits"] = {
        "deflection": {
            "tickets_per_month": {"low": 1200, "likely": 1000, "high": 800},  # order broken
            "deflection_share": {"low": 0.1, "likely": 0.25, "high": 1.5},  # share above 1
            "typo_field": 3,  # unknown key
        },
        "admin_hours": {"hours_per_week": -3},  # negative
    }
    base["costs"] = {"hosting": {"amount": 100}}  # missing basis
    with pytest.raises(InputsError) as info:
        parse_inputs(base)
    found = {i.location: i.reason for i in info.value.issues}
    assert set(found) == {
        "company.customers",
        "company.annual_churn",
        "company.annual_revenue",
        "benefits.deflection.tickets_per_month",
        "benefits.deflection.deflection_share",
        "benefits.deflection.typo_field",
        "benefits.admin_hours.hours_per_week",
        "costs.hosting.basis",
    }
    assert "low <= likely <= high" in found["benefits.deflection.tickets_per_month"]
    assert found["company.annual_revenue"] == "required figure is missing"
    assert found["benefits.deflection.typo_field"] == "unknown key"
    assert "<= 1" in found["benefits.deflection.deflection_share"]
    assert ">= 0" in found["benefits.admin_hours.hours_per_week"]
    # The message itself names every path, so the CLI's one line shows them all.
    for location in found:
        assert location in str(info.value)


def test_example_file_validates(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(example_inputs_yaml(), encoding="utf-8")
    inputs = load_inputs(path)
    assert inputs.company.customers == 200
    assert inputs.benefits.deflection is not None
    # It is commented (the user is told what each figure means).
    assert example_inputs_yaml().count("#") > 10


def test_cost_defaults_come_from_benchmarks(base: dict[str, Any]) -> None:
    base["costs"] = {"licence": {}, "implementation": {}, "management": {}}
    costs = parse_inputs(base).costs
    assert costs.licence is not None
    assert costs.licence.amount.likely == 350.0
    assert costs.licence.basis == "monthly"
    assert "$200-$500" in costs.licence.source
    assert costs.implementation is not None
    assert costs.implementation.amount.likely == 1125.0
    assert costs.management is not None
    assert costs.management.amount.likely == 2250.0


def test_bad_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("company: [unclosed", encoding="utf-8")
    with pytest.raises(InputsError, match="not valid YAML"):
        load_inputs(bad)
    with pytest.raises(InputsError, match="cannot read"):
        load_inputs(tmp_path / "nope.yaml")
    with pytest.raises(InputsError, match="mapping"):
        parse_inputs(yaml.safe_load("- 1\n- 2"))
