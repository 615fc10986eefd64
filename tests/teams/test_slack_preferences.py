"""One's Slack preferences on the profile page: a member ID (checked, the error beside the
field, how to find it in the help text) and whether the team's Slack nudges @-mention one."""

import re

import pytest

from api.tokens import create_token

PROFILE = "/accounts/profile/"
MEMBER_ID = "U0123ABCDE"


def slack(data: dict) -> dict:
    return {"form": "slack", **data}


def field_block(page: str, name: str) -> str:
    """The `.field` div holding the named input: its label, input, errors and help text."""
    start = page.index(f'name="{name}"')
    return page[page.rindex('<div class="field', 0, start) : page.index("</div>\n", start)]


def test_the_profile_offers_a_member_id_explained_and_the_mention_ticked(client, engineer):
    client.force_login(engineer)
    page = client.get(PROFILE).content.decode()
    assert "Slack member ID" in page
    assert "Copy member ID" in page  # how to find it
    mention = re.search(r'<input type="checkbox" name="slack_mention"[^>]*>', page).group(0)
    assert "checked" in mention
    assert "Mention me in my team&#x27;s Slack nudges" in page


@pytest.mark.parametrize("member_id", ["U0123ABCDE", "W01234567", "U0123456789A"])
def test_a_slack_member_id_is_saved(client, engineer, member_id):
    client.force_login(engineer)
    response = client.post(
        PROFILE, slack({"slack_member_id": member_id, "slack_mention": "on"}), follow=True
    )
    assert response.redirect_chain == [(PROFILE, 302)]
    assert "Your team&#x27;s Slack nudges will mention you." in response.content.decode()
    engineer.refresh_from_db()
    assert (engineer.slack_member_id, engineer.slack_mention) == (member_id, True)
    assert engineer.slack_mention_id == member_id


@pytest.mark.parametrize(
    "member_id",
    ["@ada", "u0123abcde", "U0123", "U0123456789AB", "C0123ABCDE", "U0123-ABCD", "ada.lovelace"],
)
def test_a_malformed_member_id_is_refused_beside_the_field(client, engineer, member_id):
    client.force_login(engineer)
    response = client.post(PROFILE, slack({"slack_member_id": member_id, "slack_mention": "on"}))
    assert response.status_code == 422
    around = field_block(response.content.decode(), "slack_member_id")
    assert 'class="errorlist"' in around
    assert "A Slack member ID is U or W followed by 8 to 11 capital letters or digits" in around
    engineer.refresh_from_db()
    assert engineer.slack_member_id == ""


def test_unticking_the_mention_keeps_the_id_and_only_names_one(client, engineer):
    engineer.slack_member_id = MEMBER_ID
    engineer.save()
    client.force_login(engineer)
    response = client.post(PROFILE, slack({"slack_member_id": MEMBER_ID}), follow=True)
    assert "will name you without mentioning you" in response.content.decode()
    engineer.refresh_from_db()
    assert (engineer.slack_member_id, engineer.slack_mention) == (MEMBER_ID, False)
    assert engineer.slack_mention_id == ""


def test_the_slack_form_leaves_the_e_mail_opt_out_alone(client, engineer):
    engineer.nudges_opt_out = True
    engineer.save()
    client.force_login(engineer)
    client.post(PROFILE, slack({"slack_member_id": MEMBER_ID, "slack_mention": "on"}))
    engineer.refresh_from_db()
    assert engineer.nudges_opt_out is True
    assert engineer.slack_member_id == MEMBER_ID


def test_the_e_mail_form_leaves_the_slack_preferences_alone(client, engineer):
    engineer.slack_member_id = MEMBER_ID
    engineer.save()
    client.force_login(engineer)
    client.post(PROFILE, {"nudges_opt_out": "on"})
    engineer.refresh_from_db()
    assert (engineer.slack_member_id, engineer.slack_mention) == (MEMBER_ID, True)


@pytest.mark.parametrize("size", [0, 4])
def test_the_profile_page_takes_a_constant_number_of_queries(
    client, engineer, django_assert_max_num_queries, size
):
    engineer.slack_member_id = MEMBER_ID if size else ""
    engineer.save()
    for n in range(size):
        create_token(user=engineer, name=f"Script {n}")
    client.force_login(engineer)
    # The session, the person, their team and their tokens: as before the Slack form.
    with django_assert_max_num_queries(4):
        assert client.get(PROFILE).status_code == 200
    with django_assert_max_num_queries(4):
        response = client.post(PROFILE, slack({"slack_member_id": "nope"}))
        assert response.status_code == 422
