"""``kiteconnect.exceptions``: the same names, members of :mod:`brokers.errors`' tree
(they are :mod:`brokers.kite.exceptions`' classes)."""

from ...kite.exceptions import (
    DataException,
    GeneralException,
    InputException,
    KiteException,
    NetworkException,
    OrderException,
    PermissionException,
    TokenException,
)

__all__ = ["DataException", "GeneralException", "InputException", "KiteException", "NetworkException",
           "OrderException", "PermissionException", "TokenException"]
