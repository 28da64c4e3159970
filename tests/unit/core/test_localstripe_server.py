"""``scripts/localstripe_server.py`` (what ``make run`` starts): its state lives in the file we
name (``var/`` by default), not in the machine-wide /tmp/localstripe.pickle, and when it cannot
start it says why and exits non-zero, so ``make run`` stops instead of serving without payments."""

import json
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "localstripe_server.py"
SHARED = Path("/tmp/localstripe.pickle")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(port, tmp_path, *extra):
    ready = tmp_path / "ready"
    ready.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--port", str(port), "--ready-file", str(ready), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"localstripe did not start: {proc.communicate()}")
        time.sleep(0.1)
    return proc


def stop(proc):
    proc.terminate()
    proc.wait(timeout=20)


def call(port, path, data=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=data.encode() if data else None,
        headers={"Authorization": "Bearer sk_test_12345"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - loopback
        return json.loads(response.read())


def test_state_is_kept_in_the_named_file_and_reloaded(tmp_path):
    email = f"state-{uuid.uuid4().hex}@example.com"
    state = tmp_path / "var" / "localstripe.pickle"
    port = free_port()
    proc = start(port, tmp_path, "--state", str(state))
    try:
        customer = call(port, "/v1/customers", f"email={email}")
    finally:
        stop(proc)
    assert email.encode() in state.read_bytes()
    assert not SHARED.exists() or email.encode() not in SHARED.read_bytes()  # not in the shared /tmp file

    proc = start(port, tmp_path, "--state", str(state))
    try:
        assert call(port, f"/v1/customers/{customer['id']}")["email"] == email
    finally:
        stop(proc)


def test_a_taken_port_is_a_clear_error_and_a_non_zero_exit(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(SCRIPT), "--port", str(port), "--state", str(tmp_path / "s.pickle")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"localstripe could not start: 127.0.0.1:{port} is not available" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreadable_state_file_is_a_clear_error(tmp_path):
    state = tmp_path / "broken.pickle"
    state.write_bytes(b"not a pickle")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--port", str(free_port()), "--state", str(state)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "cannot be read" in result.stderr and "--from-scratch" in result.stderr
