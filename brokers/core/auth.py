"""Auth flows (strategies) and the runner that tries them in order.

Each broker lists the ways it can get a :class:`~brokers.stores.Session` as
:class:`AuthFlow` objects, in its documented fallback order. A flow receives
what it needs as plain values: a :data:`Send` callable for the requests it
makes (as httpx's ``Auth.auth_flow`` and google-auth's credentials receive a
request callable), the store, and the user's values. It never receives the
client: a login only sends.

:func:`run_flows` asks each flow in turn; a flow returns ``None`` when it does
not apply (its arguments were not given, nothing is stored), a session when it
worked, and raises when it applied and failed. Flows marked ``locked`` run
under the store's lock for the session key, so that threads and processes that
all find no session log in once between them: the first logs in and saves
(``adopt`` runs under the lock), the others find the saved session when they
get the lock.

Example::

    def send(method, url, **kw):               # the client's unauthenticated send
        return transport.request(method, url, **kw)

    flows = [StoredSession(store, key), PasswordLogin(send, root, user, password)]
    flow, session = run_flows(flows, lambda: store.lock(key), "kite", adopt=save)
"""

from __future__ import annotations

import abc
from typing import Any, Callable, ContextManager, Optional, Sequence, Tuple

from .. import errors
from ..stores import Session

__all__ = ["Adopt", "AuthFlow", "Lock", "Send", "run_flows"]

#: ``send(method, url, **kw)``: one request through the client's Transport without
#: the session's headers, returning the decoded answer (``kw`` as
#: :meth:`brokers.core.http.Transport.request`: ``params``, ``data``, ``json``,
#: ``headers``, ``group``, ``decode``). Raises :mod:`brokers.errors` classes.
Send = Callable[..., Any]
#: A context manager factory: the store's lock for the session key.
Lock = Callable[[], ContextManager[Any]]
#: Called with the flow and its session, under the lock for locked flows.
Adopt = Callable[["AuthFlow", Session], None]


class AuthFlow(abc.ABC):
    """One way of obtaining a session.

    Attributes:
        name: a short name shown in logs and in ``client.auth_flow``, e.g.
            ``"stored"`` or ``"web-login"``.
        locked: run under the store's lock (flows that read the store or log in
            with reusable credentials).
        saves: the session it returns is new and should be saved (a login); False
            for flows that read a token given or stored.
    """

    name: str = "flow"
    locked: bool = False
    saves: bool = True

    @abc.abstractmethod
    def login(self) -> Optional[Session]:
        """A session, or ``None`` when this flow does not apply.

        Raises:
            ValueError: arguments given for this flow are incomplete.
            brokers.errors.AuthError: the flow applied and the broker refused it.
        """

    @property
    def repeatable(self) -> bool:
        """True when the flow can log in again later without the user (a TOTP
        secret or callable rather than a one-off code). Re-login after a refused
        token uses only repeatable flows."""
        return False

    def refused(self, dead: Session) -> None:
        """Told that ``dead`` was refused, before a re-login (a refresh-token flow
        takes the refresh token that session carried). Does nothing by default."""
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def run_flows(
    flows: Sequence[AuthFlow],
    lock: Lock,
    broker: str,
    adopt: Optional[Adopt] = None,
) -> Tuple[AuthFlow, Session]:
    """Try ``flows`` in order and return the first that yields a session.

    The first flow marked ``locked`` takes ``lock()`` and holds it for itself and
    every flow after it; ``adopt(flow, session)`` runs before the lock is released,
    so a login is saved before anyone else may look for it.

    Raises:
        brokers.errors.AuthError: no flow applied.
    """
    for i, flow in enumerate(flows):
        if flow.locked:
            with lock():
                for later in flows[i:]:
                    session = later.login()
                    if session is not None:
                        if adopt is not None:
                            adopt(later, session)
                        return later, session
            break
        session = flow.login()
        if session is not None:
            if adopt is not None:
                adopt(flow, session)
            return flow, session
    raise errors.AuthError("no way to log in: pass a token or login credentials to authorize()", broker=broker)
