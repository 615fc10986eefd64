"""Sending the nudges: both parts, absolute links, one e-mail per person per day whatever
happens (`nudges.services`)."""

import datetime

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from nudges import rules
from nudges.models import Nudge
from nudges.services import send_nudges
from tests.factories import NudgeFactory, TeamFactory, TechLeadFactory
from tests.nudges.conftest import MONDAY, NEW_YEAR_MONDAY, TUESDAY, change, created

D = datetime.date


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.MILEPOST_BASE_URL = "https://milepost.example.com"
    settings.DEFAULT_FROM_EMAIL = "Milepost <milepost@example.com>"


def send(day, **kwargs):
    return send_nudges(rules.plan_nudges(day, **kwargs))


def test_each_nudge_is_one_e_mail_with_a_text_and_an_html_part(team, lead, q4):
    result = send(TUESDAY)
    assert [c.to for c in result.sent] == [lead.email]
    (email,) = mail.outbox
    assert email.to == [lead.email]
    assert email.from_email == "Milepost <milepost@example.com>"
    assert email.subject == "Milepost: Platform needs a review"
    assert "Platform's biweekly review is overdue" in email.body
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    assert "<strong>Platform's biweekly review is overdue</strong>" in html


def test_a_nudge_is_recorded_with_what_it_was_about(team, lead, q4):
    send(TUESDAY)
    (record,) = Nudge.objects.all()
    assert (record.user, record.sent_on, record.kinds) == (lead, TUESDAY, "review_overdue")
    assert record.subject == mail.outbox[0].subject


def test_links_are_absolute_and_say_how_to_opt_out(team, lead, q4):
    stale = created(D(2026, 11, 1), team=team, quarter=q4, target_date=D(2026, 11, 20))
    send(TUESDAY)
    (email,) = mail.outbox
    html = email.alternatives[0][0]
    base = "https://milepost.example.com"
    for link in (
        f"{base}/teams/platform/reviews/",
        f"{base}/teams/platform/milestones/{stale.pk}/",
        f"{base}/teams/platform/",
        f"{base}/accounts/profile/",
    ):
        assert link in email.body
        assert f'href="{link}"' in html
    assert "Send me no reminder e-mails" in email.body


def test_titles_are_escaped_in_html_and_plain_in_text(team, lead, q4):
    created(
        D(2026, 11, 1),
        team=team,
        quarter=q4,
        title="<b>Fast</b> & safe",
        target_date=D(2026, 11, 20),
    )
    send(TUESDAY)
    (email,) = mail.outbox
    assert "<b>Fast</b> & safe" in email.body
    assert "&lt;b&gt;Fast&lt;/b&gt; &amp; safe" in email.alternatives[0][0]


def test_the_digest_e_mail_has_the_headline_slips_and_deliveries(vp, team, q4):
    slipped = created(
        D(2026, 10, 1), team=team, quarter=q4, title="Search", committed_date=D(2026, 12, 1)
    )
    change(slipped, D(2026, 11, 19), target_date=D(2026, 12, 11))
    created(
        D(2026, 10, 1),
        team=team,
        quarter=q4,
        title="Export",
        done=True,
        committed_date=D(2026, 11, 18),
    )
    send(MONDAY)
    (email,) = [e for e in mail.outbox if e.to == [vp.email]]
    assert email.subject == "Milepost weekly: 1 of 1 teams on time (goal 13)"
    assert "1 of 1 teams on time, goal 13 (12 short)." in email.body
    assert "- Search (Platform): Dec 1 → Dec 11, 10 days" in email.body
    assert "- Export (Platform): Nov 18, on time" in email.body
    assert "https://milepost.example.com/dashboard/" in email.body
    assert "Slipped this week" in email.alternatives[0][0]


def test_the_digest_e_mail_of_a_week_across_two_quarters_lists_each_quarters_lines(
    vp, team, q4, new_year_week
):
    send(NEW_YEAR_MONDAY)
    (email,) = [e for e in mail.outbox if e.to == [vp.email]]
    base = "https://milepost.example.com/teams/platform/milestones"
    search, export, billing = (new_year_week[k].pk for k in ("search", "export", "billing"))
    assert email.subject == "Milepost weekly: 1 of 1 teams on time (goal 3)"
    assert (
        "This week in 2026 Q4 and 2027 Q1 (Dec 29 – Jan 4):\n\n"
        "2027 Q1: 1 of 1 teams on time, goal 3 (2 short).\n\n"
        "Slipped this week:\n"
        "2026 Q4:\n"
        f"- Search (Platform): Dec 22 → Jan 8, 17 days\n  {base}/{search}/\n"
        "2027 Q1:\n"
        f"- Billing (Platform): Feb 1 → Feb 10, 9 days\n  {base}/{billing}/\n\n"
        "Delivered this week:\n"
        "2026 Q4:\n"
        f"- Export (Platform): Dec 29, late\n  {base}/{export}/\n"
        "2027 Q1: nothing.\n"
    ) in email.body
    html = email.alternatives[0][0]
    assert "This week in 2026 Q4 and 2027 Q1" in html
    assert html.count("<h4") == 4  # each list, once per quarter
    assert f'<a href="{base}/{search}/">Search</a>' in html


def test_a_lead_who_is_leadership_gets_both_in_one_e_mail(q4, vp):
    TechLeadFactory(team=TeamFactory(name="Core", slug="core"), user=vp)
    send(MONDAY)
    (email,) = mail.outbox
    assert "Core's biweekly review is overdue" in email.body
    assert "This week in 2026 Q4" in email.body
    assert Nudge.objects.get().kinds == "review_overdue,digest"


def test_running_twice_a_day_sends_one_e_mail(team, lead, vp, q4):
    first = send(MONDAY, force_digest=True)
    second = send(MONDAY, force_digest=True)
    assert len(first.sent) == 2
    assert second.sent == []
    assert second.failed == []
    assert len(mail.outbox) == 2
    assert Nudge.objects.count() == 2


def test_the_next_day_sends_again(team, lead, q4):
    send(MONDAY)
    send(TUESDAY)
    assert [e.to for e in mail.outbox] == [[lead.email], [lead.email]]


def test_a_nudge_claimed_by_another_run_meanwhile_is_not_sent(team, lead, q4):
    plan = rules.plan_nudges(TUESDAY)  # planned before the other run claimed it
    NudgeFactory(user=lead, sent_on=TUESDAY)
    result = send_nudges(plan)
    assert result.sent == []
    assert [c.to for c in result.already] == [lead.email]
    assert mail.outbox == []
    assert Nudge.objects.count() == 1


def test_a_failed_send_gives_its_claim_back_and_is_reported(team, lead, q4, monkeypatch):
    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    result = send(TUESDAY)
    assert [(c.to, error) for c, error in result.failed] == [
        (lead.email, "ConnectionRefusedError: mail server down")
    ]
    assert not Nudge.objects.exists()
    monkeypatch.undo()
    assert len(send(TUESDAY).sent) == 1  # a later run that day tries again
