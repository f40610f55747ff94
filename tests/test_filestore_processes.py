"""FileStore.lock() works across processes: one login between racing processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from brokers.sandbox import Sandbox

SCRIPT = textwrap.dedent("""
    import sys
    from brokers.kite import Kite
    from brokers.stores import FileStore
    url, path, secret = sys.argv[1:4]
    with Kite(store=FileStore(path), root=url + "/kite/connect", web_root=url + "/kite/web") as kite:
        kite.authorize(user_id="AB1234", password="sandbox-password", totp_secret=secret, interactive=False)
        print(kite.auth_flow, kite.enctoken)
""")


def test_two_processes_racing_authorize_log_in_once(tmp_path, sandbox: Sandbox):
    # Hold the first login at the server long enough that the second process
    # certainly arrives while the first holds the lock.
    sandbox.stall_next(1, seconds=1.5, path="/kite/web/api/login")
    secret = sandbox.kite.accounts["AB1234"].totp_secret
    args = [sys.executable, "-c", SCRIPT, sandbox.url, str(tmp_path / "store"), secret]
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    flows = sorted(o[0].split()[0] for o in outs)
    tokens = {o[0].split()[1] for o in outs}
    assert sandbox.kite.logins["web"] == 1
    assert flows == ["stored", "web-login"]
    assert len(tokens) == 1
