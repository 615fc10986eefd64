from django.core.management.base import BaseCommand

from teams import throttle


class Command(BaseCommand):
    help = (
        "Delete the failed sign-ins older than a day. The throttle only looks back an hour, "
        "so nothing it decides changes; run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted, delete nothing."
        )

    def handle(self, *args, dry_run: bool = False, verbosity: int = 1, **options):
        count = throttle.prune(dry_run=dry_run)
        if verbosity:
            verb = "Would delete" if dry_run else "Deleted"
            noun = "failed sign-in" if count == 1 else "failed sign-ins"
            self.stdout.write(self.style.SUCCESS(f"{verb} {count} {noun} older than a day."))
