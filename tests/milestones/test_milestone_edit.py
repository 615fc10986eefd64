"""The edit row (`milestones.views.team.milestone_edit`, and the display row Cancel brings back):
what each user may change, saving against the version loaded, 422 beside the field, 403 and
404, and the reason asked when the target date moves later."""

import datetime

import pytest

from milestones.history import Source
from milestones.models import Milestone, SlipExplanation, SlipReason
from tests.factories import MilestoneFactory, SlipReasonFactory, TeamFactory
from tests.html import by_id, input_value, selected_option, text
from tests.milestones.helpers import HTMX, engineer_data, latest_record, reload, row_data, url

D = datetime.date


# --- Showing the edit row ----------------------------------------------------------------------


def test_edit_row_offers_the_owner_only_what_an_engineer_may_change(client, engineer, milestone):
    client.force_login(engineer)
    response = client.get(url("edit", milestone), **HTMX)
    assert response.status_code == 200
    row = by_id(response, f"milestone-{milestone.pk}")
    names = {"status", "target_date", "delivered_date", "notes"}
    for name in names:
        assert f'name="{name}"' in row
    for name in ("title", "description", "owner", "committed_date"):
        assert f'name="{name}"' not in row
    assert "Ship the importer" in text(row)  # the title, as text


def test_edit_row_offers_the_lead_every_field_and_labels_each_input(client, lead, milestone):
    client.force_login(lead)
    row = by_id(client.get(url("edit", milestone), **HTMX), f"milestone-{milestone.pk}")
    for name, label in [
        ("title", "Title"),
        ("description", "Description"),
        ("notes", "Notes"),
        ("owner", "Owner"),
        ("committed_date", "Committed date"),
        ("target_date", "Target date"),
        ("status", "Status"),
        ("delivered_date", "Delivered date"),
    ]:
        assert f'id="m{milestone.pk}-{name}"' in row
        assert f'aria-label="{label}"' in row
    assert 'type="date"' in row
    assert f'name="version" value="{milestone.version}"' in row


def test_edit_row_puts_the_focus_on_its_first_input(client, engineer, milestone):
    client.force_login(engineer)
    response = client.get(url("edit", milestone), **HTMX)
    assert "autofocus" in by_id(response, f"m{milestone.pk}-target_date")


def test_edit_row_offers_the_engineer_no_drop(client, engineer, milestone):
    client.force_login(engineer)
    response = client.get(url("edit", milestone), **HTMX)
    assert 'value="dropped"' not in by_id(response, f"m{milestone.pk}-status")


def test_edit_without_javascript_is_the_team_page_with_the_row_in_edit_mode(
    client, engineer, milestone
):
    client.force_login(engineer)
    response = client.get(url("edit", milestone))
    assert response.status_code == 200
    assert "<h1>Platform</h1>" in response.content.decode()
    assert f'id="m{milestone.pk}-form"' in by_id(response, f"milestone-{milestone.pk}")


def test_edit_answers_htmx_and_plain_browsers_differently_so_caches_must_vary(
    client, engineer, milestone
):
    client.force_login(engineer)
    assert "HX-Request" in client.get(url("edit", milestone), **HTMX)["Vary"]


# --- Saving -------------------------------------------------------------------------------------


def test_owner_changes_status_target_and_notes_in_place(client, engineer, milestone, scope_grew):
    client.force_login(engineer)
    response = client.post(
        url("edit", milestone),
        engineer_data(
            milestone,
            status="at_risk",
            target_date="2026-12-17",
            notes="Vendor late",
            slip_reason=scope_grew.pk,
        ),
        **HTMX,
    )
    assert response.status_code == 200
    row = by_id(response, f"milestone-{milestone.pk}")
    assert "At risk" in text(row)
    assert "Dec 17" in text(row)
    assert "Vendor late" in text(row)
    saved = reload(milestone)
    assert (saved.status, saved.target_date, saved.notes) == (
        "at_risk",
        D(2026, 12, 17),
        "Vendor late",
    )


