"""The charts' layout (the trend and the Pareto of days slipped by reason): computed in Python,
so the template does no arithmetic."""

import itertools

import pytest

from dashboard import charts
from milestones import ledger
from milestones.ontime import OrgFigure, TrendPoint


def point(label, on_time, teams, goal, finished=True):
    figure = OrgFigure(
        on_time=on_time, teams=teams, goal=goal, forecast=0, milestones_on_time=0, milestones_due=0
    )
    return TrendPoint(quarter=label, figure=figure, finished=finished)


@pytest.mark.parametrize(
    ("top", "step"),
    [(0, 1), (1, 1), (5, 1), (6, 2), (10, 2), (22, 5), (25, 5), (26, 10), (1000, 200)],
)
def test_ticks_step_in_ones_twos_and_fives_with_at_most_five_steps(top, step):
    assert charts.tick_step(top) == step


def test_the_axis_reaches_the_larger_of_teams_and_goal():
    chart = charts.trend_chart([point("Q1", 11, 20, 12), point("Q2", 13, 22, 13)])
    assert [tick.value for tick in chart.ticks] == [0, 5, 10, 15, 20, 25]
    assert chart.ticks[0].y == charts.BASELINE
    assert chart.ticks[-1].y == charts.PLOT_TOP


def test_bar_heights_are_proportional_to_the_figures():
    (bar,) = charts.trend_chart([point("Q1", 5, 10, 8)]).bars
    plot = charts.BASELINE - charts.PLOT_TOP
    assert bar.teams_height == plot  # 10 teams on an axis of 0–10
    assert bar.on_time_height == plot / 2
    assert bar.on_time_y == charts.BASELINE - plot / 2
    assert bar.goal_y == pytest.approx(charts.BASELINE - plot * 0.8, abs=0.1)
    assert bar.goal_x1 < bar.x < bar.x + bar.width < bar.goal_x2


def test_bars_share_the_width_and_never_overlap():
    chart = charts.trend_chart([point(f"Q{n}", 1, 2, 1) for n in range(12)])
    edges = [(bar.x, bar.x + bar.width) for bar in chart.bars]
    assert all(right < next_left for (_, right), (next_left, _) in itertools.pairwise(edges))
    assert edges[0][0] >= charts.PLOT_LEFT
    assert edges[-1][1] <= charts.PLOT_RIGHT


def test_a_lone_quarter_keeps_a_slim_bar():
    (bar,) = charts.trend_chart([point("Q1", 1, 2, 1)]).bars
    assert bar.width == charts.MAX_BAR_WIDTH


def test_a_quarter_without_a_goal_has_no_goal_mark():
    (bar,) = charts.trend_chart([point("Q1", 3, 4, 0)]).bars
    assert bar.goal_y is None
    assert "goal-met" not in bar.classes
    assert bar.summary == "Q1: 3 of 4 teams on time, no goal set"


def test_classes_and_words_say_whether_the_goal_was_met_and_if_the_quarter_is_over():
    met, missed = charts.trend_chart(
        [point("Q3", 13, 22, 13), point("Q4", 9, 22, 14, finished=False)], selected="Q4"
    ).bars
    assert met.classes == "bar goal-met"
    assert missed.classes == "bar goal-missed so-far selected"
    assert met.summary == "Q3: 13 of 22 teams on time, goal 13, met"
    assert missed.summary == "Q4 (so far): 9 of 22 teams on time, goal 14, missed"


def test_the_description_reads_every_bar_for_screen_readers():
    chart = charts.trend_chart([point("Q3", 13, 22, 13), point("Q4", 9, 22, 14, finished=False)])
    assert chart.description == (
        "Q3: 13 of 22 teams on time, goal 13, met; "
        "Q4 (so far): 9 of 22 teams on time, goal 14, missed."
    )


def test_each_bar_links_where_the_caller_says():
    chart = charts.trend_chart([point("Q3", 1, 2, 1)], link=lambda q: f"?quarter={q}")
    assert chart.bars[0].href == "?quarter=Q3"


def test_the_value_sits_above_the_taller_of_bar_and_goal():
    (above_goal,) = charts.trend_chart([point("Q1", 2, 4, 8)]).bars
    assert above_goal.value_y < above_goal.goal_y < above_goal.teams_y


# --- The Pareto of days slipped by reason ----------------------------------------------------


def total(label, days, slips=1, explained=True):
    return ledger.ReasonTotal(label, slips, days, 0.0, 0.0, explained)


def test_bars_run_down_the_rows_with_lengths_proportional_to_the_days():
    chart = charts.pareto_chart([total("Scope grew", 40), total("Other", 10, explained=False)])
    first, second = chart.bars
    assert first.width == pytest.approx(4 * second.width, abs=0.2)
    assert first.y < second.y
    assert second.classes == "pareto-bar unexplained"
    assert chart.height == charts.PARETO_TOP + 2 * charts.PARETO_ROW + charts.PARETO_BOTTOM
    assert [t.value for t in chart.ticks] == [0, 10, 20, 30, 40]
    assert chart.ticks[-1].x == charts.PARETO_BAR_RIGHT  # the longest bar reaches the axis end
    assert first.value_label == "40 days"
    assert charts.pareto_chart([total("x", 1)]).bars[0].value_label == "1 day"


def test_no_reasons_lay_out_no_bars():
    chart = charts.pareto_chart([])
    assert chart.bars == []
    assert chart.height == charts.PARETO_TOP + charts.PARETO_BOTTOM
