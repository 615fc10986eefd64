"""The teams list (`/teams/`): every active team's squad, people, shape and quarter's count.

Read with `values_list()` and written as HTML here, not as model instances through a template
(issue 17): at 250 teams the page built some 2,000 model instances (each team's memberships
and their users, every column of them) and resolved some 2,000 template variables, about
50 ms a request for four names and two numbers a row. The rows are the template's markup,
cell for cell, escaped the same way: the standard library's `html.escape`, which is what
Django's `escape` (and so autoescaping) calls, without its lazy-string wrapper, a third of
the rows' cost.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from html import escape

from django.db.models import Count, Q
from django.utils.safestring import SafeString, mark_safe

from milestones.models import Milestone, Quarter
from milestones.report_rows import UrlMaker, person_name
from teams.models import Membership, Team, User

TRIO = mark_safe('<span class="badge ok">trio</span>')
NOT_A_TRIO = mark_safe('<span class="badge warn">not a trio</span>')
NONE_YET = mark_safe('<span class="muted">none yet</span>')


@dataclass(slots=True)
class TeamListRow:
    name: str
    url: str
    squad: str
    tech_lead: str | None = None
    engineers: list[str] = field(default_factory=list)
    done: int = 0
    total: int = 0

    @property
    def is_trio(self) -> bool:
        return Team.trio_shape(self.tech_lead is not None, len(self.engineers))

    def html(self) -> str:
        """The row as `team_list.html`'s loop wrote it (its indentation included), every text
        escaped; the constant pieces are markup of ours."""
        engineers = ", ".join(escape(name) for name in self.engineers) or "—"
        done = f"{self.done} / {self.total}" if self.total else NONE_YET
        return (
            "\n    <tr>\n"
            f'      <th scope="row"><a href="{escape(self.url)}">{escape(self.name)}</a></th>\n'
            f"      <td>{escape(self.squad)}</td>\n"
            f"      <td>{escape(self.tech_lead or '—')}</td>\n"
            f"      <td>{engineers}</td>\n"
            f"      <td>{TRIO if self.is_trio else NOT_A_TRIO}</td>\n"
            f'      <td class="num">{done}</td>\n'
            "    </tr>\n  "
        )


def team_list_rows(quarter: Quarter | None) -> list[TeamListRow]:
    """Every active team by name with its squad, tech lead, engineers (by name) and `quarter`'s
    milestones done / total: three queries (the teams and squads, the active memberships and
    their people, the quarter's counts), whatever the number of teams."""
    urls = UrlMaker()
    rows: dict[int, TeamListRow] = {
        pk: TeamListRow(name=name, url=urls.team(slug), squad=squad)
        for pk, name, slug, squad in Team.objects.filter(active=True)
        .order_by("name")
        .values_list("pk", "name", "slug", "squad__name")
    }
    engineers: dict[int, list[str]] = defaultdict(list)
    memberships = Membership.objects.filter(active=True, team__active=True).values_list(
        "team_id", "role", *(f"user__{column}" for column in User.NAME_COLUMNS)
    )
    for team_id, role, *person in memberships.order_by():
        row = rows.get(team_id)
        if row is None:  # a team made active after the teams were read
            continue
        if role == Membership.Role.TECH_LEAD:
            row.tech_lead = person_name(*person)
        elif role == Membership.Role.ENGINEER:
            engineers[team_id].append(person_name(*person))
    for team_id, names in engineers.items():
        rows[team_id].engineers = sorted(names)  # `Team.active_memberships`' order
    if quarter is not None:
        counts = (
            Milestone.objects.filter(quarter=quarter)
            .values("team_id")
            .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=Milestone.Status.DONE)))
            .order_by()
            .values_list("team_id", "done", "total")
        )
        for team_id, done, total in counts:
            row = rows.get(team_id)
            if row is not None:
                row.done, row.total = done, total
    return list(rows.values())


def team_list_html(rows: list[TeamListRow]) -> SafeString:
    """The table's rows, each escaped in `TeamListRow.html`."""
    return mark_safe("".join(row.html() for row in rows))