def test_saving_bumps_the_version_and_records_who_from_the_web(client, engineer, milestone):
    client.force_login(engineer)
    client.post(url("edit", milestone), engineer_data(milestone, notes="Vendor late"), **HTMX)
    saved = reload(milestone)
    assert saved.version == 2
    record = saved.history.order_by("-history_id").first()
    assert (record.history_user, record.source, record.notes) == (
        engineer,
        Source.WEB,
        "Vendor late",
    )


def test_saved_row_refreshes_the_team_figures_and_says_so(client, engineer, milestone):
    client.force_login(engineer)
    response = client.post(
        url("edit", milestone),
        engineer_data(milestone, status="done", delivered_date="2026-11-20"),
        **HTMX,
    )
    figures = by_id(response, "team-figures")
    assert 'hx-swap-oob="true"' in figures
    assert "1 of 1 done" in text(figures)
    assert "Saved “Ship the importer”." in text(by_id(response, "flash"))


def test_saved_row_gives_the_focus_back_to_its_edit_button(client, engineer, milestone):
    client.force_login(engineer)
    response = client.post(url("edit", milestone), engineer_data(milestone, notes="x"), **HTMX)
    assert "autofocus" in by_id(response, f"m{milestone.pk}-edit")


def test_plain_post_saves_and_redirects_to_the_row_on_its_team_page(client, engineer, milestone):
    client.force_login(engineer)
    response = client.post(url("edit", milestone), engineer_data(milestone, notes="No JS"))
    assert response.status_code == 302
    assert response["Location"] == f"/teams/platform/?quarter=2026-q4#milestone-{milestone.pk}"
    assert reload(milestone).notes == "No JS"
    page = client.get(response["Location"])
    assert "Saved “Ship the importer”." in text(page)


def test_lead_changes_title_owner_and_committed_date_of_an_unlocked_quarter(
    client, lead, other_engineer, milestone
):
    client.force_login(lead)
    response = client.post(
        url("edit", milestone),
        row_data(
            milestone,
            title="Ship the importer v2",
            owner=other_engineer.pk,
            committed_date="2026-12-03",
            description="Both formats",
        ),
        **HTMX,
    )
    assert response.status_code == 200
    saved = reload(milestone)
    assert (saved.title, saved.owner, saved.committed_date, saved.description) == (
        "Ship the importer v2",
        other_engineer,
        D(2026, 12, 3),
        "Both formats",
    )


def test_saving_an_unchanged_row_writes_nothing(client, engineer, milestone):
    client.force_login(engineer)
    response = client.post(url("edit", milestone), engineer_data(milestone), **HTMX)
    assert response.status_code == 200
    assert reload(milestone).version == 1
    assert milestone.history.count() == 1


def test_leaving_done_clears_the_delivered_date(client, engineer, team, quarter):
    milestone = MilestoneFactory(team=team, quarter=quarter, owner=engineer, done=True)
    client.force_login(engineer)
    data = engineer_data(milestone, status="on_track")
    response = client.post(url("edit", milestone), data, **HTMX)
    assert response.status_code == 200
    saved = reload(milestone)
    assert (saved.status, saved.delivered_date) == ("on_track", None)


# --- Validation: 422, the message beside its field, nothing typed lost ---------------------------


def test_done_without_a_delivered_date_is_refused_beside_the_field(client, engineer, milestone):
    client.force_login(engineer)
    response = client.post(
        url("edit", milestone),
        engineer_data(milestone, status="done", target_date="2026-12-14", notes="Shipped!"),
        **HTMX,
    )
    assert response.status_code == 422
    error = by_id(response, f"m{milestone.pk}-delivered_date_error")
    assert "A done milestone needs the date it was delivered." in text(error)
    field = by_id(response, f"m{milestone.pk}-delivered_date")
    assert 'aria-invalid="true"' in field
    assert f'aria-describedby="m{milestone.pk}-delivered_date_error"' in field
    assert "autofocus" in field


