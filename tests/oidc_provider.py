"""A small OpenID Connect provider on a loopback port, standing in for the council's (Entra ID,
say) in tests: discovery, authorisation (no login form: it signs in whoever the test names),
token, userinfo and JWKS, with an RS256 key made for the test run. Knobs let a test make it
answer wrongly: sign with another key, send another nonce, or name another audience."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "caseload-test-client"
CLIENT_SECRET = "a-client-secret-for-tests-only"
KEY_ID = "test-signing-key"


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Grant:
    nonce: str | None
    redirect_uri: str
    code_challenge: str | None
    access_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))


class LocalProvider:
    def __init__(self) -> None:
        self.key = _new_key()
        self.claims: dict[str, Any] = {}
        self.amr: list[str] = ["pwd"]
        self.sign_with_another_key = False
        self.wrong_nonce = False
        self.audience = CLIENT_ID
        self.token_requests = 0
        self._grants: dict[str, Grant] = {}
        self._by_access_token: dict[str, Grant] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LocalProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    # -- the endpoints -----------------------------------------------------------------------

    def _authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return 400, {}, b"bad request"
        code = secrets.token_urlsafe(16)
        self._grants[code] = Grant(
            nonce=query.get("nonce"),
            redirect_uri=query["redirect_uri"],
            code_challenge=query.get("code_challenge"),
        )
        back = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return 302, {"Location": back}, b""

    def _token(self, form: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.token_requests += 1
        grant = self._grants.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("redirect_uri") != grant.redirect_uri
            or grant.code_challenge != _s256(form.get("code_verifier", ""))
        ):
            return 400, {}, json.dumps({"error": "invalid_grant"}).encode()
        self._by_access_token[grant.access_token] = grant
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "subject-" + str(self.claims.get("email", "none")),
            "aud": self.audience,
            "iat": now,
            "exp": now + 300,
            "nonce": "not-the-nonce-sent" if self.wrong_nonce else grant.nonce,
            "amr": self.amr,
            **self.claims,
        }
        key = _new_key() if self.sign_with_another_key else self.key
        id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": KEY_ID})
        body = {"access_token": grant.access_token, "token_type": "Bearer", "id_token": id_token}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    def _userinfo(self, authorization: str) -> tuple[int, dict[str, str], bytes]:
        token = authorization.removeprefix("Bearer ")
        if token not in self._by_access_token:
            return 401, {}, b""
        body = {"sub": "subject-" + str(self.claims.get("email", "none")), **self.claims}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    def _jwks(self) -> tuple[int, dict[str, str], bytes]:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        jwk.update({"kid": KEY_ID, "alg": "RS256", "use": "sig"})
        return 200, {"Content-Type": "application/json"}, json.dumps({"keys": [jwk]}).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, answer: tuple[int, dict[str, str], bytes]) -> None:
                status, headers, body = answer
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    body = json.dumps(provider.discovery()).encode()
                    self._send((200, {"Content-Type": "application/json"}, body))
                elif url.path == "/authorize":
                    self._send(provider._authorize(query))
                elif url.path == "/userinfo":
                    self._send(provider._userinfo(self.headers.get("Authorization", "")))
                elif url.path == "/jwks":
                    self._send(provider._jwks())
                else:
                    self._send((404, {}, b""))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlsplit(self.path).path == "/token":
                    self._send(provider._token(form))
                else:
                    self._send((404, {}, b""))

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test output is the test's."""

        return Handler


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
