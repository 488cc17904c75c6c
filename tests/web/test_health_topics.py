"""Health, account drill-down and topics pages over HTTP; tenant scope; ROI for an organisation."""

from __future__ import annotations

import io
import math
import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from web_helpers import english_phrases

from portalroi.analytics import store_topic_report
from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import add_user
from portalroi.health import account_features, health_scores
from portalroi.health.risk import data_period
from portalroi.settings import Settings
from portalroi.store import Store

pytestmark = pytest.mark.slow

ORG_EMAIL = "olle@smb.example"
ORG_PASSWORD = "org password 123"


def _csv(client: TestClient, url: str) -> pd.DataFrame:
    r = client.get(url)
    assert r.status_code == 200, (url, r.text[:200])
    return pd.read_csv(io.StringIO(r.text))


def _rows(html: str, table_id: str) -> list[str]:
    part = html.split(f'id="table-{table_id}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", part.split("<tbody>", 1)[1], flags=re.S)


def test_health_page_lists_every_scored_account_worst_first(
    client: TestClient, demo_db: Path
) -> None:
    with Store(demo_db, read_only=True) as store:
        _, last = data_period(store)
        at = (last + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        scores = health_scores(store, at, features=account_features(store, at))
    r = client.get("/health", params={"lang": "en"})
    assert r.status_code == 200
    rows = _rows(r.text, "accounts")
    assert len(rows) == len(scores)
    worst = scores["score"].idxmin()
    assert f'href="/accounts/{worst}"' in rows[0]
    # every score is shown in whole points, truncated, so that it reads in its band: 69.87 is
    # "neutral" and shows as 69, not as a 70 that reads "healthy" (docs/health.md)
    for row in rows:
        account = re.search(r'href="/accounts/([^"]+)"', row)
        assert account is not None
        score = float(scores.loc[account.group(1), "score"])
        assert re.search(rf"<td[^>]*>{math.floor(score)}</td>", row), (account.group(1), score)
    # Sorting by account id puts the smallest id first.
    by_id = _rows(client.get("/health", params={"sort": "account"}).text, "accounts")
    assert f'href="/accounts/{min(scores.index)}"' in by_id[0]
    # The band chart's CSV counts every account once.
    bands = _csv(client, "/csv/health/bands")
    assert int(bands["accounts"].sum()) == len(scores)
    assert int(bands.set_index("band").loc["at_risk", "accounts"]) == int(
        (scores["band"] == "at_risk").sum()
    )
    assert "Hälsa" in client.get("/health", params={"lang": "sv"}).text


def test_account_page_breakdown_adds_up_to_the_score(client: TestClient, demo_db: Path) -> None:
    page = client.get("/health", params={"lang": "en"}).text
    account = re.search(r'href="/accounts/([^"]+)"', page)
    assert account is not None
    account_id = account.group(1)
    r = client.get(f"/accounts/{account_id}")
    assert r.status_code == 200
    for section in ("table-breakdown", "table-reasons", "table-activity"):
        assert section in r.text
    parts = _csv(client, f"/csv/account/lost_points?account={account_id}")
    # score = 100 - sum of points lost (docs/health.md), and the page shows that score.
    score = 100.0 - parts["lost_points"].sum()
    kpi = re.search(r'kpi-label">Health score</div>\s*<div class="kpi-value">([\d.]+)<', r.text)
    assert kpi is not None
    # shown in whole points, truncated (so that it reads in its band)
    assert float(kpi.group(1)) == math.floor(score + 1e-9)
    assert client.get("/accounts/no-such-account").status_code == 404
    assert client.get("/csv/account/lost_points?account=no-such-account").status_code == 404


def test_topics_page_matches_the_topic_report(client: TestClient, demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        report = store_topic_report(store)
    r = client.get("/topics", params={"lang": "en"})
    assert r.status_code == 200
    groups = _rows(r.text, "groups")
    assert len(groups) == len(report.groups)
    first = report.groups.iloc[0]
    assert str(first["name"]) in groups[0]
    gaps = int(report.groups["knowledge_gap"].sum())
    assert r.text.count(">GAP<") == gaps
    shares = _csv(client, "/csv/topics/shares")
    assert shares["share_volume"].tolist() == pytest.approx(
        report.groups.head(12)["share_volume"].tolist()
    )
    assert len(_rows(r.text, "deflection")) == 5
    assert len(_rows(r.text, "zero_results")) == min(30, len(report.zero_results))
    assert ">LUCKA<" in client.get("/topics", params={"lang": "sv"}).text or gaps == 0


#: English a Swedish page must not show: every multi-word dashboard string (web_helpers.english_phrases),
#: the account summary's English sentences and the expansion signals' English reasons and kinds.
SUMMARY_ENGLISH = ("portal events", "tickets opened", "still open", "Health score", "Churn risk")
EXPANSION_ENGLISH = (
    "users active in the last 30 days",
    "licensed seats",
    "users grew from",
    "orders worth",
    "relative to the segment",
    "portal feature",
    "accounts also use",
    "upsell",
    "cross_sell",
)


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_swedish_pages_leave_no_known_english(client: TestClient) -> None:
    health = client.get("/health", params={"lang": "sv"}).text
    account = re.search(r'href="(/accounts/[^"]+)"', health)
    assert account is not None
    paths = ["/", "/adoption", "/support", "/impact", "/health", account.group(1), "/topics"]
    paths += ["/business-case", "/data"]
    known = [*english_phrases(), *SUMMARY_ENGLISH, *EXPANSION_ENGLISH]
    found = {}
    for path in paths:
        r = client.get(path, params={"lang": "sv"})
        assert r.status_code == 200, path
        assert '<html lang="sv">' in r.text
        text = _visible_text(r.text)
        left = [phrase for phrase in known if phrase in text]
        if left:
            found[path] = left
    assert found == {}
    # The account summary is in Swedish.
    summary = _visible_text(client.get(account.group(1), params={"lang": "sv"}).text)
    assert "portalhändelser" in summary
    assert "ärenden öppnade" in summary
    # The expansion opportunities on the health page are in Swedish too.
    assert "merförsäljning" in _visible_text(health)


@pytest.fixture(scope="module")
def org_client(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A user of organisation ``org-smb`` (the demo's smb accounts); the rest are ``org-other``."""
    tmp = tmp_path_factory.mktemp("orgweb")
    db = tmp / "store.duckdb"
    shutil.copy(demo_db, db)
    with Store(db) as store:
        store.con.execute(
            "UPDATE accounts SET org_id = CASE WHEN segment = 'smb' THEN 'org-smb' "
            "ELSE 'org-other' END"
        )
        ids = store.con.execute(
            "SELECT org_id, list(account_id ORDER BY account_id) FROM accounts GROUP BY 1"
        ).fetchall()
    settings = Settings(db=db, app_db_url=f"sqlite:///{tmp / 'app.sqlite'}", api_cache_seconds=600)
    app = create_app(settings)
    with app.state.appdb.session() as s:
        add_user(s, ORG_EMAIL, ORG_PASSWORD, role="viewer", org_id="org-smb")
    with TestClient(app) as c:
        r = c.post("/login", data={"email": ORG_EMAIL, "password": ORG_PASSWORD})
        assert r.status_code == 200
        c.accounts = dict(ids)  # type: ignore[attr-defined]
        yield c


def test_org_user_sees_only_own_accounts_and_404_for_others(org_client: TestClient) -> None:
    own = set(org_client.accounts["org-smb"])  # type: ignore[attr-defined]
    other = org_client.accounts["org-other"][0]  # type: ignore[attr-defined]
    page = org_client.get("/health").text
    shown = set(re.findall(r'href="/accounts/([^"]+)"', page))
    assert shown
    assert shown <= own
    assert org_client.get(f"/accounts/{other}").status_code == 404
    assert org_client.get(f"/csv/account/components?account={other}").status_code == 404
    mine = sorted(shown)[0]
    assert org_client.get(f"/accounts/{mine}").status_code == 200


def test_org_user_sees_roi_of_own_accounts(org_client: TestClient, client: TestClient) -> None:
    mine = org_client.get("/", params={"lang": "en"}).text
    everyone = client.get("/", params={"lang": "en"}).text
    assert "ROI of your organisation" in mine
    roi = re.compile(r'kpi-label">Costs to date</div>\s*<div class="kpi-value">([^<]+)<')
    own_cost, all_cost = roi.search(mine), roi.search(everyone)
    assert own_cost is not None
    assert all_cost is not None
    assert own_cost.group(1) != all_cost.group(1)
    assert org_client.get("/impact").status_code == 200
