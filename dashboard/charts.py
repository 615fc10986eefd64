"""The on-time trend as an SVG bar chart: laid out here, drawn by a template.

Every coordinate is computed in Python (and tested); the template only places them. Colours
and line styles come from classes in milepost.css, never from `style=""`, so the chart needs
neither JavaScript nor an inline-style exception to the content security policy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from milestones.ontime import TrendPoint

WIDTH = 720
HEIGHT = 260
PLOT_LEFT = 44  # room for the y-axis labels
PLOT_RIGHT = WIDTH - 12
PLOT_TOP = 28  # room for the value above the tallest bar
BASELINE = HEIGHT - 48  # room for the quarter labels (two lines) below the bars
MAX_BAR_WIDTH = 64
NICE_STEPS = (1, 2, 5)


def tick_step(top: int, most: int = 5) -> int:
    """The smallest 1-2-5 step that reaches `top` in at most `most` steps."""
    top = max(top, 1)
    for exponent in range(12):
        for base in NICE_STEPS:
            step = base * 10**exponent
            if math.ceil(top / step) <= most:
                return step
    raise ValueError(f"{top} is too large to chart.")


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class Bar:
    """One quarter: a pale bar for the teams counted, a solid one for those on time."""

    point: TrendPoint
    href: str
    x: float
    width: float
    center: float
    teams_y: float
    teams_height: float
    on_time_y: float
    on_time_height: float
    goal_y: float | None  # None when the quarter has no goal
    goal_x1: float
    goal_x2: float
    value_y: float
    selected: bool

    @property
    def label(self) -> str:
        return str(self.point.quarter)

    @property
    def value_label(self) -> str:
        return f"{self.point.figure.on_time}/{self.point.figure.teams}"

    @property
    def classes(self) -> str:
        names = ["bar"]
        if self.point.figure.goal and self.point.figure.goal_met:
            names.append("goal-met")
        elif self.point.figure.goal:
            names.append("goal-missed")
        if not self.point.finished:
            names.append("so-far")
        if self.selected:
            names.append("selected")
        return " ".join(names)

    @property
    def summary(self) -> str:
        """The bar in words, for its tooltip and the chart's description."""
        figure = self.point.figure
        text = f"{self.label}{'' if self.point.finished else ' (so far)'}: {figure.headline}"
        if not figure.goal:
            return f"{text}, no goal set"
        return f"{text}, goal {figure.goal}, {'met' if figure.goal_met else 'missed'}"


@dataclass(frozen=True)
class TrendChart:
    bars: list[Bar]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT
    baseline: int = BASELINE

    @property
    def quarter_label_y(self) -> int:
        return self.baseline + 18

    @property
    def so_far_label_y(self) -> int:
        return self.baseline + 34

    @property
    def tick_label_x(self) -> int:
        return self.plot_left - 8

    @property
    def title(self) -> str:
        return "Teams on time per quarter, against each quarter's goal"

    @property
    def description(self) -> str:
        return "; ".join(bar.summary for bar in self.bars) + "."


def trend_chart(
    points: Sequence[TrendPoint],
    *,
    selected: Any = None,
    link: Callable[[Any], str] = lambda quarter: "",
) -> TrendChart:
    """Lay out one bar per quarter; `link(quarter)` is where clicking a bar leads."""
    top = max((max(p.figure.teams, p.figure.goal) for p in points), default=1)
    step = tick_step(top)
    axis_top = step * math.ceil(max(top, 1) / step)
    plot_height = BASELINE - PLOT_TOP

    def y(value: int) -> float:
        return round(BASELINE - plot_height * value / axis_top, 1)

    ticks = [Tick(value, y(value)) for value in range(0, axis_top + 1, step)]
    band = (PLOT_RIGHT - PLOT_LEFT) / max(len(points), 1)
    width = round(min(band * 0.6, MAX_BAR_WIDTH), 1)
    bars = []
    for index, point in enumerate(points):
        figure = point.figure
        center = round(PLOT_LEFT + band * (index + 0.5), 1)
        x = round(center - width / 2, 1)
        teams_y, on_time_y = y(figure.teams), y(figure.on_time)
        goal_y = y(figure.goal) if figure.goal else None
        overhang = round(width * 0.15, 1)
        bars.append(
            Bar(
                point=point,
                href=link(point.quarter),
                x=x,
                width=width,
                center=center,
                teams_y=teams_y,
                teams_height=round(BASELINE - teams_y, 1),
                on_time_y=on_time_y,
                on_time_height=round(BASELINE - on_time_y, 1),
                goal_y=goal_y,
                goal_x1=round(x - overhang, 1),
                goal_x2=round(x + width + overhang, 1),
                value_y=round(min(teams_y, goal_y if goal_y is not None else teams_y) - 6, 1),
                selected=selected is not None and point.quarter == selected,
            )
        )
    return TrendChart(bars=bars, ticks=ticks)


