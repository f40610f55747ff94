"""What every broker shares: HTTP transport, rate limits, auth flows, redaction, feeds.

Nothing in ``brokers.core`` imports a broker package.
"""
