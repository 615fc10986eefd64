"""A database built before reviews, nudges and the sheet sync had apps of their own migrates
forward with every row kept (milestones 0007, then reviews, nudges and sheets 0001).

django-test-migrations' migrator takes the fully migrated test database back to the old layout
(so the move also reverses), the test fills every table through the models as they were, and
the migrator brings it forward again. It runs on SQLite and on PostgreSQL alike (CI runs the
suite on both).
"""

import datetime

import pytest
from django.utils import timezone

BEFORE = [
    ("teams", "0002_nudges_opt_out"),
    ("milestones", "0006_default_slip_reasons"),
    ("reviews", None),
    ("nudges", None),
    ("sheets", None),
]
AFTER = [
    ("milestones", "0007_move_reviews_nudges_sync_out"),
    ("reviews", "0001_initial"),
    ("nudges", "0001_initial"),
    ("sheets", "0001_initial"),
]
# (old model, new model) of what moved.
MOVED = {
    ("milestones", "Review"): ("reviews", "Review"),
    ("milestones", "ReviewItem"): ("reviews", "ReviewItem"),
    ("milestones", "Nudge"): ("nudges", "Nudge"),
    ("milestones", "SyncRun"): ("sheets", "SyncRun"),
    ("milestones", "SyncState"): ("sheets", "SyncState"),
    ("milestones", "SyncConflict"): ("sheets", "SyncConflict"),
    ("milestones", "SyncLock"): ("sheets", "SyncLock"),
}
DAY = datetime.date(2026, 11, 16)


def _fill(apps) -> dict:
    """A small organisation with a row in every table of the old layout; its primary keys."""
    User = apps.get_model("teams", "User")
    Squad = apps.get_model("teams", "Squad")
    Team = apps.get_model("teams", "Team")
    Membership = apps.get_model("teams", "Membership")
    Quarter = apps.get_model("milestones", "Quarter")
    Milestone = apps.get_model("milestones", "Milestone")
    HistoricalMilestone = apps.get_model("milestones", "HistoricalMilestone")
    SlipReason = apps.get_model("milestones", "SlipReason")
    SlipExplanation = apps.get_model("milestones", "SlipExplanation")
    Review = apps.get_model("milestones", "Review")
    ReviewItem = apps.get_model("milestones", "ReviewItem")
    Nudge = apps.get_model("milestones", "Nudge")
    SyncRun = apps.get_model("milestones", "SyncRun")
    SyncState = apps.get_model("milestones", "SyncState")
    SyncConflict = apps.get_model("milestones", "SyncConflict")
    SyncLock = apps.get_model("milestones", "SyncLock")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")

    lead = User.objects.create(username="mobrien", display_name="Mateo O'Brien")
    squad = Squad.objects.create(name="Payments")
    team = Team.objects.create(name="Platform", slug="platform", squad=squad)
    Membership.objects.create(user=lead, team=team, role="tech_lead")
    quarter = Quarter.objects.create(
        year=2026, number=4, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 12, 31)
    )
    milestone = Milestone.objects.create(
        team=team,
        quarter=quarter,
        title="Ship the importer",
        owner=lead,
        committed_date=datetime.date(2026, 12, 1),
        target_date=datetime.date(2026, 12, 8),
        status="at_risk",
    )
    record = HistoricalMilestone.objects.create(
        id=milestone.pk,
        team=team,
        quarter=quarter,
        title=milestone.title,
        committed_date=milestone.committed_date,
        target_date=milestone.target_date,
        status=milestone.status,
        created_at=timezone.now(),
        history_date=timezone.now(),
        history_type="~",
        source="web",
    )
    SlipExplanation.objects.create(
        milestone=milestone,
        record=record,
        reason=SlipReason.objects.get_or_create(name="Scope grew")[0],
        note="Customer asked for CSV too",
    )
    first = Review.objects.create(team=team, quarter=quarter, held_on=DAY - datetime.timedelta(14))
    review = Review.objects.create(
        team=team, quarter=quarter, held_on=DAY, previous=first, summary="Importer slips a week"
    )
    item = ReviewItem.objects.create(
        review=review,
        milestone=milestone,
        title=milestone.title,
        status="at_risk",
        committed_date=milestone.committed_date,
        target_date=milestone.target_date,
        owner=lead,
        owner_name="Mateo",
        note="Waiting on the vendor",
    )
    nudge = Nudge.objects.create(user=lead, sent_on=DAY, kinds="review_overdue", subject="Hi")
    run = SyncRun.objects.create(trigger="command", status="partial", conflicts=1, errors=2)
    SyncState.objects.create(
        milestone=milestone,
        tab="Platform",
        row=2,
        values={"title": milestone.title},
        synced_at=timezone.now(),
    )
    conflict = SyncConflict.objects.create(
        milestone=milestone,
        field="status",
        sheet_value="done",
        app_value="at_risk",
        tab="Platform",
        row=2,
        column="D",
        detected_at=timezone.now(),
        run=run,
    )
    SyncLock.objects.create(name="sheet-sync", holder="")
    review_type, _ = ContentType.objects.get_or_create(app_label="milestones", model="review")
    permission, _ = Permission.objects.get_or_create(
        content_type=review_type, codename="change_review", defaults={"name": "Can change review"}
    )
    return {
        "review": review.pk,
        "item": item.pk,
        "nudge": nudge.pk,
        "run": run.pk,
        "conflict": conflict.pk,
        "milestone": milestone.pk,
        "review_type": review_type.pk,
        "permission": permission.pk,
    }


