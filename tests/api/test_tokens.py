"""Personal API tokens (`api/tokens.py`): hashed at rest, shown once, revoked for good."""

import hashlib

import pytest
from django.core.exceptions import ValidationError

from api.models import ApiToken
from api.tokens import MOST_LIVE_TOKENS, create_token, revoke_token, user_for_token


def test_a_token_is_stored_only_as_its_sha256_digest(engineer):
    new = create_token(user=engineer, name="  Spreadsheet  ")
    stored = ApiToken.objects.get()
    assert new.secret.startswith("mp_")
    assert len(new.secret) > 40
    assert stored.digest == hashlib.sha256(new.secret.encode()).hexdigest()
    assert new.secret not in {stored.digest, stored.prefix, stored.name}
    assert (stored.name, stored.prefix) == ("Spreadsheet", new.secret[:8])


def test_a_token_reads_as_its_person_and_notes_the_day(engineer):
    new = create_token(user=engineer, name="Scripts")
    assert user_for_token(new.secret) == engineer
    new.token.refresh_from_db()
    assert new.token.last_used_on is not None


def test_two_tokens_are_never_the_same(engineer):
    first, second = (create_token(user=engineer, name=name) for name in ("a", "b"))
    assert first.secret != second.secret


def test_a_revoked_token_no_longer_reads(engineer):
    new = create_token(user=engineer, name="Scripts")
    assert revoke_token(user=engineer, token_id=new.token.pk).is_revoked
    assert user_for_token(new.secret) is None


def test_nobody_revokes_someone_elses_token(engineer, lead):
    new = create_token(user=engineer, name="Scripts")
    assert revoke_token(user=lead, token_id=new.token.pk) is None
    assert user_for_token(new.secret) == engineer


def test_a_deactivated_persons_token_no_longer_reads(engineer):
    new = create_token(user=engineer, name="Scripts")
    engineer.is_active = False
    engineer.save()
    assert user_for_token(new.secret) is None


@pytest.mark.parametrize("secret", ["", "mp_", "not-a-token", "mp_" + "x" * 43])
def test_anything_but_a_live_token_reads_as_nobody(engineer, secret):
    create_token(user=engineer, name="Scripts")
    assert user_for_token(secret) is None


def test_a_token_needs_a_name(engineer):
    with pytest.raises(ValidationError) as error:
        create_token(user=engineer, name="   ")
    assert "name" in error.value.message_dict
    assert not ApiToken.objects.exists()


def test_a_person_holds_a_bounded_number_of_live_tokens(engineer):
    for n in range(MOST_LIVE_TOKENS):
        create_token(user=engineer, name=f"t{n}")
    with pytest.raises(ValidationError, match="revoke one"):
        create_token(user=engineer, name="one more")
    revoke_token(user=engineer, token_id=ApiToken.objects.first().pk)
    create_token(user=engineer, name="one more")
