"""The Fyers sandbox's logins: ``generate-authcode`` (the browser step), the auth-code
and refresh-token (PIN) exchanges, and logout."""

from __future__ import annotations

from urllib.parse import urlencode

from ..server import Request, Response
from .state import FyersState, err, ok

__all__ = ["LoginRoutes"]


class LoginRoutes(FyersState):
    """Login handlers."""

    def generate_authcode(self, req: Request) -> Response:
        if req.arg("client_id") != self.client_id:
            return err(400, -352, "Invalid app id")
        if req.arg("redirect_uri") != self.redirect_uri:
            return err(400, -50, "redirect_uri does not match the app's")
        fy_id = req.arg("fy_id")  # the sandbox's shortcut for the browser login
        if fy_id in self.accounts:
            query = {"s": "ok", "code": "200", "auth_code": self.issue_auth_code(fy_id)}
            if req.arg("state") is not None:
                query["state"] = req.arg("state") or ""
            return Response(302, "", headers={"Location": f"{self.redirect_uri}?{urlencode(query)}"})
        return Response(200, "<html><body>Fyers sandbox login: add &fy_id=XS00001 to log in.</body></html>",
                        "text/html")

    def validate_authcode(self, req: Request) -> Response:
        body = self._body(req) or {}
        if body.get("grant_type") != "authorization_code":
            return err(400, -441, "invalid grant type")
        if body.get("appIdHash") != self.app_id_hash():
            return err(400, -371, "Please provide sha256 hash of appId and app secret")
        code = body.get("code")
        with self.lock:
            user = self._auth_codes.pop(code, None) if isinstance(code, str) else None
        if user is None:
            return err(400, -374, "Please provide a valid auth code")
        with self.lock:
            self.logins["authcode"] += 1
        return ok(access_token=self.issue_access_token(user), refresh_token=self.issue_refresh_token(user))

    def validate_refresh(self, req: Request) -> Response:
        body = self._body(req) or {}
        if body.get("grant_type") != "refresh_token":
            return err(400, -441, "invalid grant type")
        if body.get("appIdHash") != self.app_id_hash():
            return err(400, -371, "Please provide sha256 hash of appId and app secret")
        with self.lock:
            user = self.refresh_tokens.get(str(body.get("refresh_token")))
        if user is None:
            return err(400, -437, "Refresh token is invalid or expired")
        if str(body.get("pin")) != self.accounts[user].pin:
            return err(400, -437, "Invalid PIN")
        with self.lock:
            self.logins["refresh"] += 1
        return ok(access_token=self.issue_access_token(user))

    def logout(self, req: Request, user: str) -> Response:
        token = (req.header("authorization") or "").partition(":")[2]
        with self.lock:
            self.tokens.pop(token, None)
        return ok(message="you are successfully logged out")
