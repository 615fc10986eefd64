"""The API's schema (OpenAPI 3, JSON) and its docs page."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from api.auth import api_user
from api.endpoints import api_v1


@login_not_required
@require_GET
def api_schema(request: HttpRequest):
    """The OpenAPI 3 schema of /api/v1/, for a person with a token or signed in (401 else)."""
    if api_user(request) is None:
        return JsonResponse({"detail": "Unauthorized"}, status=401)
    schema = api_v1.get_openapi_schema(path_prefix=reverse("api-v1:api-root"))
    return JsonResponse(schema)


@require_GET
def api_docs(request: HttpRequest):
    """Swagger UI over the schema, its "Try it out" signed in with the session."""
    return api_v1.docs.render_page(request, api_v1)
