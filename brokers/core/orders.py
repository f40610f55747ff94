"""What every broker does with an order call's answer.

An order placement, modification or cancellation that may have reached the
broker is never repeated. When its answer is lost, or comes back in a shape
from which the order id cannot be read, the order state is unknown: the call
raises :class:`~brokers.errors.OrderStateUnknown` carrying what to reconcile by
(``tag``: the tag / correlation id sent; ``order_id``: the order modified or
cancelled). A refusal the broker explains (an error body, a 429, a connection
that was never made) keeps its own class: its outcome is known.

Example::

    answer = send_order(lambda: client._send(...), unknown, tag="s1", order_id=None)
    order_id = read_order_id(answer, ("order_id",), unknown)
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, TypeVar

from .. import errors

__all__ = ["Unknown", "attach", "read_order_id", "send_order"]

T = TypeVar("T")
#: Builds the broker's OrderStateUnknown from a message (and error fields as keywords).
Unknown = Callable[..., errors.BrokerError]


def attach(err: errors.BrokerError, tag: Optional[str], order_id: Optional[str] = None) -> errors.BrokerError:
    """Put what a caller reconciles by (``tag``, ``order_id``) on an OrderStateUnknown;
    values already there win."""
    if isinstance(err, errors.OrderStateUnknown):
        if tag and not err.tag:
            err.tag = tag
        if order_id and not err.order_id:
            err.order_id = order_id
    return err


def send_order(send: Callable[[], T], unknown: Unknown, where: str, tag: Optional[str] = None,
               order_id: Optional[str] = None) -> T:
    """``send()``, with every answer that leaves the order state unknown raised as such.

    A lost answer (the transport's OrderStateUnknown) gets ``tag`` / ``order_id``;
    an unreadable body (ResponseError), a 5xx (ServerError) or a network error after
    the request left becomes ``unknown(...)``. A 429 and a request that never left
    are raised as they are.
    """
    try:
        return send()
    except errors.OrderStateUnknown as e:
        attach(e, tag, order_id)
        raise
    except (errors.ServerError, errors.ResponseError, errors.NetworkError) as e:
        if isinstance(e, errors.RateLimitError) or (isinstance(e, errors.NetworkError) and e.status is None):
            raise  # refused (429) or never sent (connection refused): the order state is known
        raise attach(unknown(f"{where}: {e.message}", status=e.status, code=e.code, body=e.body),
                     tag, order_id) from None


def read_order_id(answer: Any, keys: Sequence[str], unknown: Unknown, *, what: str = "order") -> str:
    """The id at ``answer[keys[0]][keys[1]]...`` as a string, or ``unknown(message)`` raised.

    An answer from which the id cannot be read (``{}``, ``None``, ``[]``, ``"ok"``,
    ``{"order_id": None}``, a float, a bool, an empty string, ...) means the request
    reached the broker but we cannot tell what it did.
    """
    value: Any = answer
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip() and value.isprintable():
        return value
    shown = repr(answer)
    if len(shown) > 120:
        shown = shown[:117] + "..."
    raise unknown(f"the {what} answer carries no readable {'.'.join(keys)}: {shown}")
