"""Topic backends through the store path and the CLI; data text printed as written.

The embeddings backend needs PyTorch (the optional ``embeddings`` extra, not installed for the
tests): here ``portalroi.models.topics._embed`` is replaced by a deterministic stand-in, so
these tests check what the store path and the CLI do with embeddings (which rows k-means is
fitted on, how every ticket joins a centre, the unassigned rule, the option and the setting),
not the model itself. The real model was run by hand (docs/support-analytics.md, "Embeddings
backend (optional)", and docs/health-models.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from portalroi.analytics import find_ticket_topics
from portalroi.cli.main import app
from portalroi.ingest import ingest_frame
from portalroi.models import topics as topic_model
from portalroi.store import Store

WORDS = ("password", "invoice", "export")


def _fake_embed(texts: list[str] | tuple[str, ...]) -> np.ndarray:
    """One axis per known word: a text points along the first of ``WORDS`` it contains."""
    out = np.zeros((len(texts), len(WORDS) + 1))
    for i, text in enumerate(texts):
        hit = next((j for j, w in enumerate(WORDS) if w in text), len(WORDS))
        out[i, hit] = 1.0
    return out


TEXTS = [
    "reset my password please",
    "password link expired",
    "invoice total wrong",
    "wrong amount on invoice",
    "export to excel fails",
    "export button missing",
] * 10


def test_embeddings_store_path_fits_on_the_sample_and_assigns_every_ticket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[int] = []

    def embed(texts: tuple[str, ...]) -> np.ndarray:
        seen.append(len(texts))
        return _fake_embed(texts)

    monkeypatch.setattr(topic_model, "_embed", embed)
    texts = [*TEXTS, "!!!"]  # the last one has no known term: unassigned
    result = find_ticket_topics(texts, k=3, max_fit=12, backend="embeddings")
    assert seen == [len(texts)]  # every ticket embedded once, sample included
    labels = result.labels
    assert labels[-1] == -1
    # each word's tickets form one group, tickets outside the sample included
    for word in WORDS:
        rows = [i for i, t in enumerate(texts) if word in t]
        assert len(set(labels[rows].tolist())) == 1
    assert len(set(labels[:-1].tolist())) == 3
    assert sorted(result.groups["n"].tolist()) == [20, 20, 20]
    names = set(result.groups["terms"].str[0])
    assert names == set(WORDS)


def test_embeddings_without_sampling_equal_discover_topics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topic_model, "_embed", _fake_embed)
    store_path = find_ticket_topics(TEXTS, k=3, backend="embeddings")
    direct = topic_model.discover_topics(TEXTS, k=3, backend="embeddings")
    assert store_path.labels.tolist() == direct.labels.tolist()
    pd.testing.assert_frame_equal(store_path.groups, direct.groups)


def test_unknown_backend_is_a_config_error() -> None:
    with pytest.raises(topic_model.ConfigError, match="backend must be"):
        find_ticket_topics(TEXTS, k=3, backend="bert")


@pytest.fixture
def text_store(tmp_path: Path) -> Path:
    """Tickets and zero-result searches whose text looks like Rich markup."""
    path = tmp_path / "s.duckdb"
    n = len(TEXTS)
    with Store(path) as store:
        accounts = pd.DataFrame(
            {"account_id": ["a1"], "name": ["[bold]Acme[/]"], "created_at": ["2023-01-01"]}
        )
        ingest_frame(store, accounts, table="accounts", source_name="seed")
        tickets = pd.DataFrame(
            {
                "ticket_id": [f"t{i}" for i in range(n)],
                "account_id": "a1",
                "created_at": [f"2024-03-{1 + i % 28:02d}T10:00:00" for i in range(n)],
                "channel": "email",
                "subject": TEXTS,
            }
        )
        ingest_frame(store, tickets, table="tickets", source_name="seed")
        queries = ["[/] reset", "[urgent] invoice copy", "[red]export"]
        events = pd.DataFrame(
            {
                "event_id": [f"e{i}" for i in range(3)],
                "ts": ["2024-03-05T09:00:00"] * 3,
                "account_id": "a1",
                "user_id": "u1",
                "session_id": "s1",
                "event_type": "search",
                "query": queries,
                "result_count": 0,
            }
        )
        ingest_frame(store, events, table="events", source_name="seed")
    return path


def test_search_text_that_looks_like_markup_is_printed_as_written(text_store: Path) -> None:
    # Rich would fail on "[/]" ("closing tag has nothing to close") and swallow "[urgent]"
    # and "[red]" as styles.
    result = CliRunner().invoke(app, ["topics", "--db", str(text_store), "--k", "3"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    for query in ("[/] reset", "[urgent] invoice copy", "[red]export"):
        assert query in out, query


def test_cli_backend_option_and_setting(text_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def embed(texts: tuple[str, ...]) -> np.ndarray:
        calls.append(len(texts))
        return _fake_embed(texts)

    monkeypatch.setattr(topic_model, "_embed", embed)
    args = ["topics", "--db", str(text_store), "--k", "3", "--json"]
    default = CliRunner().invoke(app, args)
    assert default.exit_code == 0, default.output
    assert calls == []  # tfidf unless asked
    chosen = CliRunner().invoke(app, [*args, "--backend", "embeddings"])
    assert chosen.exit_code == 0, chosen.output
    assert calls == [len(TEXTS)]
    groups = json.loads(chosen.output)["groups"]
    assert sorted(g["n"] for g in groups) == [20, 20, 20]
    monkeypatch.setenv("PORTALROI_TOPICS_BACKEND", "embeddings")
    from_setting = CliRunner().invoke(app, args)
    assert from_setting.exit_code == 0, from_setting.output
    assert calls == [len(TEXTS), len(TEXTS)]
    assert json.loads(from_setting.output)["groups"] == groups
    overridden = CliRunner().invoke(app, [*args, "--backend", "tfidf"])
    assert overridden.exit_code == 0, overridden.output
    assert len(calls) == 2


def test_missing_extra_error_names_it_literally(
    text_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the extra's name in brackets used to vanish as Rich markup: "pip install 'portalroi'"
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails
    result = CliRunner().invoke(
        app, ["topics", "--db", str(text_store), "--k", "3", "--backend", "embeddings"]
    )
    assert result.exit_code == 2
    assert "pip install 'portalroi[embeddings]'" in " ".join(result.output.split())