def test_a_refused_edit_keeps_everything_typed(client, engineer, milestone):
    client.force_login(engineer)
    response = client.post(
        url("edit", milestone),
        engineer_data(milestone, status="done", target_date="2026-12-14", notes="Shipped!"),
        **HTMX,
    )
    assert selected_option(response, f"m{milestone.pk}-status") == "done"
    assert input_value(response, f"m{milestone.pk}-target_date") == "2026-12-14"
    assert "Shipped!" in by_id(response, f"m{milestone.pk}-notes")
    assert reload(milestone).version == 1


def test_a_date_that_is_not_a_date_is_refused_beside_the_field(client, engineer, milestone):
    client.force_login(engineer)
    response = client.post(
        url("edit", milestone), engineer_data(milestone, target_date="next Tuesday"), **HTMX
    )
    assert response.status_code == 422
    assert "Enter a valid date." in text(by_id(response, f"m{milestone.pk}-target_date_error"))


def test_a_delivery_in_the_future_is_refused(client, engineer, milestone):
    client.force_login(engineer)
    response = client.post(
        url("edit", milestone),
        engineer_data(milestone, status="done", delivered_date="2026-11-30"),
        **HTMX,
    )
    assert response.status_code == 422
    assert "cannot be in the future" in text(
        by_id(response, f"m{milestone.pk}-delivered_date_error")
    )


def test_an_empty_title_is_refused_beside_the_title(client, lead, milestone):
    client.force_login(lead)
    response = client.post(url("edit", milestone), row_data(milestone, title=""), **HTMX)
    assert response.status_code == 422
    assert "This field is required." in text(by_id(response, f"m{milestone.pk}-title_error"))


def test_notes_over_the_limit_are_refused_beside_the_notes_and_kept(client, engineer, milestone):
    client.force_login(engineer)
    notes = "A long story. " * 800  # 11,200 characters
    response = client.post(url("edit", milestone), engineer_data(milestone, notes=notes), **HTMX)
    assert response.status_code == 422
    assert "Keep this to 10,000 characters" in text(by_id(response, f"m{milestone.pk}-notes_error"))
    assert notes.strip() in by_id(response, f"m{milestone.pk}-notes")
    assert reload(milestone).version == 1


def test_a_title_of_two_lines_is_refused_beside_the_title(client, lead, milestone):
    client.force_login(lead)
    response = client.post(url("edit", milestone), row_data(milestone, title="Ship\nit"), **HTMX)
    assert response.status_code == 422
    assert "A title is one line" in text(by_id(response, f"m{milestone.pk}-title_error"))


def test_a_refused_plain_post_shows_the_team_page_with_the_row_and_its_errors(
    client, engineer, milestone
):
    client.force_login(engineer)
    response = client.post(
        url("edit", milestone), engineer_data(milestone, status="done", notes="Shipped!")
    )
    assert response.status_code == 422
    assert "<h1>Platform</h1>" in response.content.decode()
    assert "A done milestone needs the date it was delivered." in text(
        by_id(response, f"m{milestone.pk}-delivered_date_error")
    )
    assert "Shipped!" in by_id(response, f"m{milestone.pk}-notes")


# --- Permissions: 403 for what the user may not change, 404 for what is not there ---------------


def test_engineer_cannot_edit_a_milestone_they_do_not_own(client, other_engineer, milestone):
    client.force_login(other_engineer)
    assert client.get(url("edit", milestone), **HTMX).status_code == 403
    response = client.post(url("edit", milestone), engineer_data(milestone, notes="mine"), **HTMX)
    assert response.status_code == 403
    assert reload(milestone).notes == ""


def test_engineer_cannot_change_the_title_even_by_posting_it(client, engineer, milestone):
    client.force_login(engineer)
    response = client.post(url("edit", milestone), row_data(milestone, title="Renamed"), **HTMX)
    assert response.status_code == 403
    assert reload(milestone).title == "Ship the importer"


def test_engineer_may_post_fields_they_cannot_change_as_long_as_they_are_unchanged(
    client, engineer, milestone
):
    client.force_login(engineer)
    response = client.post(url("edit", milestone), row_data(milestone, notes="ok"), **HTMX)
    assert response.status_code == 200
    assert reload(milestone).notes == "ok"


