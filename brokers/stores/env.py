"""EnvStore: sessions in environment variables (a process and its children)."""

from __future__ import annotations

import contextlib
import os
from typing import Any, List, Mapping, MutableMapping, Optional

from .base import KeyLocks, SessionStore
from .session import check_key

__all__ = ["EnvStore"]


class EnvStore(SessionStore):
    """Sessions read from (and written back to) environment variables.

    The broker is the part of the key before the first ``-`` (``"kite-AB1234"``
    reads the ``KITE_*`` variables). Variables, by broker:

    =========  ===============================================================
    kite       ``KITE_ENCTOKEN`` (with ``KITE_USER_ID``) or ``KITE_ACCESS_TOKEN``
               (with ``KITE_API_KEY``)
    dhan       ``DHAN_ACCESS_TOKEN``, ``DHAN_CLIENT_ID``
    fyers      ``FYERS_ACCESS_TOKEN``, ``FYERS_CLIENT_ID``
    any        ``<BROKER>_EXPIRES_AT`` (ISO 8601), optional; ``<BROKER>_ROOT``,
               the REST root the token belongs to (default: the broker's real host)
    =========  ===============================================================

    :meth:`save` writes the same variables into ``environ`` (``os.environ`` by
    default), so child processes started afterwards inherit the login.

    Example::

        os.environ["DHAN_CLIENT_ID"] = "1000000001"
        os.environ["DHAN_ACCESS_TOKEN"] = token
        dhan = Dhan(store=EnvStore())
    """

    _KINDS = {"kite": ("enctoken", "access_token"), "dhan": ("access_token",), "fyers": ("access_token",)}

    def __init__(self, environ: Optional[MutableMapping[str, str]] = None) -> None:
        self.environ = os.environ if environ is None else environ
        self._locks = KeyLocks()

    @staticmethod
    def _broker(key: str) -> str:
        return check_key(key).split("-", 1)[0].lower()

    def _read(self, key: str) -> Optional[Mapping[str, Any]]:
        broker = self._broker(key)
        p = broker.upper()
        env = self.environ
        for kind in self._KINDS.get(broker, ("access_token",)):
            token = env.get(f"{p}_{kind.upper()}")
            if token:
                user = env.get(f"{p}_USER_ID") or env.get(f"{p}_CLIENT_ID")
                wanted = key.split("-", 1)[1] if "-" in key else None
                if wanted and user and wanted != user:
                    return None
                return {
                    "broker": broker,
                    "kind": kind,
                    "token": token,
                    "user_id": user or wanted,
                    "api_key": env.get(f"{p}_API_KEY"),
                    "expires_at": env.get(f"{p}_EXPIRES_AT"),
                    "root": env.get(f"{p}_ROOT"),
                }
        return None

    def _write(self, key: str, record: Mapping[str, Any]) -> None:
        p = self._broker(key).upper()
        for kind in self._KINDS.get(p.lower(), ("access_token",)):
            self.environ.pop(f"{p}_{kind.upper()}", None)
        self.environ[f"{p}_{str(record['kind']).upper()}"] = str(record["token"])
        user_var = f"{p}_USER_ID" if p == "KITE" else f"{p}_CLIENT_ID"
        for var, value in ((user_var, record.get("user_id")), (f"{p}_API_KEY", record.get("api_key")),
                           (f"{p}_EXPIRES_AT", record.get("expires_at")),
                           (f"{p}_ROOT", record.get("root"))):
            if value:
                self.environ[var] = str(value)
            else:
                self.environ.pop(var, None)

    def clear(self, key: str) -> None:
        p = self._broker(key).upper()
        for kind in self._KINDS.get(p.lower(), ("access_token",)):
            self.environ.pop(f"{p}_{kind.upper()}", None)
        self.environ.pop(f"{p}_EXPIRES_AT", None)
        self.environ.pop(f"{p}_ROOT", None)

    def keys(self) -> List[str]:
        return sorted(b for b in self._KINDS if self._read(b) is not None)

    def lock(self, key: str) -> contextlib.AbstractContextManager[Any]:
        return self._locks.get(check_key(key))

    def __repr__(self) -> str:
        return "EnvStore()"
