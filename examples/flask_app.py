"""Flask: the KiteConnect redirect login, the session in a shared FileStore, views calling Kite.

    KITE_API_KEY=... KITE_API_SECRET=... flask --app examples/flask_app run

Against a running sandbox (``python -m brokers sandbox`` prints its URL, api_key and
api_secret), set ``BROKERS_SANDBOX=http://127.0.0.1:PORT`` as well.

Set your Kite app's redirect URL to http://127.0.0.1:5000/callback. Every worker process
reads the same FileStore, so one login in the morning serves them all; a view that
finds no session sends the user to /login.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Optional

from flask import Flask, jsonify, redirect, request

from brokers import errors
from brokers.kite import Kite
from brokers.stores import FileStore, SessionStore


def create_app(store: Optional[SessionStore] = None, **kite_urls: Any) -> Flask:
    """The app. ``store`` and ``kite_urls`` exist for tests (point them at the sandbox)."""
    app = Flask(__name__)
    api_key = os.environ["KITE_API_KEY"]
    api_secret = os.environ["KITE_API_SECRET"]
    store = store or FileStore()
    if not kite_urls and os.environ.get("BROKERS_SANDBOX"):
        from brokers.sandbox import client_urls

        kite_urls = client_urls(os.environ["BROKERS_SANDBOX"], "kite")

    def kite() -> Kite:
        # One client per request is cheap: no network until the first call, and the
        # session comes from the store that every worker shares.
        return Kite(api_key=api_key, store=store, **kite_urls)

    @app.get("/login")
    def login() -> Any:
        with kite() as k:
            return redirect(k.login_url())

    @app.get("/callback")
    def callback() -> Any:
        token = request.args.get("request_token")
        if not token:
            return jsonify(error="no request_token in the redirect"), 400
        with kite() as k:
            k.authorize(request_token=token, secret=api_secret)
            return jsonify(logged_in=k.user_id)

    @app.get("/holdings")
    def holdings() -> Any:
        try:
            with kite() as k:
                return jsonify(k.holdings())
        except errors.AuthError:  # no session yet, or Kite refused it (TokenExpired)
            return redirect("/login")

    @app.get("/ltp/<path:instrument>")
    def ltp(instrument: str) -> Any:
        with kite() as k:
            data: Dict[str, Any] = k.ltp(instrument)
            return jsonify(data)

    @app.errorhandler(errors.BrokerError)
    def broker_error(e: errors.BrokerError) -> Any:
        return jsonify(error=e.message, broker_code=e.code), e.status or 502

    return app
