"""The commitment ledger's rules (milestones.ledger), on plain records: no database."""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from milestones import ledger
from milestones.history import Source
from milestones.ontime import Slip

D = datetime.date
COMMITTED = D(2026, 12, 10)


@dataclass
class Record:
    """What the ledger reads of a HistoricalMilestone."""

    history_id: int
    target_date: datetime.date
    committed_date: datetime.date = COMMITTED
    source: str = Source.WEB
    history_type: str = "~"
    history_user: object = None

    @property
    def history_date(self) -> datetime.datetime:
        return datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC) + datetime.timedelta(
            days=self.history_id
        )


def history(*targets, **overrides) -> list[Record]:
    records = [Record(n, target, **overrides) for n, target in enumerate(targets, start=1)]
    records[0].history_type = "+"
    return records


def because(name: str, note: str = "", by: str = "lead"):
    return SimpleNamespace(reason=SimpleNamespace(pk=hash(name), name=name), note=note, given_by=by)


def test_no_slips_is_the_commitment_alone():
    book = ledger.build_ledger(history(COMMITTED, COMMITTED))
    assert book.committed_date == COMMITTED
    assert book.first_target == COMMITTED
    assert book.entries == []
    assert (book.slips, book.days_slipped, book.unexplained) == ([], 0, 0)


def test_no_history_is_an_empty_ledger():
    assert ledger.build_ledger([]).committed_date is None


def test_a_slip_from_the_sheet_without_a_reason_reads_changed_in_the_sheet():
    records = history(COMMITTED, D(2026, 12, 17))
    records[1].source = Source.SYNC
    [slip] = ledger.build_ledger(records).slips
    assert (slip.days, slip.reason, slip.explained, slip.source_label) == (
        7,
        "Changed in the sheet",
        False,
        "sheet sync",
    )


@pytest.mark.parametrize("source", [Source.WEB, Source.ADMIN, Source.COMMAND])
def test_a_slip_made_elsewhere_without_a_reason_reads_no_reason_given(source):
    records = history(COMMITTED, D(2026, 12, 17))
    records[1].source = source
    assert ledger.build_ledger(records).slips[0].reason == "No reason given"


def test_an_explanation_given_later_replaces_changed_in_the_sheet():
    records = history(COMMITTED, D(2026, 12, 17), source=Source.SYNC)
    book = ledger.build_ledger(records, {2: because("Dependency late", "CDN vendor")})
    [slip] = book.slips
    assert (slip.reason, slip.note, slip.explained, slip.source) == (
        "Dependency late",
        "CDN vendor",
        True,
        Source.SYNC,
    )
    assert book.unexplained == 0


def test_moved_earlier_then_later_is_one_slip_measured_from_the_earlier_date():
    book = ledger.build_ledger(history(COMMITTED, D(2026, 12, 5), D(2026, 12, 12)))
    earlier, later = book.entries
    assert (earlier.kind, earlier.days, earlier.size, earlier.reason) == ("earlier", -5, 5, "")
    assert (later.kind, later.from_date, later.to_date, later.days) == (
        "slip",
        D(2026, 12, 5),
        D(2026, 12, 12),
        7,
    )
    assert book.days_slipped == 7  # a move earlier takes no slipped day back


def test_an_explanation_on_a_move_earlier_is_not_shown():
    book = ledger.build_ledger(history(COMMITTED, D(2026, 12, 5)), {2: because("Other")})
    assert book.entries[0].explanation is None


def test_a_change_of_the_committed_date_is_an_entry_of_its_own():
    records = history(COMMITTED, COMMITTED, D(2026, 12, 20))
    records[1].committed_date = D(2026, 12, 3)
    records[2].committed_date = D(2026, 12, 3)
    book = ledger.build_ledger(records)
    assert [(e.kind, e.from_date, e.to_date) for e in book.entries] == [
        ("recommitted", COMMITTED, D(2026, 12, 3)),
        ("slip", COMMITTED, D(2026, 12, 20)),
    ]
    assert book.committed_date == COMMITTED  # as first promised


def test_saves_that_move_no_date_and_deletions_are_not_entries():
    records = history(COMMITTED, COMMITTED, D(2026, 12, 14))
    records.append(Record(4, D(2026, 12, 14), history_type="-"))
    book = ledger.build_ledger(records)
    assert [e.record_id for e in book.entries] == [3]
    assert book.slip(3) is book.entries[0]
    assert book.slip(2) is None
    assert book.slip(99) is None


