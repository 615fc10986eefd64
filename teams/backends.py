"""Password sign-in, throttled by `teams.throttle` (the admin's sign-in included)."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from teams import throttle


class ThrottledModelBackend(ModelBackend):
    """Django's username and password check, behind the throttle.

    A refused try raises PermissionDenied, which stops Django from asking any other backend,
    and leaves the refusal on the request for the sign-in form to show. The browser's device
    cookie, if it has a valid one for the account, is read here; the sign-in page issues a
    new one on success (`SignInView`).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.MILEPOST_PASSWORD_SIGN_IN:
            return None  # only Google signs people in (the admin's form included)
        if request is None or username is None or password is None:
            return super().authenticate(request, username, password, **kwargs)
        address = throttle.client_address(request)
        device = throttle.trusted_device(request, username)
        refusal = throttle.refusal(username, address, device=device)
        if refusal is not None:
            request.sign_in_refusal = refusal
            raise PermissionDenied(refusal.message)
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            throttle.record_failure(username, address, device=device)
        else:
            throttle.record_success(username, address, device=device)
        return user
