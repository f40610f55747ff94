"""``python -m brokers`` (also the ``brokers`` command): demo, login, whoami, logout, sessions, sandbox,
symbols, history."""

from __future__ import annotations

import argparse
import sys
from typing import List, NoReturn, Optional

from . import __version__


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> "NoReturn":  # one line, exit 2
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="brokers",
        description="Indian stockbroker APIs (Kite, Dhan, Fyers) from Python. "
                    "Start with `python -m brokers demo`: it needs no account and no network.")
    p.add_argument("--version", action="version", version=f"brokers {__version__}")
    p.add_argument("--store", metavar="DIR|URL",
                   help="session directory, or a redis:// URL (default: the user data dir)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    d = sub.add_parser("demo", help="tour the library against the bundled sandbox (offline)")
    d.add_argument("--broker", choices=("kite", "dhan", "fyers"), action="append",
                   help="only this broker (repeatable; default: all)")
    d.add_argument("--seconds", type=float, default=3.0, help="how long to show live ticks (default 3)")

    lg = sub.add_parser("login", help="the daily login, saved for every process on this machine")
    lg.add_argument("broker", choices=("kite", "dhan", "fyers"))
    lg.add_argument("--user-id", help="Kite user id / Dhan or Fyers client id")
    lg.add_argument("--totp-secret-env", metavar="VAR", help="read the TOTP secret from this environment variable")
    lg.add_argument("--paste-token", action="store_true", help="Dhan: paste an access token instead of PIN+TOTP")
    lg.add_argument("--redirect-uri", help="Fyers: your app's redirect URI")
    lg.add_argument("--secret-key-env", metavar="VAR", help="Fyers: read the app's secret key from this variable")
    lg.add_argument("--sandbox", metavar="URL", help="log in to a running sandbox at URL instead of the broker")
    lg.add_argument("--force", action="store_true", help="log in again even when a stored session is still valid")

    w = sub.add_parser("whoami", help="show who each stored session belongs to (asks the broker)")
    w.add_argument("--sandbox", metavar="URL", help="ask a running sandbox at URL instead of the broker")
    lo = sub.add_parser("logout", help="forget stored sessions")
    lo.add_argument("broker", nargs="?", choices=("kite", "dhan", "fyers"), help="only this broker")
    sub.add_parser("sessions", help="list stored sessions with host and expiry (tokens masked)")
    sb = sub.add_parser("sandbox", help="run the sandbox in the foreground and print its URLs and accounts")
    sb.add_argument("--port", type=int, default=0, help="HTTP port (default: a free one)")
    sb.add_argument("--for", dest="duration", type=float, default=None, metavar="SECONDS",
                    help="stop after this many seconds (default: until Ctrl-C)")
    from .commands_data import add_parsers

    add_parsers(sub)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point; returns the exit code (2 for wrong arguments)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from . import commands

    try:
        return int(getattr(commands, args.command)(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except commands.UsageError as e:
        print(f"brokers {args.command}: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # the command line shows one line, not a traceback
        from .errors import BrokerError

        if not isinstance(e, (BrokerError, ValueError, OSError, ImportError)):
            raise
        print(f"brokers {args.command}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
