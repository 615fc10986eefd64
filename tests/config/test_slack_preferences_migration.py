"""teams 0005 adds one's Slack preferences: every person is kept, with no member ID and the
mention on (it only takes effect once they set an ID)."""

import pytest


@pytest.mark.django_db(transaction=True)
def test_adding_slack_preferences_keeps_every_person(migrator):
    old = migrator.apply_tested_migration([("teams", "0004_history_of_people_and_teams")])
    User = old.apps.get_model("teams", "User")
    User.objects.create(username="ada", display_name="Ada", nudges_opt_out=True)
    User.objects.create(username="grace", display_name="Grace")

    new = migrator.apply_tested_migration([("teams", "0005_slack_preferences")])
    User = new.apps.get_model("teams", "User")
    assert list(
        User.objects.order_by("username").values_list(
            "username", "nudges_opt_out", "slack_member_id", "slack_mention"
        )
    ) == [("ada", True, "", True), ("grace", False, "", True)]
