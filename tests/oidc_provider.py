"""A small OpenID Connect provider on loopback, for the tests of Sign in with Google.

It speaks the authorization-code flow the way Google does: discovery document, an authorize
endpoint (which signs in `provider.account` at once, as Google does for a browser already
signed in, or answers `error=access_denied` when `provider.cancel` is set), a token endpoint
that checks the client's secret and the one-time code and returns an ID token signed RS256
with a key made for the run, a userinfo endpoint and the JWKS. Nothing of allauth is mocked:
the app talks to it over HTTP as it would to accounts.google.com.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "milepost-test-client.apps.example"
CLIENT_SECRET = "test-client-secret"
KEY_ID = "test-key-1"


@dataclass
class OidcProvider:
    url: str = ""
    account: dict = field(default_factory=dict)  # the Google account "signed in" right now
    cancel: bool = False
    codes: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)  # (method, path) of every request
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def sign_in_as(self, email: str, *, verified: bool = True, sub: str | None = None) -> None:
        self.account = {
            "sub": sub or f"google-{email}",
            "email": email,
            "email_verified": verified,
            "name": email.split("@")[0].title(),
        }

    # --- WSGI -------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        self.requests.append((method, path))
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if method == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(size).decode()
            query |= {k: v[0] for k, v in parse_qs(body).items()}
        routes = {
            "/.well-known/openid-configuration": self._discovery,
            "/authorize": self._authorize,
            "/token": self._token,
            "/userinfo": self._userinfo,
            "/jwks": self._jwks,
        }
        handler = routes.get(path)
        if handler is None:
            return _respond(start_response, "404 Not Found", {"error": "not_found"})
        return handler(environ, query, start_response)

    def _discovery(self, environ, query, start_response):
        return _respond(
            start_response,
            "200 OK",
            {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "userinfo_endpoint": f"{self.url}/userinfo",
                "jwks_uri": f"{self.url}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "client_secret_basic",
                ],
            },
        )

    def _authorize(self, environ, query, start_response):
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return _respond(start_response, "400 Bad Request", {"error": "invalid_request"})
        redirect_uri = query["redirect_uri"]
        if self.cancel:
            params = {"error": "access_denied", "state": query.get("state", "")}
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = {
                "account": dict(self.account),
                "redirect_uri": redirect_uri,
                "nonce": query.get("nonce"),
            }
            params = {"code": code, "state": query.get("state", "")}
        start_response("302 Found", [("Location", f"{redirect_uri}?{urlencode(params)}")])
        return [b""]

    def _token(self, environ, query, start_response):
        grant = self.codes.pop(query.get("code", ""), None)  # a code works once
        secret_ok = (query.get("client_id"), query.get("client_secret")) == (
            CLIENT_ID,
            CLIENT_SECRET,
        )
        if grant is None or not secret_ok or query.get("redirect_uri") != grant["redirect_uri"]:
            return _respond(start_response, "400 Bad Request", {"error": "invalid_grant"})
        now = int(time.time())
        claims = {
            **grant["account"],
            "iss": self.url,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 3600,
        }
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KEY_ID})
        access_token = secrets.token_urlsafe(16)
        self.tokens[access_token] = grant["account"]
        return _respond(
            start_response,
            "200 OK",
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "id_token": id_token,
                "scope": "openid email profile",
            },
        )

    def _userinfo(self, environ, query, start_response):
        token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
        account = self.tokens.get(token)
        if account is None:
            return _respond(start_response, "401 Unauthorized", {"error": "invalid_token"})
        return _respond(start_response, "200 OK", account)

    def _jwks(self, environ, query, start_response):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk |= {"kid": KEY_ID, "use": "sig", "alg": "RS256"}
        return _respond(start_response, "200 OK", {"keys": [jwk]})


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


class _ThreadingServer(WSGIServer):
    daemon_threads = True


def _respond(start_response, status: str, payload: dict):
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


@pytest.fixture(scope="session")
def _oidc_server():
    provider = OidcProvider()
    server = make_server("127.0.0.1", 0, provider, handler_class=_QuietHandler)
    provider.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield provider
    server.shutdown()
    server.server_close()


@pytest.fixture
def oidc_provider(_oidc_server, settings):
    """The provider, with Milepost configured for it as it would be for Google."""
    provider = _oidc_server
    provider.account, provider.cancel = {}, False
    provider.requests.clear()
    settings.MILEPOST_GOOGLE_ALLOWED_DOMAINS = ["example.com"]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "google",
                    "name": "Google",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {"server_url": provider.url},
                }
            ]
        }
    }
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "DIRECTIVES": {**directives, "form-action": [*directives["form-action"], provider.url]},
    }
    return provider
