"""Expansion signals on a hand-built store, with the answers written out."""

from __future__ import annotations

import pytest

from portalroi.health.expansion import ExpansionParams, expansion_accounts, expansion_signals
from portalroi.store import Store

T = "2024-07-01"  # windows: last 30 days from 2024-06-01, last 90 from 2024-04-02


@pytest.fixture
def hand_store(store: Store) -> Store:
    con = store.con
    con.execute(
        """INSERT INTO accounts (account_id, org_id, segment, seats, created_at, churned_at) VALUES
        ('FULL', 'o1', 'smb', 4, '2023-01-01', NULL),
        ('GONE', 'o1', 'smb', 2, '2023-01-01', '2024-06-01'),
        ('GROW', 'o1', 'smb', 100, '2023-01-01', NULL),
        ('ORD', 'o2', 'smb', 50, '2023-01-01', NULL),
        ('FLAT', 'o2', 'smb', 50, '2023-01-01', NULL),
        ('M1', 'o2', 'mid_market', 100, '2023-01-01', NULL),
        ('M2', 'o2', 'mid_market', 100, '2023-01-01', NULL),
        ('M3', 'o2', 'mid_market', 100, '2023-01-01', NULL),
        ('M4', 'o2', 'mid_market', 100, '2023-01-01', NULL),
        ('NOSEAT', 'o2', 'smb', NULL, '2023-01-01', NULL)"""
    )
    # FULL: 4 of 4 seats active in June (one of them also before the window: counted once).
    # GONE churned before T: never listed, though its seats are full.
    events = [
        ("FULL", "f1", "2024-06-10", None),
        ("FULL", "f1", "2024-05-10", None),
        ("FULL", "f2", "2024-06-11", None),
        ("FULL", "f3", "2024-06-12", None),
        ("FULL", "f4", "2024-06-30 23:00", None),
        ("GONE", "g1", "2024-05-20", None),
        ("GONE", "g2", "2024-05-21", None),
        # Licensed seats unknown: active users alone say nothing about the licence.
        ("NOSEAT", "n1", "2024-06-20", None),
    ]
    # Features in the last 90 days: M1-M3 use invoices, orders, reports; M4 only invoices.
    for m in ("M1", "M2", "M3"):
        for feature in ("invoices", "orders", "reports"):
            events.append((m, f"{m}u", "2024-05-01", feature))
    events.append(("M4", "M4u", "2024-05-01", "invoices"))
    # Used before the 90-day window only: does not count for M4.
    events.append(("M4", "M4u", "2024-03-01", "orders"))
    for i, (acc, user, ts, feature) in enumerate(events):
        con.execute(
            "INSERT INTO events (event_id, ts, account_id, user_id, event_type, feature) "
            "VALUES (?, ?, ?, ?, 'page_view', ?)",
            [f"e{i}", ts, acc, user, feature],
        )
    # GROW: 5 users before 2024-04-02, 3 more after -> 5 to 8 (+60 %).
    users = [("GROW", f"old{i}", "2023-06-01") for i in range(5)]
    users += [("GROW", f"new{i}", "2024-05-01") for i in range(3)]
    for acc, user, created in users:
        con.execute(
            "INSERT INTO users (user_id, account_id, created_at) VALUES (?, ?, ?)",
            [user, acc, created],
        )
    # ORD: 2 x 1,000 in the previous 90 days, 3 x 1,000 in the last 90 (+50 %); an order at T
    # itself is not before T and must not count. FLAT: 2,000 then 3 x 700 = 2,100 (+5 %).
    # Each is compared with the other smb accounts (only the other one orders): ORD grew
    # 1.50 / 1.05 - 1 = +42.857 % relative to FLAT; FLAT 1.05 / 1.50 - 1 = -30 % relative to ORD.
    orders = [
        ("ORD", "2024-02-01", 1000.0),
        ("ORD", "2024-03-01", 1000.0),
        ("ORD", "2024-05-01", 1000.0),
        ("ORD", "2024-06-01", 1000.0),
        ("ORD", "2024-06-15", 1000.0),
        ("ORD", "2024-07-01", 1_000_000.0),
        ("FLAT", "2024-02-01", 2000.0),
        ("FLAT", "2024-05-01", 700.0),
        ("FLAT", "2024-05-02", 700.0),
        ("FLAT", "2024-05-03", 700.0),
    ]
    for i, (acc, ts, amount) in enumerate(orders):
        con.execute(
            "INSERT INTO orders (order_id, account_id, ts, amount, channel) "
            "VALUES (?, ?, ?, ?, 'portal')",
            [f"o{i}", acc, ts, amount],
        )
    return store


