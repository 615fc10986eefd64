import datetime

from django import template

register = template.Library()


@register.filter
def duration_words(value) -> str:
    """A timedelta for people: "15 minutes", "2 hours", "1 hour 30 minutes"."""
    if not isinstance(value, datetime.timedelta):
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
