"""The HTTP API, the dashboard's report and the web page say when the IRR is not unique."""

from __future__ import annotations

import numpy_financial as npf
import pytest
from api_env import Env

from bc_cases import TWO_ROOTS


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
