"""Auth flows (strategies) and the runner that tries them in order.

Each broker lists the ways it can get a :class:`~brokers.stores.Session` as
:class:`AuthFlow` objects, in its documented fallback order. :func:`run_flows`
asks each in turn; a flow returns ``None`` when it does not apply (its
arguments were not given, nothing is stored), a session when it worked, and
raises when it applied and failed. Flows marked ``locked`` run under the
store's lock for the session key, so that threads and processes that all find
no session log in once between them: the first logs in and saves, the others
find the saved session when they get the lock.
"""

from __future__ import annotations

import abc
import contextlib
from typing import Callable, Optional, Sequence, Tuple

from .. import errors
from ..stores import Session

__all__ = ["AuthFlow", "run_flows"]


class AuthFlow(abc.ABC):
    """One way of obtaining a session.

    Attributes:
        name: a short name shown in logs and in :attr:`Kite.auth_flow`-style
            attributes, e.g. ``"stored"`` or ``"web-login"``.
        locked: run under the store's lock (flows that read the store or log in
            with reusable credentials).
    """

    name: str = "flow"
    locked: bool = False

    @abc.abstractmethod
    def login(self) -> Optional[Session]:
        """A session, or ``None`` when this flow does not apply.

        Raises:
            ValueError: arguments given for this flow are incomplete.
            brokers.errors.AuthError: the flow applied and the broker refused it.
        """

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def run_flows(
    flows: Sequence[AuthFlow],
    lock: Callable[[], contextlib.AbstractContextManager],
    broker: str,
) -> Tuple[AuthFlow, Session]:
    """Try ``flows`` in order and return the first that yields a session.

    The first flow marked ``locked`` takes ``lock()`` and holds it for itself
    and every flow after it.

    Raises:
        brokers.errors.AuthError: no flow applied.
    """
    for i, flow in enumerate(flows):
        if flow.locked:
            with lock():
                for later in flows[i:]:
                    session = later.login()
                    if session is not None:
                        return later, session
            break
        session = flow.login()
        if session is not None:
            return flow, session
    raise errors.AuthError("no way to log in: pass a token or login credentials to authorize()", broker=broker)
