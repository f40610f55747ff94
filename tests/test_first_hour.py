"""The README's first commands, pasted verbatim into a fresh clone, work.

This is the newcomer's first minute: clone, make a virtualenv, install from the
checkout, run the demo. The test clones the repository's committed HEAD into a
temporary directory and runs the README's first literal block there, line for line,
in a shell. ``pip install`` reads the package index this machine is set up with
(the same one tox itself installs from).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def first_commands(readme: str) -> list:
    """The literal block under "Try it": its lines, dedented."""
    lines = readme.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Try it"))
    block = []
    for line in lines[start + 2:]:
        if line and not line.startswith("    "):
            break
        if line.strip():
            block.append(line[4:])
    return block


def test_the_first_block_is_the_install_and_the_demo():
    block = first_commands((ROOT / "README.rst").read_text())
    assert block[-1] == "python -m brokers demo"
    assert any(line.startswith("pip install") and "." in line for line in block)


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.skipif(not (ROOT / ".git").exists() or shutil.which("git") is None,
                    reason="needs a git checkout to clone")
def test_readme_first_commands_work_verbatim_in_a_fresh_clone(tmp_path):
    clone = tmp_path / "brokers"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    block = first_commands((clone / "README.rst").read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH", "TOX_"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    proc = subprocess.run(["bash", "-e", "-c", "\n".join(block)], cwd=clone, env=env, capture_output=True,
                          text=True, timeout=840)
    assert proc.returncode == 0, (proc.stdout[-3000:], proc.stderr[-3000:])
    out = proc.stdout
    for section in ("Kite: Kite Web login", "Kite: holdings", "ticks received; feed closed",
                    "Dhan: PIN + TOTP login", "Fyers: the auth-code login"):
        assert section in out, section
    assert "live feeds skipped" not in out  # the extras the README installs are enough
    assert (clone / ".venv" / "bin" / "python").exists()
