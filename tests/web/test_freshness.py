"""The overview says what its figures reach (newest record, last load) and warns when stale."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import EMAIL, make_app
from web_helpers import PASSWORD as WEB_PASSWORD

from portalroi.api.app import create_app
from portalroi.api.appstate.accounts import add_user
from portalroi.settings import Settings
from portalroi.store import Store
from portalroi.web import pages

ORG_EMAIL = "olle@example.com"
PASSWORD = "freshness password 1"


def _notes(page: str) -> list[str]:
    return [html.unescape(n) for n in re.findall(r'<p class="note muted">([^<]+)</p>', page)]


def _warnings(page: str) -> list[str]:
    return [html.unescape(w) for w in re.findall(r'<p class="error stale"[^>]*>([^<]+)</p>', page)]


class _Clock(dt.datetime):
    """``datetime`` whose ``now`` is the day after the demo's data ends."""

    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _Clock:
        return cls(2025, 1, 1, 12, 0, tzinfo=tz)


def test_overview_names_the_data_end_and_warns_when_stale(
    client: TestClient, demo_db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with Store(demo_db, read_only=True) as store:
        (loaded,) = store.con.execute("SELECT max(finished_at) FROM _loads").fetchone() or (None,)
    today = dt.datetime.now(dt.UTC).date()
    days = (today - dt.date(2024, 12, 31)).days  # the simulator's data ends 2024-12-31
    page = client.get("/", params={"lang": "en"}).text
    assert (
        f"Data to 2024-12: newest record 2024-12-31, last load {loaded:%Y-%m-%d %H:%M} (UTC)."
        in _notes(page)
    )
    assert _warnings(page) == [
        f"Stale data: the newest record is from 2024-12-31, {days} days before "
        f"{today.isoformat()}. The figures do not reach today."
    ]
    sv = client.get("/", params={"lang": "sv"}).text
    assert _warnings(sv) == [
        f"Inaktuella data: den nyaste posten är från 2024-12-31, {days} dagar före "
        f"{today.isoformat()}. Siffrorna når inte fram till i dag."
    ]
    # The day after the data ends (and before the load) nothing is stale.
    monkeypatch.setattr(pages, "datetime", _Clock)
    with TestClient(make_app(demo_db, tmp_path)) as fresh:
        fresh.post("/login", data={"email": EMAIL, "password": WEB_PASSWORD})
        page = fresh.get("/", params={"lang": "en"}).text
    assert _warnings(page) == []
    assert any(n.startswith("Data to 2024-12: newest record 2024-12-31") for n in _notes(page))


@pytest.fixture(scope="module")
def org_client(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A user of an organisation holding one account whose data ends on 2023-06-30."""
    tmp = tmp_path_factory.mktemp("freshweb")
    db = tmp / "store.duckdb"
    shutil.copy(demo_db, db)
    with Store(db) as store:
        (account,) = store.con.execute(
            "SELECT min(account_id) FROM accounts WHERE portal_live_at IS NOT NULL"
        ).fetchone() or (None,)
        store.con.execute("UPDATE accounts SET org_id = 'org-one' WHERE account_id = ?", [account])
        for table, col in (("events", "ts"), ("tickets", "created_at"), ("invoices", "issued_at")):
            store.con.execute(
                f"DELETE FROM {table} WHERE account_id = ? AND {col} >= TIMESTAMP '2023-07-01'",
                [account],
            )
    settings = Settings(db=db, app_db_url=f"sqlite:///{tmp / 'app.sqlite'}", api_cache_seconds=600)
    app = create_app(settings)
    with app.state.appdb.session() as s:
        add_user(s, ORG_EMAIL, PASSWORD, role="viewer", org_id="org-one")
    with TestClient(app) as c:
        assert c.post("/login", data={"email": ORG_EMAIL, "password": PASSWORD}).status_code == 200
        yield c


def test_organisation_sees_its_own_accounts_newest_record(org_client: TestClient) -> None:
    page = org_client.get("/", params={"lang": "en"}).text
    (note,) = [n for n in _notes(page) if n.startswith("Data to")]
    assert note.startswith("Data to 2023-06: newest record 2023-06-")
    (warning,) = _warnings(page)
    assert warning.startswith("Stale data: the newest record is from 2023-06-")
