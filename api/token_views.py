"""Personal API tokens on the profile page: make one (shown once), revoke one of one's own."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from api.forms import ApiTokenForm
from api.tokens import create_token, revoke_token
from teams.http import MilepostRequest


@require_POST
def api_token_create(request: MilepostRequest):
    """Make a token for oneself and show it, this once: only its digest is kept."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            new = create_token(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            context = {"token": new.token, "secret": new.secret}
            return render(request, "api/token_created.html", context, status=201)
    return render(request, "api/token_refused.html", {"form": form}, status=422)


@require_POST
def api_token_revoke(request: MilepostRequest, pk: int):
    """Revoke one of one's own live tokens (404 for anyone else's): it stops working at once."""
    token = revoke_token(user=request.user, token_id=pk)
    if token is None:
        raise Http404("You have no such token.")
    messages.success(request, f"Token “{token.name}” is revoked: it no longer works.")
    return redirect("profile")
