"""`manage.py send_nudges`: the summary, --dry-run, --digest, --today and the exit codes."""

from io import StringIO

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command

from nudges.models import Nudge
from tests.nudges.conftest import MONDAY, TUESDAY


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("send_nudges", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def lead_and_vp(team, lead, vp, q4):
    return lead, vp


def test_the_summary_says_who_got_what(lead_and_vp):
    lead, vp = lead_and_vp
    out, err = run("--today", MONDAY.isoformat())
    assert f"Sent to {lead.name} <{lead.email}>: review of Platform overdue" in out
    assert f"Sent to {vp.name} <{vp.email}>: weekly digest" in out
    assert "Mon Nov 23, 2026: sent 2 e-mails, 0 failed." in out
    assert err == ""
    assert len(mail.outbox) == 2


def test_the_summary_names_who_was_skipped_and_why(lead_and_vp):
    lead, vp = lead_and_vp
    vp.nudges_opt_out = True
    vp.save()
    run("--today", MONDAY.isoformat())
    out, _ = run("--today", MONDAY.isoformat())
    assert f"Skipped {vp.name}: opted out" in out
    assert f"Skipped {lead.name}: already nudged today" in out
    assert "sent 0 e-mails" in out


def test_without_digest_the_digest_waits_for_its_weekday(lead_and_vp):
    _, vp = lead_and_vp
    out, _ = run("--today", TUESDAY.isoformat())
    assert "weekly digest" not in out
    assert "No digest today." in out
    out, _ = run("--today", TUESDAY.isoformat(), "--digest")
    assert f"Sent to {vp.name} <{vp.email}>: weekly digest" in out


def test_a_dry_run_prints_each_e_mail_and_sends_and_records_nothing(lead_and_vp):
    lead, vp = lead_and_vp
    out, _ = run("--today", MONDAY.isoformat(), "--dry-run")
    assert "Dry run for Mon Nov 23, 2026: nothing is sent or recorded." in out
    assert f"To: {lead.name} <{lead.email}>" in out
    assert "Subject: Milepost: Platform needs a review" in out
    assert "Platform's biweekly review is overdue" in out
    assert f"To: {vp.name} <{vp.email}>" in out
    assert "Would send 2 e-mails." in out
    assert mail.outbox == []
    assert not Nudge.objects.exists()


def test_quiet_prints_nothing_when_all_went_well(lead_and_vp):
    out, err = run("--today", MONDAY.isoformat(), "--quiet")
    assert (out, err) == ("", "")
    assert len(mail.outbox) == 2


def test_it_exits_1_and_names_who_missed_out_when_some_e_mails_failed(lead_and_vp, monkeypatch):
    lead, _ = lead_and_vp

    def refuse(self, fail_silently=False):
        raise OSError("no route to host")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "send_nudges", "--today", MONDAY.isoformat(), "--quiet", stdout=out, stderr=err
        )
    assert exit_.value.code == 1
    assert f"Could not send to {lead.name} <{lead.email}>: OSError: no route to host" in (
        err.getvalue()
    )
    assert not Nudge.objects.exists()


def test_nothing_to_send_is_a_success(db):
    out, _ = run("--today", MONDAY.isoformat())
    assert "sent 0 e-mails, 0 failed." in out
