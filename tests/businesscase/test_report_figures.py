"""The business-case report's figures where they are undefined or not unique."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from portalroi.businesscase import parse_inputs, render_html


def test_report_without_costs_says_n_a_for_roi(base: dict[str, Any]) -> None:
    base["benefits"] = {"consolidation": {}}
    html = render_html(parse_inputs(base), lang="en", draws=300, today=dt.date(2025, 1, 1))
    text = re.sub(r"<[^>]+>", " ", html)
    assert re.search(r"\bnan\b", text, re.IGNORECASE) is None
    roi_row = re.search(r"<tr><td class=\"l\">ROI</td>(.*?)</tr>", html)
    assert roi_row is not None
    assert roi_row.group(1).count("n/a") == 3  # P10, P50, P90
    prob = re.search(r"Probability ROI &gt; 0</td><td colspan=\"3\">(.*?)</td>", html)
    assert prob is not None
    assert prob.group(1) == "n/a"


def test_report_lists_a_non_unique_irr(base: dict[str, Any]) -> None:
    base["adoption"] = {"points": [[0, 0], [6, 1], [18, 1], [24, 0]]}
    base["benefits"] = {"consolidation": {"annual_saving": 120_000}}
    base["costs"] = {
        "implementation": {"amount": 10_000, "basis": "one_off"},
        "licence": {"amount": 3_000, "basis": "monthly"},
    }
    html = render_html(parse_inputs(base), lang="en", draws=0, today=dt.date(2025, 1, 1))
    assert "IRR not unique: the net cash flows change sign 2 times" in html
