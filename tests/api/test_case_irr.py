"""The HTTP API, the dashboard's report and the web page say when the IRR is not unique."""

from __future__ import annotations

import numpy_financial as npf
import pytest
import yaml
from api_env import Env

# net flows change sign twice (licence before and after the saving ramps down): NPV is zero at
# about -49 % and +1,853 % a year, so no single IRR describes the case
TWO_ROOTS = yaml.safe_load(
    """
horizon_years: 3
company: {annual_revenue: 1200000, customers: 100, annual_churn: 0.25,
  new_customers_per_year: 20, sales_marketing_cost: 100000, gross_margin_new: 0.3,
  gross_margin_existing: 0.4}
adoption: {points: [[0, 0], [6, 1], [18, 1], [24, 0]]}
benefits: {consolidation: {annual_saving: 120000}}
costs:
  implementation: {amount: 10000, basis: one_off}
  licence: {amount: 3000, basis: monthly}
"""
)


@pytest.fixture(scope="module")
def case_id(env: Env) -> int:
    res = env.client.post(
        "/api/v1/business-cases",
        headers=env.h(env.token_a),
        json={"name": "Two roots", "inputs": TWO_ROOTS},
    )
    assert res.status_code == 201, res.text
    return int(res.json()["id"])


def test_evaluation_says_the_irr_is_not_unique(env: Env, case_id: int) -> None:
    res = env.client.get(f"/api/v1/business-cases/{case_id}/evaluate", headers=env.h(env.token_a))
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["irr"] is None
    assert body["irr_status"] == "not unique"
    assert "-49.05% and 1,853.19% a year" in body["irr_note"]
    # independently: both rates named make the monthly net flows' NPV zero (numpy-financial)
    from portalroi.businesscase import evaluate, parse_inputs

    flows = evaluate(parse_inputs(TWO_ROOTS)).monthly_net
    for annual in (-0.4905, 18.5319):
        monthly = (1 + annual) ** (1 / 12) - 1
        assert abs(npf.npv(monthly, flows)) < 1e-3 * sum(abs(f) for f in flows)


def test_report_and_page_show_not_unique(env: Env, case_id: int) -> None:
    report = env.client.get(f"/api/v1/business-cases/{case_id}/report", headers=env.h(env.token_a))
    assert report.status_code == 200, report.text
    assert '<div class="v">not unique</div>' in report.text

    # the dashboard's business-case page builds its figures with bc_kpis
    from portalroi.businesscase import evaluate, parse_inputs
    from portalroi.web.bizcase import bc_kpis

    kpis = bc_kpis(evaluate(parse_inputs(TWO_ROOTS)), "en")
    assert [k.value for k in kpis if k.label == "Internal rate of return"] == ["not unique"]
