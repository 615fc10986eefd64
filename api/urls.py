"""/api/: version 1 under /api/v1/, its OpenAPI 3 schema and its browsable docs.

The API answers 401 itself to a request without a valid token or session, so its views are
exempt from the sign-in redirect (`LoginRequiredMiddleware`); the docs page is a page like any
other and sends an anonymous visitor to sign in.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, include, path

from api.endpoints import api_v1
from api.views import api_docs, api_schema

v1_patterns, _v1_app, _v1_namespace = api_v1.urls
for pattern in v1_patterns:
    if isinstance(pattern, URLPattern):
        pattern.callback = login_not_required(pattern.callback)

urlpatterns = [
    path("v1/", include((v1_patterns, _v1_app), namespace=_v1_namespace)),
    path("schema/", api_schema, name="api_schema"),
    path("docs/", api_docs, name="api_docs"),
]