def test_signals_with_reasons_written_out(hand_store: Store) -> None:
    got = expansion_signals(hand_store, T, ExpansionParams(min_peers=3))
    assert got[["account_id", "signal", "kind", "reason"]].values.tolist() == [
        [
            "FULL",
            "seats",
            "upsell",
            "4 users active in the last 30 days on 4 licensed seats (100% utilisation)",
        ],
        ["GROW", "user_growth", "upsell", "users grew from 5 to 8 in 90 days (+60%)"],
        [
            "M4",
            "features",
            "cross_sell",
            "uses 1 portal feature; most active mid_market accounts also use orders, reports",
        ],
        [
            "ORD",
            "orders",
            "upsell",
            "orders worth 3,000 in the last 90 days vs 2,000 in the 90 days before "
            "(+50%; 3 orders vs 2); other smb accounts +5% over the same windows, "
            "so +43% relative to the segment",
        ],
    ]
    values = dict(zip(got["account_id"], got["value"], strict=True))
    assert values == {"FULL": 1.0, "GROW": 0.6, "M4": 2.0, "ORD": pytest.approx(1.5 / 1.05 - 1)}
    assert got.set_index("account_id").loc["ORD", "figures"] == {
        "order_value_90d": 3000.0,
        "order_value_prev_90d": 2000.0,
        "orders_90d": 3,
        "orders_prev_90d": 2,
        "own_growth": 0.5,
        "segment_growth": pytest.approx(0.05),
    }


def test_thresholds_are_parameters(hand_store: Store) -> None:
    strict = ExpansionParams(
        seat_utilisation_min=1.01, user_growth_min=0.7, order_growth_min=0.51, min_peers=3
    )
    assert expansion_signals(hand_store, T, strict)["account_id"].tolist() == ["M4"]
    # With the default 5 peers the mid-market segment (3 peers each) is too small to compare.
    assert "features" not in set(expansion_signals(hand_store, T)["signal"])
    loose = ExpansionParams(order_growth_min=0.04, min_peers=3)
    # FLAT grew 5 % but 30 % less than the rest of its segment: no upsell signal however low
    # the threshold, while ORD (+43 % relative) stays.
    assert set(expansion_signals(hand_store, T, loose)["account_id"]) == {
        "FULL",
        "GROW",
        "M4",
        "ORD",
    }
    with pytest.raises(ValueError, match="peer_share"):
        ExpansionParams(peer_share=1.5)


def test_scoped_accounts_and_summary(hand_store: Store) -> None:
    o2 = ["FLAT", "M1", "M2", "M3", "M4", "NOSEAT", "ORD"]  # organisation o2's accounts
    got = expansion_signals(hand_store, T, ExpansionParams(min_peers=3), accounts=o2)
    assert sorted(got["account_id"]) == ["M4", "ORD"]
    # computed over the accounts given: without M1-M3, M4 has no peers to compare features with
    alone = expansion_signals(hand_store, T, ExpansionParams(min_peers=3), accounts=["M4", "ORD"])
    assert sorted(alone["signal"]) == ["orders"]
    summary = expansion_accounts(expansion_signals(hand_store, T, ExpansionParams(min_peers=3)))
    assert summary["account_id"].tolist() == ["FULL", "GROW", "M4", "ORD"]
    assert summary.set_index("account_id").loc["M4", "kinds"] == ["cross_sell"]


def test_order_growth_without_segment_peers_uses_own_growth(hand_store: Store) -> None:
    """With FLAT's orders gone, no other smb account ordered earlier: ORD's own +50 % counts."""
    hand_store.con.execute("DELETE FROM orders WHERE account_id = 'FLAT'")
    got = expansion_signals(hand_store, T).set_index("signal")
    assert got.loc["orders", "value"] == 0.5
    assert got.loc["orders", "reason"].endswith(
        "; no other smb account ordered in the earlier window to compare with"
    )
    assert got.loc["orders", "figures"]["segment_growth"] is None


def test_a_season_every_account_shares_flags_nobody(hand_store: Store) -> None:
    """FLAT grows like ORD (+50 %): relative to each other, neither grew."""
    hand_store.con.execute(
        "INSERT INTO orders (order_id, account_id, ts, amount, channel) "
        "VALUES ('extra', 'FLAT', '2024-06-20', 900.0, 'portal')"
    )
    assert "orders" not in set(expansion_signals(hand_store, T)["signal"])


def test_an_account_younger_than_both_order_windows_is_not_compared(hand_store: Store) -> None:
    """YNG became a customer on 2024-03-20, 103 days before T: its earlier window (from
    2024-01-03) holds 13 days of its life. One order of 100 there and 3 x 1,000 since read as
    +2,900 % and an upsell; it also lifted the smb growth ORD is measured against (to 5,100 /
    2,100 - 1 = +143 %, so ORD was not flagged)."""
    hand_store.con.execute(
        "INSERT INTO accounts (account_id, org_id, segment, seats, created_at) "
        "VALUES ('YNG', 'o2', 'smb', 10, '2024-03-20')"
    )
    for i, (ts, amount) in enumerate(
        [
            ("2024-03-25", 100.0),
            ("2024-05-01", 1000.0),
            ("2024-05-10", 1000.0),
            ("2024-06-01", 1000.0),
        ]
    ):
        hand_store.con.execute(
            "INSERT INTO orders (order_id, account_id, ts, amount, channel) "
            "VALUES (?, 'YNG', ?, ?, 'portal')",
            [f"y{i}", ts, amount],
        )
    got = expansion_signals(hand_store, T)
    orders = got[got["signal"] == "orders"].set_index("account_id")
    assert orders.index.tolist() == ["ORD"]
    assert orders.loc["ORD", "figures"]["segment_growth"] == pytest.approx(0.05)
