"""What a user types to name a Dask cluster, checked before anything connects.

``--cluster local:N`` and ``--scheduler ADDRESS`` (an address or a scheduler file) are parsed
here, and an address is probed with one handshake, so a typo or a dead tunnel is one sentence
instead of a hang. Nothing here imports Dask until an address is actually probed.
"""

from __future__ import annotations

import re
from pathlib import Path

from peakgui.core.errors import InputError, PeakGUIError
from peakgui.core.run.resources import default_jobs, resolve_jobs

SCHEMES = ("tcp", "tls", "ucx", "ws", "wss")

_LOCAL_RE = re.compile(r"^local(?::(\d+))?$")
_ADDR_RE = re.compile(r"^(?:(?P<scheme>[a-z]+)://)?(?P<host>\[[0-9a-fA-F:.]+\]|[^\s:/\[\]]+)"
                      r":(?P<port>\d{1,5})$")


class ClusterError(PeakGUIError):
    """The Dask cluster cannot be reached or used (told to the user as one sentence)."""


# ---- parsing what the user typed --------------------------------------------------------------
def parse_cluster(spec: str, n_jobs: int | None = None) -> int:
    """``local:N`` -> N worker processes; plain ``local`` -> the default job count."""
    m = _LOCAL_RE.match(str(spec).strip())
    if not m:
        raise InputError(f"bad cluster {spec!r}: use local:N (N worker processes on this machine)")
    if m.group(1) is None:
        return resolve_jobs(n_jobs) if n_jobs is not None else default_jobs()
    n = int(m.group(1))
    if n < 1:
        raise InputError(f"bad cluster {spec!r}: local:N needs N >= 1")
    return n


def parse_scheduler(address: str) -> tuple[str, str]:
    """``("file", path)`` for a scheduler file, else ``("address", "tcp://host:port")``.

    Accepts ``host:port`` (tcp is assumed, as ``dask worker`` does), ``tcp://``/``tls://``/...
    addresses and the path of an existing scheduler JSON file (``dask scheduler
    --scheduler-file``), the usual hand-over on HPC clusters with a shared home directory.
    """
    text = str(address).strip()
    if not text:
        raise InputError("empty scheduler address: use tcp://HOST:PORT or a scheduler file")
    path = Path(text).expanduser()
    if path.is_file():
        return "file", str(path)
    m = _ADDR_RE.match(text)
    if m is None or not 0 < int(m.group("port")) < 65536:
        hint = " (no such scheduler file)" if text.endswith(".json") else ""
        raise InputError(f"bad scheduler address {text!r}{hint}: use tcp://HOST:PORT")
    scheme = m.group("scheme") or "tcp"
    if scheme not in SCHEMES:
        raise InputError(f"bad scheduler address {text!r}: unknown protocol {scheme}://")
    return "address", f"{scheme}://{m.group('host')}:{int(m.group('port'))}"


def read_scheduler_file(path: str) -> str:
    import json

    try:
        with open(path) as f:
            return str(json.load(f)["address"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ClusterError(f"{path}: not a Dask scheduler file ({short_reason(exc)})") from None


def probe_scheduler(address: str, timeout: float) -> None:
    """Open one connection and complete Dask's handshake within ``timeout`` seconds.

    ``Client`` bounds the TCP connect but not the handshake after it, so an address that
    accepts connections without answering like a scheduler (the dashboard port, a stale SSH
    tunnel, another service) would hang it; this probe fails such addresses quickly and leaves
    nothing behind. Skipped when the calling thread already runs an event loop.
    """
    import asyncio
    import socket

    from distributed.comm import connect
    from distributed.security import Security

    scheme, rest = address.split("://", 1)
    if scheme in ("tcp", "tls", "ws", "wss"):  # refused or unreachable: say so at once
        host, port = rest.rsplit(":", 1)
        try:
            socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
        except ConnectionRefusedError:
            raise OSError("connection refused: is the scheduler running there?") from None
        except TimeoutError:
            raise TimeoutError from None
        except OSError as exc:
            raise OSError(exc.strerror or str(exc)) from None

    async def probe() -> None:
        args = Security().get_connection_args("client")
        comm = await asyncio.wait_for(connect(address, timeout=timeout, **args), timeout + 1)
        await comm.close()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(probe())


def short_reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
