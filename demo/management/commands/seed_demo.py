import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.organisation import DemoError, build_demo, demo_sign_ins, sign_in_lines
from teams.models import Team, User


class Command(BaseCommand):
    help = (
        "Build the demo organisation (22 teams in 5 squads, four quarters, the last finished one "
        "closed at 13 of 22 teams on time, the next one in planning), deterministically for a "
        "given date. Refuses a database that already has people or teams unless --force, "
        "which deletes them first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="the date to build the organisation as of (YYYY-MM-DD; default today)",
        )
        parser.add_argument(
            "--force", action="store_true", help="delete existing people, teams and milestones"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (and succeed) when the database already has an organisation",
        )

    def handle(self, *args, today, force, if_empty, verbosity, **options):
        today = today or timezone.localdate()
        if Team.objects.exists() or User.objects.exists():
            if if_empty:
                if verbosity >= 1:
                    self.stdout.write("The database already has an organisation; not seeding.")
                    sign_ins = demo_sign_ins()
                    if sign_ins is not None:
                        self.stdout.write("If it is the demo:")
                        self._print(sign_in_lines(sign_ins))
                return
            if not force:
                raise CommandError(
                    "The database is not empty. Use --force to delete everything and build the "
                    "demo organisation."
                )
            self._wipe()
        try:
            sign_ins = build_demo(today)
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"Demo organisation built as of {today}."))
            self._print(sign_in_lines(sign_ins))

    def _print(self, lines: list[str]) -> None:
        for line in lines:
            self.stdout.write(line)

    def _wipe(self) -> None:
        from milestones.models import Milestone, Quarter, QuarterRecord
        from teams.models import Membership, Squad

        Milestone.objects.exclude(carried_from=None).update(carried_from=None)
        for model in (
            QuarterRecord,
            Milestone,
            Milestone.history.model,
            Quarter,
            Quarter.history.model,
            Membership,
            Team,
            Squad,
            User,
        ):
            model.objects.all().delete()
