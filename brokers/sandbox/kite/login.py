"""The Kite sandbox's logins: Kite Web (password + TOTP -> enctoken), the KiteConnect
redirect (``/connect/login``), ``/session/token`` and its refresh and delete."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any, Dict
from urllib.parse import urlencode

import pyotp

from ..server import Request, Response
from .state import KiteState, err, ist, ok

__all__ = ["LoginRoutes"]


class LoginRoutes(KiteState):
    """Login handlers (they take the request only: no session yet)."""

    def connect_login(self, req: Request) -> Response:
        if req.arg("api_key") != self.api_key:
            return err(400, "InputException", "Invalid `api_key`.")
        user = req.arg("user_id")
        if user in self.accounts:  # the sandbox's shortcut for the browser step
            token = self.issue_request_token(user)
            target = f"{self.redirect_url}?{urlencode({'request_token': token, 'action': 'login', 'status': 'success'})}"
            return Response(302, "", headers={"Location": target})
        return Response(200, "<html><body>Kite sandbox login: add &user_id=AB1234 to log in.</body></html>",
                        "text/html")

    def web_login(self, req: Request) -> Response:
        form = req.form
        acct = self.accounts.get(form.get("user_id", ""))
        if acct is None or form.get("password") != acct.password:
            return err(400, "InputException", "Invalid `user_id` or `password`.")
        request_id = secrets.token_urlsafe(12)
        with self.lock:
            self._pending_twofa[request_id] = acct.user_id
        return ok({"user_id": acct.user_id, "request_id": request_id, "twofa_type": "totp",
                    "twofa_types": ["totp"], "twofa_status": "active",
                    "profile": {"user_name": acct.user_name, "user_shortname": acct.user_name.split()[0],
                                "avatar_url": None}})

    def web_twofa(self, req: Request) -> Response:
        form = req.form
        with self.lock:
            user = self._pending_twofa.get(form.get("request_id", ""))
        if user is None or user != form.get("user_id"):
            return err(400, "InputException", "Invalid `request_id`. Log in again.")
        if not pyotp.TOTP(self.accounts[user].totp_secret).verify(form.get("twofa_value", ""), valid_window=1):
            return err(400, "TwoFAException", "Invalid TOTP.", {"attempts_remaining": 4})
        with self.lock:
            self._pending_twofa.pop(form.get("request_id", ""), None)
            self.logins["web"] += 1
        enctoken = self.issue_enctoken(user)
        resp = ok({"profile": {}})
        resp.headers["Set-Cookie"] = f"enctoken={enctoken}; Path=/; HttpOnly"
        return resp

    def _session_data(self, user: str, access_token: str, refresh: str) -> Dict[str, Any]:
        acct = self.accounts[user]
        return {"user_type": "individual", "email": acct.email, "user_name": acct.user_name,
                "user_shortname": acct.user_name.split()[0], "broker": "ZERODHA",
                "exchanges": ["NSE", "BSE", "NFO", "CDS", "MCX"], "products": ["CNC", "NRML", "MIS"],
                "order_types": ["MARKET", "LIMIT", "SL", "SL-M"], "avatar_url": None, "user_id": user,
                "api_key": self.api_key, "access_token": access_token, "public_token": secrets.token_hex(8),
                "refresh_token": refresh, "enctoken": "", "silo": "sandbox",
                "login_time": ist(time.time()), "meta": {"demat_consent": "consent"}}

    def session_token(self, req: Request) -> Response:
        form = req.form
        if form.get("api_key") != self.api_key:
            return err(403, "TokenException", "Invalid `api_key`.")
        rt = form.get("request_token", "")
        expected = hashlib.sha256((self.api_key + rt + self.api_secret).encode()).hexdigest()
        if form.get("checksum") != expected:
            return err(403, "TokenException", "Invalid `checksum`.")
        with self.lock:
            user = self._request_tokens.pop(rt, None)
        if user is None:
            return err(403, "TokenException", "Token is invalid or has expired.")
        access = self.issue_access_token(user)
        refresh = secrets.token_urlsafe(16)
        with self.lock:
            self.refresh_tokens[refresh] = user
            self.logins["connect"] += 1
        return ok(self._session_data(user, access, refresh))

    def session_refresh(self, req: Request) -> Response:
        form = req.form
        rt = form.get("refresh_token", "")
        expected = hashlib.sha256((self.api_key + rt + self.api_secret).encode()).hexdigest()
        with self.lock:
            user = self.refresh_tokens.get(rt)
        if form.get("api_key") != self.api_key or form.get("checksum") != expected or user is None:
            return err(403, "TokenException", "Invalid refresh token.")
        return ok(self._session_data(user, self.issue_access_token(user), rt))

    def session_delete(self, req: Request) -> Response:
        with self.lock:
            if req.arg("access_token"):
                self.tokens.pop(req.arg("access_token") or "", None)
            if req.arg("refresh_token"):
                self.refresh_tokens.pop(req.arg("refresh_token") or "", None)
        return ok(True)