def test_engineer_cannot_drop_their_milestone_through_its_status(client, engineer, milestone):
    client.force_login(engineer)
    response = client.post(
        url("edit", milestone), engineer_data(milestone, status="dropped"), **HTMX
    )
    assert response.status_code == 403
    assert reload(milestone).status == "on_track"


def test_engineer_cannot_edit_their_milestone_once_it_is_dropped(client, engineer, milestone):
    Milestone.objects.filter(pk=milestone.pk).update(status="dropped")
    client.force_login(engineer)
    assert client.get(url("edit", milestone), **HTMX).status_code == 403


def test_lead_of_another_team_cannot_edit(client, outsider_lead, milestone):
    client.force_login(outsider_lead)
    response = client.post(url("edit", milestone), row_data(milestone, notes="x"), **HTMX)
    assert response.status_code == 403


def test_lead_cannot_move_the_committed_date_once_the_quarter_is_locked(
    client, lead, milestone, quarter
):
    quarter.locked = True
    quarter.save()
    client.force_login(lead)
    response = client.post(
        url("edit", milestone), row_data(milestone, committed_date="2026-12-20"), **HTMX
    )
    assert response.status_code == 403
    assert reload(milestone).committed_date == D(2026, 12, 10)


def test_locked_committed_date_is_shown_as_text_to_the_lead(client, lead, milestone, quarter):
    quarter.locked = True
    quarter.save()
    client.force_login(lead)
    row = by_id(client.get(url("edit", milestone), **HTMX), f"milestone-{milestone.pk}")
    assert 'name="committed_date"' not in row
    assert "Dec 10" in text(row)
    assert "locked" in text(row)


def test_lead_still_moves_the_target_date_of_a_locked_quarter(
    client, lead, milestone, quarter, scope_grew
):
    quarter.locked = True
    quarter.save()
    client.force_login(lead)
    response = client.post(
        url("edit", milestone),
        row_data(milestone, target_date="2026-12-20", slip_reason=scope_grew.pk),
        **HTMX,
    )
    assert response.status_code == 200
    assert reload(milestone).target_date == D(2026, 12, 20)


def test_leadership_moves_the_committed_date_of_a_locked_quarter(client, vp, milestone, quarter):
    quarter.locked = True
    quarter.save()
    client.force_login(vp)
    response = client.post(
        url("edit", milestone), row_data(milestone, committed_date="2026-12-20"), **HTMX
    )
    assert response.status_code == 200
    assert reload(milestone).committed_date == D(2026, 12, 20)


def test_leadership_excuses_a_dropped_milestone(client, vp, milestone):
    Milestone.objects.filter(pk=milestone.pk).update(status="dropped")
    milestone.refresh_from_db()
    client.force_login(vp)
    response = client.post(url("edit", milestone), row_data(milestone, excused="on"), **HTMX)
    assert response.status_code == 200
    assert reload(milestone).excused is True


def test_lead_cannot_excuse_a_drop(client, lead, milestone):
    Milestone.objects.filter(pk=milestone.pk).update(status="dropped")
    milestone.refresh_from_db()
    client.force_login(lead)
    response = client.post(url("edit", milestone), row_data(milestone, excused="on"), **HTMX)
    assert response.status_code == 403
    assert reload(milestone).excused is False


def test_an_owner_from_another_team_is_refused(client, lead, outsider_lead, milestone):
    client.force_login(lead)
    response = client.post(
        url("edit", milestone), row_data(milestone, owner=outsider_lead.pk), **HTMX
    )
    assert response.status_code == 422
    assert "Select a valid choice" in text(by_id(response, f"m{milestone.pk}-owner_error"))


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_milestone_id_under_another_teams_slug_is_not_found(client, vp, milestone, method):
    other = TeamFactory(name="Billing", slug="billing")
    client.force_login(vp)
    path = f"/teams/{other.slug}/milestones/{milestone.pk}/edit/"
    response = getattr(client, method)(path, row_data(milestone, notes="x"), **HTMX)
    assert response.status_code == 404
    assert reload(milestone).notes == ""


