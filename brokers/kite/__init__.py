"""Zerodha Kite: KiteConnect and Kite Web."""

from .feed import KiteFeed

__all__ = ["KiteFeed"]
