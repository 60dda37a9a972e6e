"""Corrections: recorded with who and why, applied at once and after every automatic pass."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from classifiers.outlets import load_registry_entries
from db.corrections import corrections_of, set_item_fields
from db.coverage import ItemFilter, count_items
from db.engine import session_factory, unit_of_work
from db.items import store_item
from db.outlets import sync_registry
from service.corrections import (
    CorrectionError,
    CorrectionRequest,
    apply_corrections,
    make_correction,
)
from tests.factories import item_record

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
YEAR = ItemFilter(start=datetime(2025, 1, 1, tzinfo=UTC), end=datetime(2026, 1, 1, tzinfo=UTC))


def _item(session: Session, url: str, publication_type: str = "national") -> int:
    item_id = store_item(
        session, record=item_record(url, publication_type=publication_type, published_at=NOW)
    )
    assert item_id is not None
    return item_id


def _correct(session: Session, item_id: int, action: str, **value: object) -> None:
    make_correction(
        session,
        request=CorrectionRequest(
            item_id=item_id,
            action=action,
            reason="gecontroleerd",
            actor="Anna (communicatie)",
            value=dict(value),
        ),
        now=NOW,
    )


def test_corrections_change_counts_and_survive_an_automatic_pass(engine: Engine) -> None:
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        sync_registry(session, entries=load_registry_entries())
        national = _item(session, "https://nos.nl/artikel/1")
        regional = _item(session, "https://gelderlander.nl/binnenland/x~a1234567/", "regional")
        wrong = _item(session, "https://nu.nl/sport/1/x.html")
        trade = _item(session, "https://example.nl/vakblad/1")
    with unit_of_work(sessions) as session:
        assert count_items(session, item_filter=YEAR).total == 4
        _correct(session, wrong, "not_mention")
        _correct(session, regional, "mark_reprint", original_item_id=national)
        _correct(session, trade, "set_outlet", outlet="Advocatenblad")
    with unit_of_work(sessions) as session:
        counts = count_items(session, item_filter=YEAR)
        assert (counts.total, counts.unique, counts.reprints) == (3, 2, 1)
        assert counts.by_type["trade"].total == 1
        # An automatic pass resets what it decides; the corrections come back on top.
        set_item_fields(session, item_id=wrong, is_mention=True)
        set_item_fields(session, item_id=trade, publication_type="other")
        assert apply_corrections(session) == 3
    with unit_of_work(sessions) as session:
        counts = count_items(session, item_filter=YEAR)
        assert (counts.total, counts.unique, counts.by_type["trade"].total) == (3, 2, 1)
        history = corrections_of(session, item_id=wrong)
        assert [(c.action, c.actor, c.reason) for c in history] == [
            ("not_mention", "Anna (communicatie)", "gecontroleerd")
        ]
        _correct(session, regional, "unmark_reprint", policy="regional_of_national")
        _correct(session, wrong, "mention")
    with unit_of_work(sessions) as session:
        counts = count_items(session, item_filter=YEAR)
        assert (counts.total, counts.unique) == (4, 4)
        assert (
            count_items(
                session, item_filter=ItemFilter(start=YEAR.start, end=YEAR.end, policy="story")
            ).reprints
            == 1
        )


def test_deleted_items_never_come_back(engine: Engine) -> None:
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        item_id = _item(session, "https://nos.nl/artikel/9")
        _correct(session, item_id, "delete")
    with unit_of_work(sessions) as session:
        again = item_record("https://nos.nl/artikel/9", url="https://nos.nl/l/9", published_at=NOW)
        assert store_item(session, record=again) is None
        assert count_items(session, item_filter=YEAR).total == 0


@pytest.mark.parametrize(
    ("action", "value", "reason", "message"),
    [
        ("rename", {}, "x", "unknown action"),
        ("not_mention", {}, "  ", "needs a reason"),
        ("set_type", {"publication_type": "blog"}, "x", "publication_type must be one of"),
        ("set_outlet", {"outlet": "Het Nergensblad"}, "x", "unknown outlet"),
        ("mark_reprint", {"original_item_id": 999_999}, "x", "no item with id 999999"),
        ("mark_reprint", {"original_item_id": 1, "policy": "x"}, "x", "original_item_id must be"),
    ],
)
def test_invalid_corrections_are_refused_and_nothing_changes(
    engine: Engine, action: str, value: dict[str, object], reason: str, message: str
) -> None:
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        item_id = _item(session, "https://nos.nl/artikel/1")
    with pytest.raises(CorrectionError, match=message), unit_of_work(sessions) as session:
        make_correction(
            session,
            request=CorrectionRequest(
                item_id=item_id, action=action, reason=reason, actor="A", value=value
            ),
            now=NOW,
        )
    with unit_of_work(sessions) as session:
        assert corrections_of(session, item_id=item_id) == []
        assert count_items(session, item_filter=YEAR).total == 1
