"""Making and revoking one's API tokens on the profile page (`api/token_views.py`)."""

from django.urls import reverse

from api.models import ApiToken
from api.tokens import create_token

PROFILE = "/accounts/profile/"
FIGURE = "/api/v1/quarters/current/figure"


def test_the_profile_lists_ones_live_tokens_never_their_secrets(client, engineer, lead):
    mine = create_token(user=engineer, name="Spreadsheet")
    gone = create_token(user=engineer, name="Old script")
    create_token(user=lead, name="The lead's")
    client.post(reverse("api_token_revoke", args=[gone.token.pk]))  # anonymous: nothing
    client.force_login(engineer)
    client.post(reverse("api_token_revoke", args=[gone.token.pk]))
    page = client.get(PROFILE).content.decode()
    assert "<strong>Spreadsheet</strong>" in page
    assert mine.token.prefix in page
    assert mine.secret not in page
    assert "<strong>Old script</strong>" not in page
    assert "The lead's" not in page
    assert f'action="{reverse("api_token_create")}"' in page


def test_a_new_token_is_shown_once_and_reads_the_api(client, engineer, quarter):
    client.force_login(engineer)
    response = client.post(reverse("api_token_create"), {"name": "Scripts"})
    assert response.status_code == 201
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert "shown this once" in response.content.decode()
    client.logout()
    assert client.get(FIGURE, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    client.force_login(engineer)
    assert secret not in client.get(PROFILE).content.decode()


def test_a_token_without_a_name_is_refused_next_to_the_field(client, engineer):
    client.force_login(engineer)
    response = client.post(reverse("api_token_create"), {"name": ""})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token_at_once(client, engineer, quarter):
    new = create_token(user=engineer, name="Scripts")
    headers = {"Authorization": f"Bearer {new.secret}"}
    assert client.get(FIGURE, headers=headers).status_code == 200
    client.force_login(engineer)
    response = client.post(reverse("api_token_revoke", args=[new.token.pk]), follow=True)
    assert "is revoked" in response.content.decode()
    client.logout()
    assert client.get(FIGURE, headers=headers).status_code == 401


def test_nobody_revokes_someone_elses_token(client, engineer, lead):
    new = create_token(user=engineer, name="Scripts")
    client.force_login(lead)
    assert client.post(reverse("api_token_revoke", args=[new.token.pk])).status_code == 404
    new.token.refresh_from_db()
    assert not new.token.is_revoked


def test_tokens_are_made_and_revoked_by_post_only(client, engineer):
    new = create_token(user=engineer, name="Scripts")
    client.force_login(engineer)
    assert client.get(reverse("api_token_create")).status_code == 405
    assert client.get(reverse("api_token_revoke", args=[new.token.pk])).status_code == 405