# --- Days slipped by reason: a horizontal Pareto chart ----------------------------------------

PARETO_WIDTH = 720
PARETO_LABEL_RIGHT = 176  # reasons are right-aligned here, left of the bars
PARETO_BAR_LEFT = 184
PARETO_BAR_RIGHT = 560  # room for the value and the cumulative share
PARETO_VALUE_GAP = 6
PARETO_CUMULATIVE_X = PARETO_WIDTH - 12  # right-aligned
PARETO_TOP = 26  # room for the axis labels
PARETO_ROW = 30
PARETO_BAR_HEIGHT = 18
PARETO_BOTTOM = 8


@dataclass(frozen=True)
class DaysTick:
    value: int
    x: float


@dataclass(frozen=True)
class ParetoBar:
    """One reason: its bar's length is its days slipped; the bars run most days first."""

    total: Any  # a `ledger.ReasonTotal`
    y: float  # top of the bar
    width: float
    text_y: float  # the baseline of the row's labels
    value_x: float

    @property
    def classes(self) -> str:
        return "pareto-bar" if self.total.explained else "pareto-bar unexplained"

    @property
    def value_label(self) -> str:
        days = self.total.days
        return f"{days} day{'' if days == 1 else 's'}"

    @property
    def summary(self) -> str:
        t = self.total
        slips = f"{t.slips} slip{'' if t.slips == 1 else 's'}"
        return (
            f"{t.label}: {self.value_label} in {slips}, {t.percent}% of the days "
            f"({t.cumulative_percent}% with the reasons above)"
        )


@dataclass(frozen=True)
class ParetoChart:
    bars: list[ParetoBar]
    ticks: list[DaysTick]  # along the top
    width: int = PARETO_WIDTH
    height: int = PARETO_TOP + PARETO_BOTTOM
    label_x: int = PARETO_LABEL_RIGHT
    bar_left: int = PARETO_BAR_LEFT
    bar_right: int = PARETO_BAR_RIGHT
    cumulative_x: int = PARETO_CUMULATIVE_X
    top: int = PARETO_TOP

    @property
    def axis_label_y(self) -> int:
        return self.top - 10

    @property
    def bottom(self) -> int:
        return self.height - PARETO_BOTTOM

    @property
    def title(self) -> str:
        return "Days slipped by reason, most first"

    @property
    def description(self) -> str:
        return "; ".join(bar.summary for bar in self.bars) + "."


def pareto_chart(totals: Sequence[Any]) -> ParetoChart:
    """Lay out one bar per reason (`ledger.days_by_reason`, most days first), on a days axis
    shared by all, with each row's cumulative share at the right."""
    top = max((t.days for t in totals), default=1)
    step = tick_step(top, most=4)
    axis_top = step * math.ceil(max(top, 1) / step)
    span = PARETO_BAR_RIGHT - PARETO_BAR_LEFT

    def x(value: int) -> float:
        return round(PARETO_BAR_LEFT + span * value / axis_top, 1)

    bars = []
    for index, total in enumerate(totals):
        y = PARETO_TOP + index * PARETO_ROW + (PARETO_ROW - PARETO_BAR_HEIGHT) / 2
        width = round(x(total.days) - PARETO_BAR_LEFT, 1)
        bars.append(
            ParetoBar(
                total=total,
                y=round(y, 1),
                width=width,
                text_y=round(y + PARETO_BAR_HEIGHT / 2, 1),
                value_x=round(PARETO_BAR_LEFT + width + PARETO_VALUE_GAP, 1),
            )
        )
    return ParetoChart(
        bars=bars,
        ticks=[DaysTick(value, x(value)) for value in range(0, axis_top + 1, step)],
        height=PARETO_TOP + PARETO_ROW * len(totals) + PARETO_BOTTOM,
    )
