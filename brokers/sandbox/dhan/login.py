"""The Dhan sandbox's token routes: PIN + TOTP (``generateAccessToken``), the
three-step API-key consent flow, and ``RenewToken``."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlencode

import pyotp

from ...ist import IST
from ..server import Request, Response
from .state import DhanState, err

__all__ = ["LoginRoutes"]


class LoginRoutes(DhanState):
    """Token handlers (they take the request only)."""

    def generate_access_token(self, req: Request) -> Response:
        if req.body:
            return err(400, "DH-905", "Send dhanClientId, pin and totp as query parameters.")
        acct = self.accounts.get(req.arg("dhanClientId") or "")
        if acct is None or req.arg("pin") != acct.pin:
            return err(401, "DH-901", "Invalid client id or PIN.", "Invalid_Authentication")
        if not pyotp.TOTP(acct.totp_secret).verify(req.arg("totp") or "", valid_window=1):
            return err(401, "DH-901", "Invalid TOTP.", "Invalid_Authentication")
        token = self.issue_token(acct.client_id)
        with self.lock:
            self.logins["pin-totp"] += 1
            exp = self.tokens[token][1]
        return Response(200, {"dhanClientId": acct.client_id, "dhanClientName": acct.name,
                              "dhanClientUcc": "SBX" + acct.client_id[-4:], "givenPowerOfAttorney": False,
                              "accessToken": token,
                              "expiryTime": dt.datetime.fromtimestamp(exp, IST).replace(tzinfo=None).isoformat()})

    def _app_ok(self, req: Request) -> bool:
        return req.header("app_id") == self.app_id and req.header("app_secret") == self.app_secret

    def generate_consent(self, req: Request) -> Response:
        if not self._app_ok(req):
            return err(401, "DH-901", "Invalid app_id or app_secret.", "Invalid_Authentication")
        client = req.arg("client_id") or ""
        if client not in self.accounts:
            return err(400, "DH-905", "Invalid client_id.")
        cid = str(uuid.uuid4())
        with self.lock:
            self._consents[cid] = client
        return Response(200, {"consentAppId": cid, "consentAppStatus": "GENERATED", "status": "success"})

    def consent_login(self, req: Request) -> Response:
        with self.lock:
            client = self._consents.pop(req.arg("consentAppId") or "", None)
        if client is None:
            return Response(400, "<html><body>Unknown consentAppId.</body></html>", "text/html")
        target = f"{self.redirect_url}?{urlencode({'tokenId': self.issue_token_id(client)})}"
        return Response(302, "", headers={"Location": target})

    def consume_consent(self, req: Request) -> Response:
        if not self._app_ok(req):
            return err(401, "DH-901", "Invalid app_id or app_secret.", "Invalid_Authentication")
        with self.lock:
            client = self._token_ids.pop(req.arg("tokenId") or "", None)
        if client is None:
            return err(400, "DH-905", "Invalid or used tokenId.")
        token = self.issue_token(client)
        with self.lock:
            self.logins["consent"] += 1
            exp = self.tokens[token][1]
        return Response(200, {"dhanClientId": client, "dhanClientName": self.accounts[client].name,
                              "dhanClientUcc": "SBX" + client[-4:], "givenPowerOfAttorney": True,
                              "accessToken": token,
                              "expiryTime": dt.datetime.fromtimestamp(exp, IST).replace(tzinfo=None).isoformat()})

    def renew_token(self, req: Request) -> Response:
        client = self.valid(req.header("access-token") or "")
        if client is None or req.header("dhanclientid") != client:
            return err(401, "DH-901", "Token invalid or expired; only a valid token can be renewed.",
                       "Invalid_Authentication")
        token = self.issue_token(client)
        with self.lock:
            self.logins["renew"] += 1
            exp = self.tokens[token][1]
        return Response(200, {"dhanClientId": client, "token": token,
                              "expiryTime": dt.datetime.fromtimestamp(exp, IST).replace(tzinfo=None).isoformat()})
