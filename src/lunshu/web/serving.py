"""How `lunshu serve --workers N` runs uvicorn: an HTTP protocol with Nagle's algorithm off.

Why: with several workers uvicorn binds the listening socket itself, with protocol number 0, and
asyncio only turns Nagle's algorithm off for sockets that say they are TCP. A response goes out
as two writes (headers, then body), so on a keep-alive connection the body waited for the
client's delayed ACK: 40 ms added to every request after the first (measured: 2 ms → 42 ms for a
cached answer). Single-process serving binds through asyncio and never had the problem.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

try:  # uvicorn's faster parser when it is installed (uvicorn[standard]), as uvicorn's "auto" does
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _HTTPBase
except ImportError:
    from uvicorn.protocols.http.h11_impl import H11Protocol as _HTTPBase  # type: ignore[assignment]


class NoDelayHTTP(_HTTPBase):
    """uvicorn's HTTP protocol, setting TCP_NODELAY on each connection it is given."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