def test_an_unknown_milestone_is_not_found(client, vp, team):
    client.force_login(vp)
    assert client.get(f"/teams/{team.slug}/milestones/999999/edit/", **HTMX).status_code == 404


def test_cancel_brings_back_the_display_row(client, engineer, milestone):
    client.force_login(engineer)
    response = client.get(url("row", milestone), **HTMX)
    assert response.status_code == 200
    row = by_id(response, f"milestone-{milestone.pk}")
    assert "editing" not in row.split(">", 1)[0]
    assert "autofocus" in by_id(response, f"m{milestone.pk}-edit")


def test_the_display_row_without_javascript_is_its_place_on_the_team_page(
    client, engineer, milestone
):
    client.force_login(engineer)
    response = client.get(url("row", milestone))
    assert response.status_code == 302
    assert response["Location"] == f"/teams/platform/?quarter=2026-q4#milestone-{milestone.pk}"


# --- Why the target moves later: the reason asked in the edit row -----------------------------


def test_the_edit_row_offers_the_active_reasons_with_a_hint(client, lead, milestone):
    SlipReason.objects.filter(name="Other").update(active=False)
    client.force_login(lead)
    row = by_id(client.get(url("edit", milestone), **HTMX), f"milestone-{milestone.pk}")
    select = by_id(row, f"m{milestone.pk}-slip_reason")
    assert "Scope grew" in select
    assert "Interrupted by incidents" in select
    assert "Other" not in select  # retired by leadership
    assert "Needed when the target date moves later" in text(row)
    assert f'aria-describedby="m{milestone.pk}-slip_reason_helptext"' in select


def test_moving_the_target_later_without_a_reason_is_refused_beside_the_reason(
    client, engineer, milestone
):
    client.force_login(engineer)
    response = client.post(
        url("edit", milestone),
        engineer_data(milestone, target_date="2026-12-17", notes="Vendor late"),
        **HTMX,
    )
    assert response.status_code == 422
    error = by_id(response, f"m{milestone.pk}-slip_reason_error")
    assert "The target date moves later: pick the reason why." in text(error)
    select = by_id(response, f"m{milestone.pk}-slip_reason")
    assert 'aria-invalid="true"' in select
    assert "autofocus" in select
    # Everything typed is kept, nothing is saved.
    assert input_value(response, f"m{milestone.pk}-target_date") == "2026-12-17"
    assert "Vendor late" in by_id(response, f"m{milestone.pk}-notes")
    assert reload(milestone).version == 1
    assert not SlipExplanation.objects.exists()


def test_the_missing_reason_is_said_together_with_the_other_errors(client, engineer, milestone):
    client.force_login(engineer)
    response = client.post(
        url("edit", milestone),
        engineer_data(milestone, target_date="2026-12-17", status="done"),
        **HTMX,
    )
    assert response.status_code == 422
    assert "delivered" in text(by_id(response, f"m{milestone.pk}-delivered_date_error"))
    assert "pick the reason" in text(by_id(response, f"m{milestone.pk}-slip_reason_error"))


def test_the_reason_picked_is_recorded_on_the_move_that_slipped(client, lead, milestone):
    dependency = SlipReason.objects.get(name="Dependency late")
    client.force_login(lead)
    response = client.post(
        url("edit", milestone),
        row_data(
            milestone, target_date="2026-12-17", slip_reason=dependency.pk, slip_note="Vendor API"
        ),
        **HTMX,
    )
    assert response.status_code == 200
    saved = reload(milestone)
    assert (saved.target_date, saved.version) == (D(2026, 12, 17), 2)
    explanation = SlipExplanation.objects.get()
    assert explanation.record == latest_record(milestone)
    assert (explanation.milestone, explanation.reason, explanation.note) == (
        saved,
        dependency,
        "Vendor API",
    )
    assert explanation.given_by == lead


