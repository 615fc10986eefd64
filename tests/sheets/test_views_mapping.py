"""The column mapping page, the sync preview page, and the Sync page's tabs to map."""

import pytest
from django.urls import reverse

from sheets.models import ColumnMapping
from sheets.run import sync_sheet
from teams.models import Team
from tests.factories import TeamFactory, trio
from tests.sheets.conftest import TODAY

pytestmark = pytest.mark.django_db

UNKNOWN = ["Deliverable", "Owner", "Commit date", "Status"]
COLUMNS = reverse("sheets:columns", args=["platform"])
PREVIEW = reverse("sheets:preview")


@pytest.fixture
def sheet_of(q4, settings, sheets_emulator):
    """sheet_of(count): Platform's tab with unknown headers and `count` - 1 other teams'."""

    def load(count):
        tabs = []
        for number in range(count):
            name = "Platform" if number == 0 else f"Team {number}"
            slug = name.lower().replace(" ", "-")
            team = Team.objects.filter(slug=slug).first() or trio(name=name, slug=slug)[0]
            lead = team.tech_lead
            header = UNKNOWN if number == 0 else ["Milestone", "Owner", "Target date", "Status"]
            rows = [[f"Row of {name}", lead.name, "12/1/2026", "On track"]]
            tabs.append({"title": name, "sheetId": 100 + number, "values": [header, *rows]})
        settings.MILEPOST_SHEETS_API_URL = sheets_emulator.url
        settings.GOOGLE_APPLICATION_CREDENTIALS = ""
        settings.MILEPOST_SHEET_KEY = sheets_emulator.load(
            {"spreadsheetId": f"views{count}", "title": "Views", "sheets": tabs}
        )

    return load


def posted(**choices):
    data = {f"header-{index}": text for index, text in enumerate(UNKNOWN)}
    return data | {f"column-{index}": field for index, field in choices.items()}


def test_leadership_sees_each_header_and_the_field_its_column_carries(client, vp, sheet_of):
    sheet_of(1)
    client.force_login(vp)

    response = client.get(COLUMNS)

    page = response.content.decode()
    assert response.status_code == 200
    assert "No column is mapped to Milestone (the title): the sync skips the tab." in page
    assert '<label for="column-0">Deliverable</label>' in page
    assert '<option value="owner" selected>Owner</option>' in page


def test_mapping_an_unknown_header_keeps_it_for_the_team(client, vp, sheet_of):
    sheet_of(1)
    client.force_login(vp)

    response = client.post(COLUMNS, posted(**{"0": "title", "1": "owner", "2": "target_date"}))

    assert response.status_code == 302
    assert dict(ColumnMapping.objects.values_list("header", "field")) == {
        "deliverable": "title",
        "commit date": "target_date",
    }
    page = client.get(COLUMNS).content.decode()
    assert "deliverable&#x27; carries Milestone" in page
    assert "The next sync uses them." in page
    assert "your mapping" in page


def test_a_field_given_to_two_columns_is_refused_next_to_the_column(client, vp, sheet_of):
    sheet_of(1)
    client.force_login(vp)

    response = client.post(COLUMNS, posted(**{"0": "owner", "1": "owner"}))

    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="column-0-error"' in page
    assert "Owner is carried by column B already: unmap that one first." in page
    assert not ColumnMapping.objects.exists()


def test_a_sheet_that_cannot_be_read_says_why_on_both_pages(client, vp, q4, settings):
    trio(TeamFactory(name="Platform", slug="platform"))
    settings.MILEPOST_SHEET_KEY = ""
    client.force_login(vp)

    for url in (COLUMNS, PREVIEW):
        response = client.get(url)
        assert response.status_code == 200
        assert "cannot be " in response.content.decode()
        assert 'role="alert"' in response.content.decode()


def test_the_sync_page_lists_a_tab_it_could_not_map_with_a_map_columns_link(client, vp, sheet_of):
    sheet_of(2)
    sync_sheet(today=TODAY)
    client.force_login(vp)

    page = client.get(reverse("sheets:sync")).content.decode()

    assert "Tabs the sync cannot read" in page
    assert f'<a href="{COLUMNS}">Map columns</a>' in page
    assert f'href="{PREVIEW}"' in page


def test_the_preview_page_shows_each_tab_and_a_map_columns_link_for_a_skipped_one(
    client, vp, sheet_of
):
    sheet_of(2)
    client.force_login(vp)

    page = client.get(PREVIEW).content.decode()

    assert "Tabs not synced yet" in page
    assert "Row 2: <strong>Row of Team 1</strong>" in page
    assert f'<a href="{COLUMNS}">Map columns</a>' in page


@pytest.mark.parametrize("url", [COLUMNS, PREVIEW])
def test_the_new_pages_cost_the_same_queries_for_two_or_eight_teams(
    client, vp, sheet_of, url, django_assert_max_num_queries, sheets_emulator
):
    client.force_login(vp)
    sheet_of(2)
    client.get(url)
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    ColumnMapping.objects.all().delete()
    sheets_emulator.reset()
    sheet_of(8)
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert response.status_code == 200
