"""Import the organisation from a roster CSV (`team,squad,role,name,email`).

The import is idempotent (a second run of the same file changes nothing) and all-or-nothing:
every bad row is reported with its line number, and nothing is applied while any row is bad,
unless the caller asks for a partial import.

People are identified by e-mail and name together: real rosters give one address to two people
(the sample gives `ladeyemi@example.com` to Lena and to Luca Adeyemi), and merging them would
silently move one person onto the other's team. A shared address is reported as a warning.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from milestones.changes import bump_every_quarter
from teams.models import Membership, Squad, Team, User

COLUMNS = ("team", "squad", "role", "name", "email")
TEAM_ROLES = {Membership.Role.TECH_LEAD.value, Membership.Role.ENGINEER.value}
SQUAD_ROLES = {"product_manager", "designer", "customer_advocate"}
ROLES = TEAM_ROLES | SQUAD_ROLES | {"leadership"}


class RosterFileError(Exception):
    """The file as a whole cannot be read (wrong header, not CSV, not UTF-8)."""


@dataclass(frozen=True)
class RosterRow:
    line: int
    team: str
    squad: str
    role: str
    name: str
    email: str

    @property
    def person(self) -> tuple[str, str]:
        return (self.email.lower(), self.name.casefold())


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportReport:
    errors: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    applied: bool = False
    rows: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def read_roster(text: str) -> list[RosterRow]:
    """Parse the CSV text into rows; line numbers count the header as line 1."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise RosterFileError(
            "The roster is empty: expected a header row team,squad,role,name,email."
        ) from None
    except csv.Error as exc:
        raise RosterFileError(f"The roster is not a readable CSV file: {exc}") from None
    normalized = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in normalized]
    if missing:
        raise RosterFileError(
            f"The header row lacks the column(s) {', '.join(missing)}: "
            f"expected {','.join(COLUMNS)}, found {','.join(header)}."
        )
    index = {c: normalized.index(c) for c in COLUMNS}
    rows = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            cells = {c: (values[i].strip() if i < len(values) else "") for c, i in index.items()}
            rows.append(RosterRow(line=reader.line_num, **cells))
    except csv.Error as exc:
        raise RosterFileError(f"Line {reader.line_num}: {exc}") from None
    return rows


def check_rows(rows: Iterable[RosterRow]) -> tuple[list[RowProblem], list[RowProblem]]:
    """Errors (the row cannot be applied) and warnings (applied, but worth a look)."""
    errors: list[RowProblem] = []
    warnings: list[RowProblem] = []
    lead_line: dict[str, RosterRow] = {}
    team_squad: dict[str, RosterRow] = {}
    person_line: dict[tuple[str, str], RosterRow] = {}
    names_by_email: dict[str, RosterRow] = {}
    for row in rows:
        problem = _row_problem(row)
        if problem:
            errors.append(RowProblem(row.line, problem))
            continue
        if row.role in TEAM_ROLES:
            team_key = row.team.casefold()
            first = team_squad.setdefault(team_key, row)
            if first.squad.casefold() != row.squad.casefold():
                errors.append(
                    RowProblem(
                        row.line,
                        f"team {row.team} is in squad {first.squad} on line {first.line}, "
                        f"not {row.squad}",
                    )
                )
                continue
            if row.role == Membership.Role.TECH_LEAD:
                other = lead_line.setdefault(team_key, row)
                if other is not row:
                    errors.append(
                        RowProblem(
                            row.line,
                            f"a second tech lead for {row.team}: {other.name} is its tech lead "
                            f"on line {other.line}",
                        )
                    )
                    continue
            seen = person_line.setdefault(row.person, row)
            if seen is not row:
                errors.append(
                    RowProblem(
                        row.line,
                        f"{row.name} is already on {seen.team} (line {seen.line}); "
                        "a person is on one team at a time",
                    )
                )
                continue
        shared = names_by_email.setdefault(row.email.lower(), row)
        if shared.name.casefold() != row.name.casefold():
            warnings.append(
                RowProblem(
                    row.line,
                    f"{row.email} is also the address of {shared.name} (line {shared.line}); "
                    f"kept {row.name} as a separate person — check the address",
                )
            )
    return errors, warnings


def _row_problem(row: RosterRow) -> str | None:
    if row.role not in ROLES:
        known = ", ".join(sorted(ROLES))
        return f"unknown role {row.role!r} (expected one of {known})"
    if not row.name:
        return "missing name"
    if not row.email:
        return f"missing email for {row.name}"
    try:
        validate_email(row.email)
    except ValidationError:
        return f"{row.email!r} is not an e-mail address"
    if row.role in TEAM_ROLES and not row.team:
        article = "an" if row.role == "engineer" else "a"
        return f"{row.name}, {article} {row.role.replace('_', ' ')}, needs a team"
    if row.role in TEAM_ROLES | SQUAD_ROLES and not row.squad:
        return f"{row.team or row.name} needs a squad"
    return None


def import_roster(text: str, *, partial: bool = False, dry_run: bool = False) -> ImportReport:
    """Read, check and apply a roster. Raises RosterFileError for an unreadable file."""
    rows = read_roster(text)
    errors, warnings = check_rows(rows)
    report = ImportReport(errors=errors, warnings=warnings, rows=len(rows))
    if errors and not partial:
        return report
    bad_lines = {e.line for e in errors}
    good = [r for r in rows if r.line not in bad_lines]
    with transaction.atomic():
        report.changes = _apply(good)
        if report.changes:
            bump_every_quarter()  # names, squads, leads and trios show on every dashboard
        if dry_run:
            transaction.set_rollback(True)
    report.applied = not dry_run
    return report


