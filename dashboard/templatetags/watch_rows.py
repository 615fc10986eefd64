"""The watch lists' rows, written in Python (`dashboard.row_html`): `{{ entries|at_risk_rows }}`."""

from django import template

from dashboard import row_html

register = template.Library()

register.filter("at_risk_rows", row_html.at_risk_rows_html)
register.filter("overdue_rows", row_html.overdue_rows_html)
register.filter("slipped_rows", row_html.slipped_rows_html)
