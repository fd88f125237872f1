"""A warm pytest for mutation testing: the heavy libraries are imported once, each test run is a fresh fork.

    python benchmarks/pytest_forkserver.py serve SOCKET MODULE...   # preload MODULEs, then serve
    python benchmarks/pytest_forkserver.py run SOCKET PYTEST_ARG... # exit status: pytest's

The server never imports ``difficulty``: every run forks from it and imports the package afresh from the
run's working folder (with the mutant on disk), so a run sees exactly what a cold ``python -m pytest`` would,
in a second instead of the libraries' import time. One run at a time (cosmic-ray's local distributor is serial).
"""

import importlib
import json
import os
import signal
import socket
import subprocess
import sys

TIMEOUT = 100  # seconds a run may take before its fork is killed (below the test-command timeout)


def serve(path: str, preload: list[str]) -> None:
    sys.dont_write_bytecode = True  # a mutant and the original may share a modification second
    for name in preload:
        importlib.import_module(name)
    import pytest

    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen()
    while True:
        conn, _ = server.accept()
        with conn:
            request = json.loads(conn.makefile().readline())
            pid = os.fork()
            if pid == 0:
                server.close()
                os.chdir(request["cwd"])
                quiet = os.open(os.devnull, os.O_WRONLY)
                os.dup2(quiet, 1)
                os.dup2(quiet, 2)
                signal.alarm(TIMEOUT)
                os._exit(int(pytest.main(request["args"])))
            _, status = os.waitpid(pid, 0)
            try:
                conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
            except OSError:  # the client was stopped (cosmic-ray's timeout): nobody waits for the answer
                pass


def run(path: str, args: list[str]) -> int:
    """pytest's exit status for ``args``, from the warm server, or from a cold pytest if none answers."""
    try:
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)
            client.sendall((json.dumps({"cwd": os.getcwd(), "args": args}) + "\n").encode())
            answer = client.makefile().readline().strip()
        return int(answer)
    except (OSError, ValueError):  # a failed server must never pass for a killed mutant
        print(f"no answer from the pytest server at {path}: running pytest cold", file=sys.stderr)
        return subprocess.run([sys.executable, "-m", "pytest", *args]).returncode


if __name__ == "__main__":
    command, path, *rest = sys.argv[1:]
    if command == "serve":
        serve(path, rest)
    else:
        sys.exit(run(path, rest))
