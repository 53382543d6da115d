"""A real ASGI server (uvicorn, in a thread of the test process, on the test database) and a
minimal Server-Sent Events client over raw sockets, for the live-counter tests."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.db import connections


@dataclass
class Server:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def asgi_server(transactional_db) -> Iterator[Server]:  # noqa: ANN001
    """uvicorn serving project.asgi on a free port; its hubs are closed at the end."""
    import uvicorn

    from counters.live import hub as live_hub
    from project.asgi import application

    port = _free_port()
    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=1,
        limit_concurrency=2000,
        backlog=2048,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Server("127.0.0.1", port)
    finally:
        for hub in list(live_hub._hubs.values()):
            if not hub.loop.is_closed():
                asyncio.run_coroutine_threadsafe(hub.close(), hub.loop).result(10)
        server.should_exit = True
        thread.join(15)
        live_hub._hubs.clear()


class Stream:
    """One event-stream client: HTTP/1.0 (so no chunked encoding), read event by event."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.status = 0
        self.body = b""

    @classmethod
    async def open(cls, server: Server, query: str) -> Stream:
        reader, writer = await asyncio.open_connection(server.host, server.port, limit=2**22)
        writer.write(
            f"GET /counters/stream/?{query} HTTP/1.0\r\nHost: {server.host}\r\n\r\n".encode()
        )
        await writer.drain()
        stream = cls(reader, writer)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        stream.status = int(head.split(b" ", 2)[1])
        if stream.status != 200:
            stream.body = await asyncio.wait_for(reader.read(), 10)
        return stream

    async def event(self, timeout: float = 10) -> dict[str, int]:
        """The next ``counters`` event's values (skipping retry hints and keep-alives)."""
        while True:
            block = await asyncio.wait_for(self.reader.readuntil(b"\n\n"), timeout)
            lines = block.decode().strip().splitlines()
            if lines and lines[0] == "event: counters":
                return json.loads(lines[1].removeprefix("data: "))

    async def displayed(self, timeout: float = 10) -> tuple[dict[str, str], dict[str, object]]:
        """The next ``display`` event's texts and the ``counters`` event right after it (a stream
        opened with ``display=1``)."""
        while True:
            block = await asyncio.wait_for(self.reader.readuntil(b"\n\n"), timeout)
            lines = block.decode().strip().splitlines()
            if lines and lines[0] == "event: display":
                texts = json.loads(lines[1].removeprefix("data: "))
                after = (await asyncio.wait_for(self.reader.readuntil(b"\n\n"), timeout)).decode()
                head, data = after.strip().splitlines()
                assert head == "event: counters", after
                return texts, json.loads(data.removeprefix("data: "))

    async def close(self) -> None:
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except OSError:
            pass


async def in_thread(work: Callable[[], object]) -> object:
    """Run database work in another thread, on its own connection (closed after)."""

    def run() -> object:
        try:
            return work()
        finally:
            connections.close_all()

    return await asyncio.to_thread(run)