def _counts(apps, moved: bool) -> dict[tuple[str, str], int]:
    """Rows per model of the project's apps, labelled as in the old layout."""
    back = {new: old for old, new in MOVED.items()}
    counts = {}
    for model in apps.get_models():
        label = (model._meta.app_label, model.__name__)
        if label[0] not in {"teams", "milestones", "reviews", "nudges", "sheets"}:
            continue
        counts[back.get(label, label) if moved else label] = model.objects.count()
    return counts


@pytest.mark.django_db(transaction=True)
def test_moving_reviews_nudges_and_sync_records_to_their_apps_keeps_every_row(migrator):
    old = migrator.apply_tested_migration(BEFORE)
    keys = _fill(old.apps)
    before = _counts(old.apps, moved=False)
    assert all(before[label] > 0 for label in MOVED), before

    new = migrator.apply_tested_migration(AFTER)

    assert _counts(new.apps, moved=True) == before
    Review = new.apps.get_model("reviews", "Review")
    ReviewItem = new.apps.get_model("reviews", "ReviewItem")
    review = Review.objects.get(pk=keys["review"])
    assert review.summary == "Importer slips a week"
    assert review.previous.held_on == DAY - datetime.timedelta(14)
    item = ReviewItem.objects.select_related("review").get(pk=keys["item"])
    assert (item.review_id, item.milestone_id, item.note) == (
        keys["review"],
        keys["milestone"],
        "Waiting on the vendor",
    )
    assert new.apps.get_model("nudges", "Nudge").objects.get(pk=keys["nudge"]).sent_on == DAY
    conflict = new.apps.get_model("sheets", "SyncConflict").objects.get(pk=keys["conflict"])
    assert (conflict.run_id, conflict.sheet_value, conflict.milestone_id) == (
        keys["run"],
        "done",
        keys["milestone"],
    )
    assert new.apps.get_model("sheets", "SyncRun").objects.get(pk=keys["run"]).errors == 2


@pytest.mark.django_db(transaction=True)
def test_the_tables_take_their_apps_names_and_new_rows_get_fresh_keys(migrator):
    old = migrator.apply_tested_migration(BEFORE)
    keys = _fill(old.apps)

    new = migrator.apply_tested_migration(AFTER)

    Review = new.apps.get_model("reviews", "Review")
    SyncRun = new.apps.get_model("sheets", "SyncRun")
    assert Review._meta.db_table == "reviews_review"
    assert SyncRun._meta.db_table == "sheets_syncrun"
    # The sequences moved with the tables: a new row does not reuse a kept row's key.
    run = SyncRun.objects.create(trigger="web")
    assert run.pk > keys["run"]


@pytest.mark.django_db(transaction=True)
def test_permissions_follow_the_moved_models(migrator):
    old = migrator.apply_tested_migration(BEFORE)
    keys = _fill(old.apps)

    new = migrator.apply_tested_migration(AFTER)

    ContentType = new.apps.get_model("contenttypes", "ContentType")
    Permission = new.apps.get_model("auth", "Permission")
    moved = ContentType.objects.get(pk=keys["review_type"])
    assert (moved.app_label, moved.model) == ("reviews", "review")
    assert Permission.objects.get(pk=keys["permission"]).content_type_id == moved.pk
    assert not ContentType.objects.filter(app_label="milestones", model="review").exists()
