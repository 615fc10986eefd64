import pytest
from django.utils import timezone

from tests.reviews.helpers import TODAY


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """Services and views read `timezone.localdate()`: pin it to Nov 25, 2026 (the `today`
    fixture), mid 2026 Q4 (the `quarter` fixture)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY
