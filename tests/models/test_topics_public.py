"""Ticket topics on real text: the labelled support tweets (read from ../shared/data only).

The data set is CC BY-NC-SA (non-commercial), so nothing from it is copied into the project.
Floors are the figures measured with the default settings (bench/bench_public_models.py,
docs/health-models.md) minus a margin of 0.05.
"""

from __future__ import annotations

import pandas as pd
import pytest

from portalroi.models.topics import agreement, discover_topics
from shared_paths import shared_data

# company: (measured ARI, measured macro F1 over all tags, largest tag, its measured F1)
MEASURED = {
    "AmazonHelp": (0.199, 0.174, "Delivery", 0.612),
    "AppleSupport": (0.197, 0.091, "iPhone", 0.653),
    "SpotifyCares": (0.204, 0.337, "App", 0.583),
}
MARGIN = 0.05


@pytest.mark.parametrize("company", sorted(MEASURED))
def test_topics_agree_with_human_tags_at_least_as_measured(company):
    path = shared_data("twcs_support_tweets_labeled", "labeled", f"twcs-{company}-200-inbound.csv")
    frame = pd.read_csv(path)
    result = discover_topics(frame["text"])
    assert len(result.groups) == 10  # the documented rule: round(sqrt(200 / 2))
    score = agreement(result.labels, frame.iloc[:, 9:])
    ari, macro_f1, tag, tag_f1 = MEASURED[company]
    assert score.adjusted_rand >= ari - MARGIN
    assert score.per_tag["f1"].mean() >= macro_f1 - MARGIN
    assert score.per_tag.set_index("tag").loc[tag, "f1"] >= tag_f1 - MARGIN
