"""Slowloris against the real `kameng serve` (issue 24, item 8): N clients start a request
and never finish its headers while the server runs under an open-files limit; then a
prospect opens a quote page. Prints whether and how fast the prospect is answered, the
server's open files, and whether it ever ran out (EMFILE in its output).

    .venv/bin/python benchmarks/bench_slowloris.py [--clients 1100] [--limit 1024]
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from bot.storage.store import Store
from tests.cli_helpers import make_quotes

KAMENG = str(Path(sys.executable).with_name("kameng"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=1100)
    parser.add_argument("--limit", type=int, default=1024, help="the server's RLIMIT_NOFILE")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "k.db"
        make_quotes(db, 1)
        store = Store(db)
        token = store.share(1, days=30)
        store.close()
        port = free_port()
        server = subprocess.Popen(
            [KAMENG, "serve", "--db", str(db), "--port", str(port)], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE,
                                                  (args.limit, args.limit)))
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        clients = []
        for _ in range(args.clients):
            try:
                client = socket.create_connection(("127.0.0.1", port), timeout=2)
                client.sendall(b"GET /healthz HTTP/1.1\r\nHost: q.example\r\nX-Slow: ")
            except OSError:
                break
            clients.append(client)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(f"{base}/q/{token}", timeout=15) as response:
                answer = f"{response.status} in {time.monotonic() - started:.2f} s"
        except OSError as error:
            answer = f"failed after {time.monotonic() - started:.2f} s ({error})"
        open_files = len(os.listdir(f"/proc/{server.pid}/fd"))
        for client in clients:
            client.close()
        server.terminate()
        output = server.communicate(timeout=30)[0]
    print(f"slow clients connected: {len(clients)} (server limit {args.limit} open files)")
    print(f"prospect's page: {answer}")
    print(f"server open files with them connected: {open_files}")
    print(f"ran out of open files (EMFILE): {'Too many open files' in output}")


if __name__ == "__main__":
    main()
