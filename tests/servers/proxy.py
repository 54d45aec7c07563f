"""A TCP forwarder put between the service and a server, to make that server refuse for a while.

While refusing, it cuts every open connection and resets new ones at once: to the client the
server is down. Nothing is stored here, so the server behind keeps its state.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field

from tests.servers.ports import free_port


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    for side in (source, sink):
        with contextlib.suppress(OSError):
            side.shutdown(socket.SHUT_RDWR)


def _reset(connection: socket.socket) -> None:
    # Linger 0: close sends a reset, as a refusing server would.
    with contextlib.suppress(OSError):
        connection.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
        )
        connection.close()


@dataclass
class FlakyProxy:
    target_port: int
    port: int = field(default_factory=free_port)
    refusing: threading.Event = field(default_factory=threading.Event)
    refusals: int = 0
    _open: list[socket.socket] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _listener: socket.socket | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, daemon=True, name="flaky-proxy").start()

    def _accept(self) -> None:
        assert self._listener is not None
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            if self.refusing.is_set():
                self.refusals += 1
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                _reset(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open += [client, upstream]
            threading.Thread(target=_pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()

    def refuse_for(self, seconds: float) -> None:
        """Cut what is open, refuse everything for `seconds`, then forward again."""
        self.refusing.set()
        with self._lock:
            cut, self._open = self._open, []
        for connection in cut:
            _reset(connection)
        time.sleep(seconds)
        self.refusing.clear()

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            for connection in self._open:
                _reset(connection)
            self._open = []
