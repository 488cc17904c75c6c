"""Every dashboard string exists in English and Swedish, and the Swedish text is really Swedish."""

from __future__ import annotations

import re

from web_helpers import english_phrases

from portalroi.reports.i18n import LANGUAGES
from portalroi.web.i18n_strings import STRINGS, t

#: Keys of several words whose Swedish is rightly the same as the English (abbreviations).
SAME_IN_BOTH = {"download_csv", "csat"}


def test_every_key_has_both_languages() -> None:
    bad = [k for k, v in STRINGS.items() if set(v) != set(LANGUAGES) or not all(v.values())]
    assert bad == []


def test_swedish_differs_from_english_unless_listed() -> None:
    same = {k for k, v in STRINGS.items() if v["en"] == v["sv"]}
    # A new key copied without translating shows up here; a true loan word goes in the list.
    unexpected = sorted(k for k in same - SAME_IN_BOTH if len(STRINGS[k]["en"].split()) >= 2)
    assert unexpected == []


def test_placeholders_match_between_languages() -> None:
    def fields(s: str) -> list[str]:
        return sorted(re.findall(r"\{(\w*)[^}]*\}", s))

    bad = [k for k, v in STRINGS.items() if fields(v["en"]) != fields(v["sv"])]
    assert bad == []
    assert t("health_note", "sv").format(date="2024-01-01")  # formats without a KeyError


def test_known_list_is_not_empty() -> None:
    phrases = english_phrases()
    assert "Realised ROI to date" in phrases
    assert len(phrases) >= 40
