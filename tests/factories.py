"""factory-boy factories for every model; tests build their data with these, never fixtures."""

import datetime

import factory
from factory.django import DjangoModelFactory

from milestones.models import Milestone, Quarter, SlipExplanation, SlipReason
from milestones.quarters import quarter_bounds
from nudges.models import Nudge
from reviews.models import Review, ReviewItem
from teams.models import Membership, Squad, Team, User


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("password")


class LeadershipFactory(UserFactory):
    is_leadership = True


class SquadFactory(DjangoModelFactory):
    class Meta:
        model = Squad
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Squad {n}")


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.LazyAttribute(lambda t: t.name.lower().replace(" ", "-"))
    squad = factory.SubFactory(SquadFactory)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.ENGINEER


class TechLeadFactory(MembershipFactory):
    role = Membership.Role.TECH_LEAD


def trio(team: Team | None = None, **team_kwargs) -> tuple[Team, User, User, User]:
    """A team with a tech lead and two engineers: (team, lead, engineer1, engineer2)."""
    team = team or TeamFactory(**team_kwargs)
    lead = TechLeadFactory(team=team).user
    engineers = [MembershipFactory(team=team).user for _ in range(2)]
    return team, lead, *engineers


class QuarterFactory(DjangoModelFactory):
    class Meta:
        model = Quarter
        django_get_or_create = ["year", "number"]

    year = 2026
    number = 4
    start = factory.LazyAttribute(lambda q: quarter_bounds(q.year, q.number, 1)[0])
    end = factory.LazyAttribute(lambda q: quarter_bounds(q.year, q.number, 1)[1])
    goal = 13
    grace_days = 7


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    team = factory.SubFactory(TeamFactory)
    quarter = factory.SubFactory(QuarterFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    committed_date = factory.LazyAttribute(lambda m: m.quarter.start + datetime.timedelta(days=45))
    target_date = factory.LazyAttribute(lambda m: m.committed_date)
    status = Milestone.Status.ON_TRACK
    delivered_date = None
    position = factory.Sequence(lambda n: n)

    class Params:
        done = factory.Trait(
            status=Milestone.Status.DONE,
            delivered_date=factory.LazyAttribute(lambda m: m.committed_date),
        )


class SlipReasonFactory(DjangoModelFactory):
    """The migration seeds the default list; live-server tests flush it, so tests make theirs."""

    class Meta:
        model = SlipReason
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Reason {n}")
    position = factory.Sequence(lambda n: n)


class SlipExplanationFactory(DjangoModelFactory):
    """The reason of a slip: `record` is the historical record that moved the target later."""

    class Meta:
        model = SlipExplanation

    record = None
    milestone = factory.LazyAttribute(lambda e: Milestone.objects.get(pk=e.record.id))
    reason = factory.SubFactory(SlipReasonFactory)


class ReviewFactory(DjangoModelFactory):
    """A review row alone; `tests.reviews.helpers.hold` starts a real one (with its snapshot)."""

    class Meta:
        model = Review

    team = factory.SubFactory(TeamFactory)
    quarter = factory.SubFactory(QuarterFactory)
    held_on = factory.LazyAttribute(lambda r: r.quarter.start + datetime.timedelta(days=14))


class ReviewItemFactory(DjangoModelFactory):
    """What a review said of a milestone: by default a copy of it as it is now."""

    class Meta:
        model = ReviewItem

    milestone = factory.SubFactory(MilestoneFactory)
    review = factory.SubFactory(
        ReviewFactory,
        team=factory.SelfAttribute("..milestone.team"),
        quarter=factory.SelfAttribute("..milestone.quarter"),
    )
    title = factory.LazyAttribute(lambda i: i.milestone.title)
    status = factory.LazyAttribute(lambda i: i.milestone.status)
    committed_date = factory.LazyAttribute(lambda i: i.milestone.committed_date)
    target_date = factory.LazyAttribute(lambda i: i.milestone.target_date)
    delivered_date = factory.LazyAttribute(lambda i: i.milestone.delivered_date)


class NudgeFactory(DjangoModelFactory):
    """A reminder e-mail already sent (or claimed) for a person on a day."""

    class Meta:
        model = Nudge

    user = factory.SubFactory(UserFactory)
    sent_on = datetime.date(2026, 11, 23)
    kinds = "review_overdue"
    subject = "Milepost: a reminder"