def test_moving_the_target_earlier_or_not_at_all_asks_for_no_reason(client, lead, milestone):
    client.force_login(lead)
    earlier = client.post(
        url("edit", milestone), row_data(milestone, target_date="2026-12-03"), **HTMX
    )
    assert earlier.status_code == 200
    same = client.post(url("edit", milestone), row_data(reload(milestone), notes="x"), **HTMX)
    assert same.status_code == 200
    assert reload(milestone).version == 3
    assert not SlipExplanation.objects.exists()


def test_a_reason_picked_for_a_move_that_is_not_later_is_not_recorded(
    client, lead, milestone, scope_grew
):
    client.force_login(lead)
    client.post(
        url("edit", milestone),
        row_data(milestone, target_date="2026-12-03", slip_reason=scope_grew.pk),
        **HTMX,
    )
    assert reload(milestone).target_date == D(2026, 12, 3)
    assert not SlipExplanation.objects.exists()


def test_without_javascript_a_missing_reason_is_the_team_page_with_the_row_asking(
    client, lead, milestone
):
    client.force_login(lead)
    response = client.post(url("edit", milestone), row_data(milestone, target_date="2026-12-17"))
    assert response.status_code == 422
    assert "<h1>Platform</h1>" in response.content.decode()
    row = by_id(response, f"milestone-{milestone.pk}")
    assert "pick the reason why" in text(row)
    assert input_value(row, f"m{milestone.pk}-target_date") == "2026-12-17"

    reason = SlipReason.objects.get(name="Estimate wrong")
    data = row_data(milestone, target_date="2026-12-17", slip_reason=reason.pk)
    response = client.post(url("edit", milestone), data)
    assert response.status_code == 302
    assert SlipExplanation.objects.get().reason == reason


def test_a_stale_edit_is_a_conflict_before_any_reason_is_asked(client, lead, engineer, milestone):
    client.force_login(engineer)
    client.post(url("edit", milestone), engineer_data(milestone, notes="mine"), **HTMX)
    client.force_login(lead)
    response = client.post(
        url("edit", milestone), row_data(milestone, target_date="2026-12-17"), **HTMX
    )
    assert response.status_code == 409
    assert "Nothing of yours was saved" in text(response)
    assert reload(milestone).target_date == D(2026, 12, 10)


def test_saving_again_by_htmx_after_a_conflict_leaves_no_message_for_the_next_page(
    client, lead, engineer, milestone
):
    stale = engineer_data(milestone, notes="mine")
    client.force_login(lead)
    client.post(url("edit", milestone), row_data(milestone, notes="theirs"), **HTMX)
    client.force_login(engineer)
    assert client.post(url("edit", milestone), stale, **HTMX).status_code == 409
    again = engineer_data(reload(milestone), notes="mine")
    saved = client.post(url("edit", milestone), again, **HTMX)
    assert "Saved “Ship the importer”." in text(by_id(saved, "flash"))
    page = client.get(f"/teams/platform/?quarter=2026-q4#milestone-{milestone.pk}")
    assert "Saved “Ship the importer”." not in text(page)


def test_with_every_reason_retired_a_move_later_is_saved_without_one(client, lead, milestone):
    SlipReason.objects.update(active=False)
    client.force_login(lead)
    response = client.post(
        url("edit", milestone), row_data(milestone, target_date="2026-12-17"), **HTMX
    )
    assert response.status_code == 200
    assert reload(milestone).target_date == D(2026, 12, 17)


def test_a_retired_reason_cannot_be_posted(client, lead, milestone):
    retired = SlipReasonFactory(name="Holidays", active=False)
    client.force_login(lead)
    response = client.post(
        url("edit", milestone),
        row_data(milestone, target_date="2026-12-17", slip_reason=retired.pk),
        **HTMX,
    )
    assert response.status_code == 422
    assert "Select a valid choice" in text(by_id(response, f"m{milestone.pk}-slip_reason_error"))


def test_a_user_who_may_not_move_the_target_is_offered_no_reason(client, other_engineer, milestone):
    client.force_login(other_engineer)
    assert client.get(url("edit", milestone), **HTMX).status_code == 403


# --- A target date in the past ------------------------------------------------------------------


def test_a_past_target_on_an_open_milestone_asks_to_confirm_beside_the_field(
    client, engineer, milestone
):
    client.force_login(engineer)
    response = client.post(
        url("edit", milestone),
        engineer_data(milestone, target_date="2026-11-20", notes="Moved up"),  # today Nov 25
        **HTMX,
    )
    assert response.status_code == 422
    error = by_id(response, f"m{milestone.pk}-target_date_error")
    assert "This date is in the past, and the milestone is still open" in text(error)
    confirm = by_id(response, f"m{milestone.pk}-confirm_past_target")
    assert 'type="checkbox"' in confirm
    assert "Yes, the target date is in the past" in text(response.content.decode())
    # Nothing saved, everything typed kept.
    assert input_value(response, f"m{milestone.pk}-target_date") == "2026-11-20"
    assert "Moved up" in by_id(response, f"m{milestone.pk}-notes")
    assert reload(milestone).version == 1


def test_a_confirmed_past_target_is_saved(client, engineer, milestone):
    client.force_login(engineer)
    response = client.post(
        url("edit", milestone),
        engineer_data(milestone, target_date="2026-11-20", confirm_past_target="on"),
        **HTMX,
    )
    assert response.status_code == 200
    assert reload(milestone).target_date == D(2026, 11, 20)


def test_the_edit_row_offers_no_confirmation_until_it_is_needed(client, engineer, milestone):
    client.force_login(engineer)
    row = by_id(client.get(url("edit", milestone), **HTMX), f"milestone-{milestone.pk}")
    assert "confirm_past_target" not in row


@pytest.mark.parametrize(
    "changes",
    [
        {"target_date": "2026-11-25"},  # today is not the past
        {"status": "done", "target_date": "2026-11-20", "delivered_date": "2026-11-20"},
        {"notes": "A note"},  # the target date does not move
    ],
)
def test_no_confirmation_is_asked_for_today_a_done_milestone_or_an_unmoved_date(
    client, engineer, team, quarter, scope_grew, changes
):
    past = MilestoneFactory(
        team=team,
        quarter=quarter,
        owner=engineer,
        committed_date=D(2026, 11, 10),
        target_date=D(2026, 11, 10),
    )
    client.force_login(engineer)
    data = engineer_data(past, slip_reason=scope_grew.pk, **changes)
    response = client.post(url("edit", past), data, **HTMX)
    assert response.status_code == 200
    assert reload(past).version == 2


# --- Queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 15])
def test_edit_row_costs_the_same_queries_whatever_the_size_of_the_table(
    client, lead, team, quarter, milestone, django_assert_num_queries, size
):
    for n in range(size):
        MilestoneFactory(team=team, quarter=quarter, position=n + 1)
    client.force_login(lead)
    # session, user, the milestone with its team, squad, quarter and owner, the user's
    # membership, the owner's options and the slip reasons: no table is read for one row
    with django_assert_num_queries(6):
        response = client.get(url("edit", milestone), **HTMX)
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 15])
def test_a_stale_save_costs_the_same_queries_whatever_the_size_of_the_table(
    client, engineer, team, quarter, milestone, django_assert_num_queries, size
):
    for n in range(size):
        MilestoneFactory(team=team, quarter=quarter, position=n + 1)
    data = engineer_data(milestone, notes="Too late")
    milestone.notes, milestone.version = "Someone else's", milestone.version + 1
    milestone.save()  # saved by someone else since the row was loaded
    client.force_login(engineer)
    # session, user, the milestone, the user's membership, the milestone locked at its version
    # (409) in a transaction (here a savepoint, its rollback and release), who saved it last
    # and the slip reasons of the edit row sent back: no table is read for one row
    with django_assert_num_queries(10):
        response = client.post(url("edit", milestone), data, **HTMX)
    assert response.status_code == 409