def test_the_commitment_keeps_who_made_it_and_a_different_first_target():
    records = history(D(2026, 12, 12), history_user="Ana")
    book = ledger.build_ledger(records)
    assert (book.committed_by, book.first_target) == ("Ana", D(2026, 12, 12))


# --- Days slipped by reason ---------------------------------------------------------------------


def slip(record_id: int, days: int, source: str = Source.WEB) -> Slip:
    return Slip(
        D(2026, 12, 1),
        D(2026, 12, 1) + datetime.timedelta(days=days),
        None,
        None,
        record_id,
        source,
    )


def test_no_slips_have_no_reasons():
    assert ledger.days_by_reason([], {}) == []


def test_days_by_reason_run_most_first_with_the_cumulative_share():
    slips = [slip(1, 10), slip(2, 5), slip(3, 20), slip(4, 5, Source.SYNC), slip(5, 10)]
    explanations = {
        1: because("Scope grew"),
        2: because("Scope grew"),
        3: because("Estimate wrong"),
    }
    totals = ledger.days_by_reason(slips, explanations)
    assert [(t.label, t.slips, t.days, t.percent, t.cumulative_percent) for t in totals] == [
        ("Estimate wrong", 1, 20, 40, 40),
        ("Scope grew", 2, 15, 30, 70),
        ("No reason given", 1, 10, 20, 90),
        ("Changed in the sheet", 1, 5, 10, 100),
    ]
    assert [t.explained for t in totals] == [True, True, False, False]
    assert totals[-1].cumulative_share == pytest.approx(1.0)


def test_equal_days_put_the_reason_with_more_slips_first_then_the_name():
    slips = [slip(1, 6), slip(2, 3), slip(3, 3), slip(4, 6)]
    explanations = {
        1: because("Other"),
        2: because("Dependency late"),
        3: because("Dependency late"),
        4: because("Interrupted by incidents"),
    }
    assert [t.label for t in ledger.days_by_reason(slips, explanations)] == [
        "Dependency late",
        "Interrupted by incidents",
        "Other",
    ]


def test_an_explanation_given_later_moves_the_days_to_its_reason():
    slips = [slip(1, 4, Source.SYNC), slip(2, 4, Source.SYNC)]
    before = ledger.days_by_reason(slips, {})
    after = ledger.days_by_reason(slips, {2: because("Scope grew")})
    assert [(t.label, t.days) for t in before] == [("Changed in the sheet", 8)]
    assert [(t.label, t.days) for t in after] == [("Changed in the sheet", 4), ("Scope grew", 4)]


# --- What a slip put at risk, as it stood then (issue 16) ---------------------------------------


def _at(day: int) -> datetime.datetime:
    return datetime.datetime(2026, 10, day, 12, tzinfo=datetime.UTC)


def _downstream(pk: int, target: datetime.date, status: str = "on_track") -> SimpleNamespace:
    return SimpleNamespace(
        pk=pk, title=f"M{pk}", target_date=target, status=status, team=SimpleNamespace(name="T")
    )


def test_a_slip_puts_at_risk_what_waited_on_it_then_by_its_state_then():
    slip = ledger.LedgerEntry(
        ledger.SLIP, 9, _at(10), None, Source.WEB, D(2026, 12, 1), D(2026, 12, 15)
    )
    history = SimpleNamespace(
        links=[(_at(2), 1, True), (_at(2), 2, True), (_at(3), 3, True), (_at(12), 4, True)],
        states={
            # Due Dec 10 at the slip, moved to Dec 20 on the 11th: still listed, by Dec 10.
            1: [
                (_at(1), _downstream(1, D(2026, 12, 10))),
                (_at(11), _downstream(1, D(2026, 12, 20))),
            ],
            # Done at the slip, reopened since: the slip put nothing at risk.
            2: [
                (_at(1), _downstream(2, D(2026, 12, 5), "done")),
                (_at(11), _downstream(2, D(2026, 12, 5))),
            ],
            3: [(_at(1), _downstream(3, D(2026, 12, 3)))],
            4: [(_at(1), _downstream(4, D(2026, 12, 4)))],  # linked after the slip
        },
    )
    found = ledger.put_at_risk_at_slips([slip], history)
    assert [(m.pk, m.target_date) for m in found[9]] == [(3, D(2026, 12, 3)), (1, D(2026, 12, 10))]