def _apply(rows: list[RosterRow]) -> list[str]:
    changes: list[str] = []
    squads = {s.name.casefold(): s for s in Squad.objects.all()}
    teams = {t.name.casefold(): t for t in Team.objects.select_related("squad")}
    users_by_email: dict[str, list[User]] = defaultdict(list)
    for user in User.objects.all():
        users_by_email[user.email.lower()].append(user)
    emails_in_file: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        emails_in_file[row.email.lower()].add(row.name.casefold())

    def squad_for(name: str) -> Squad:
        squad = squads.get(name.casefold())
        if squad is None:
            squad = squads[name.casefold()] = Squad.objects.create(name=name)
            changes.append(f"created squad {name}")
        return squad

    def team_for(row: RosterRow) -> Team:
        squad = squad_for(row.squad)
        team = teams.get(row.team.casefold())
        if team is None:
            team = teams[row.team.casefold()] = Team.objects.create(
                name=row.team, slug=_free_slug(row.team), squad=squad
            )
            changes.append(f"created team {row.team} in {squad}")
            return team
        updates = []
        if team.squad_id != squad.pk:
            changes.append(f"moved team {team} from {team.squad} to {squad}")
            team.squad = squad
            updates.append("squad")
        if not team.active:
            changes.append(f"reactivated team {team}")
            team.active = True
            updates.append("active")
        if updates:
            team.save(update_fields=updates)
        return team

    def user_for(row: RosterRow) -> User:
        candidates = users_by_email[row.email.lower()]
        for user in candidates:
            if user.name.casefold() == row.name.casefold():
                return user
        # One known person at this address and one name for it in the file: a rename.
        if len(candidates) == 1 and len(emails_in_file[row.email.lower()]) == 1:
            user = candidates[0]
            changes.append(f"renamed {user.name} to {row.name}")
            user.display_name = row.name
            user.save(update_fields=["display_name"])
            return user
        user = User(
            username=_free_username(row),
            email=row.email,
            display_name=row.name,
            first_name=row.name.split()[0],
            last_name=" ".join(row.name.split()[1:]),
        )
        user.set_unusable_password()
        user.save()
        candidates.append(user)
        changes.append(f"created user {row.name} <{row.email}> as {user.username}")
        return user

    placements: list[tuple[RosterRow, User, Team]] = []
    for row in rows:
        user = user_for(row)
        if row.role == "leadership":
            if not user.is_leadership:
                user.is_leadership = True
                user.save(update_fields=["is_leadership"])
                changes.append(f"made {user} leadership")
        elif row.role in SQUAD_ROLES:
            squad = squad_for(row.squad)
            if getattr(squad, f"{row.role}_id") != user.pk:
                setattr(squad, row.role, user)
                squad.save(update_fields=[row.role])
                changes.append(f"made {user} {row.role.replace('_', ' ')} of {squad}")
        else:
            placements.append((row, user, team_for(row)))

    # Two passes so the database's one-lead and one-team rules hold at every step: first end
    # the memberships that change, then start the new ones.
    current = {
        m.user_id: m
        for m in Membership.objects.filter(
            user__in=[u for _, u, _ in placements], active=True
        ).select_related("team")
    }
    wanted_leads = {t.pk: u.pk for r, u, t in placements if r.role == Membership.Role.TECH_LEAD}
    to_end: list[Membership] = []
    for row, user, team in placements:
        membership = current.get(user.pk)
        if membership and (membership.team_id, membership.role) != (team.pk, row.role):
            to_end.append(membership)
    for team_id, lead_id in wanted_leads.items():
        for membership in (
            Membership.objects.filter(team_id=team_id, role=Membership.Role.TECH_LEAD, active=True)
            .exclude(user_id=lead_id)
            .select_related("user", "team")
        ):
            to_end.append(membership)
    for membership in {m.pk: m for m in to_end}.values():
        membership.active = False
        membership.save(update_fields=["active"])
        changes.append(
            f"ended {membership.user} as {membership.get_role_display().lower()} "
            f"of {membership.team}"
        )
    ended = {m.pk for m in to_end}
    for row, user, team in placements:
        membership = current.get(user.pk)
        if membership and membership.pk not in ended:
            continue
        Membership.objects.create(team=team, user=user, role=row.role)
        changes.append(f"added {user} to {team} as {row.role.replace('_', ' ')}")
    return changes


def _free_slug(name: str) -> str:
    base = slugify(name) or "team"
    slug, n = base, 2
    while Team.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _free_username(row: RosterRow) -> str:
    """The address's local part; a second person at one address gets their first name added."""
    base = slugify(row.email.split("@")[0]).replace("-", ".") or "user"
    candidates = [base, f"{base}.{slugify(row.name.split()[0])}"]
    for candidate in candidates:
        if not User.objects.filter(username=candidate).exists():
            return candidate
    n = 2
    while User.objects.filter(username=f"{base}{n}").exists():
        n += 1
    return f"{base}{n}"
