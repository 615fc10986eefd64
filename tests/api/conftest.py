import pytest

from api.tokens import create_token


@pytest.fixture
def token_of():
    """A new token's secret for a person: `token_of(user)`."""

    def make(user, name="Scripts") -> str:
        return create_token(user=user, name=name).secret

    return make


@pytest.fixture
def bearer(token_of, engineer):
    """Headers that read the API as the engineer, with a token of theirs."""
    return {"Authorization": f"Bearer {token_of(engineer)}"}
