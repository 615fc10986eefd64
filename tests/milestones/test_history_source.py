from milestones.history import Source, history_source
from tests.factories import MilestoneFactory


def test_changes_outside_a_request_are_recorded_as_command(team, quarter):
    milestone = MilestoneFactory(team=team, quarter=quarter)
    assert milestone.history.get().source == Source.COMMAND


def test_the_sync_marks_its_changes_as_sync(team, quarter):
    milestone = MilestoneFactory(team=team, quarter=quarter)
    with history_source(Source.SYNC):
        milestone.notes = "from the sheet"
        milestone.save()
    latest = milestone.history.order_by("-history_id").first()
    assert latest.source == Source.SYNC
    assert latest.notes == "from the sheet"


def test_admin_edits_are_recorded_as_admin_with_the_user(client, vp, team, quarter):
    vp.is_staff = vp.is_superuser = True
    vp.save()
    milestone = MilestoneFactory(team=team, quarter=quarter, title="Old title")
    client.force_login(vp)
    response = client.post(
        f"/admin/milestones/milestone/{milestone.pk}/change/",
        {
            "team": team.pk,
            "quarter": quarter.pk,
            "title": "New title",
            "description": "",
            "owner": "",
            "committed_date": milestone.committed_date.isoformat(),
            "target_date": milestone.target_date.isoformat(),
            "status": "on_track",
            "delivered_date": "",
            "notes": "",
            "position": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = milestone.history.order_by("-history_id").first()
    assert (latest.title, latest.source, latest.history_user) == ("New title", "admin", vp)
