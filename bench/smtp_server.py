"""A real SMTP server for the outbox's tests, fault run and benchmark (aiosmtpd, 127.0.0.1 only), with the
faults a mail server has: slow (``delay`` seconds before each answer to the data), refusing recipients
(``refuse``: addresses answered 450), dropping the connection after the data instead of answering
(``drop_next``: that many messages, which it has stored, like a server that crashed after writing the
message to disk) and going away (``stop()`` / ``start()`` on the same port: connections are refused).

Each message it accepts (or stores before dropping) is written to ``spool`` before it answers: one line
"<outbox id> <Message-ID> <pid>" per message, so another process can count deliveries, and the raw bytes of
the last ones are kept in ``received`` (headers as they arrived on the wire).

    server = MailServer(spool=Path("mail.log")); server.start()   # server.port
    server.delay = 2.0; server.drop_next = 1; server.stop(); server.start()

Run on its own (for ``bench/faults.py``): ``python bench/smtp_server.py --port 2525 --spool mail.log
--control control.json``; the control file (rewritten by the fault run) holds delay, drop_next, refuse and
"down" (true: the port is closed).
"""

import argparse
import asyncio
import email.parser
import email.policy
import json
import logging
import os
import socket
import threading
import time
from collections import deque
from pathlib import Path

from aiosmtpd.controller import Controller

HEADERS = email.parser.BytesHeaderParser(policy=email.policy.compat32)
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, server: "MailServer"):
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
        if address in self.server.refuse:
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        server = self.server
        server.data_started.set()
        if server.delay:
            await asyncio.sleep(server.delay)
        content = envelope.original_content or envelope.content
        server.store(content)
        if server.drop_next > 0:
            server.drop_next -= 1
            server.dropped += 1
            smtp.transport.close()  # stored, but the client never hears so
            return "250 OK (never arrives)"
        return "250 OK: queued"


class MailServer:
    """The server in a thread of this process; its settings can be changed while it runs."""

    def __init__(self, *, spool: Path, port: int | None = None, keep: int = 50):
        self.spool = Path(spool)
        self.spool.touch()
        self.port = port or free_port()
        self.delay = 0.0
        self.drop_next = 0
        self.dropped = 0
        self.refuse: set[str] = set()
        self.received: deque[bytes] = deque(maxlen=keep)
        self.data_started = threading.Event()
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def store(self, content: bytes) -> None:
        headers = HEADERS.parsebytes(content)
        line = f"{headers.get('X-Intervisie-Outbox', '-')} {headers.get('Message-ID', '-')} {os.getpid()}\n"
        with self._lock, open(self.spool, "a", encoding="utf-8") as out:
            out.write(line)
            out.flush()
            os.fsync(out.fileno())
        self.received.append(content)

    def start(self) -> "MailServer":
        # ready_timeout: the controller's own check connects once; a loaded CI host can be slow.
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def deliveries(self) -> dict[int, int]:
        return deliveries(self.spool)


def deliveries(spool: Path) -> dict[int, int]:
    """How often the server stored each outbox id (from its spool file)."""
    counts: dict[int, int] = {}
    for line in Path(spool).read_text(encoding="utf-8").splitlines():
        head = line.split(" ", 1)[0]
        if head.isdigit():
            counts[int(head)] = counts.get(int(head), 0) + 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--spool", type=Path, required=True)
    parser.add_argument("--control", type=Path, help="JSON file: delay, drop_next, refuse, down")
    args = parser.parse_args()
    server = MailServer(spool=args.spool, port=args.port).start()
    print(f"smtp server on 127.0.0.1:{server.port}", flush=True)
    seen = None
    while True:
        time.sleep(0.1)
        if not args.control or not args.control.exists():
            continue
        stamp = args.control.stat().st_mtime_ns
        if stamp == seen:
            continue
        seen = stamp
        try:
            control = json.loads(args.control.read_text() or "{}")
        except json.JSONDecodeError:
            continue
        server.delay = float(control.get("delay", 0))
        server.refuse = set(control.get("refuse", []))
        if control.get("drop_next"):
            server.drop_next = int(control["drop_next"])
        if control.get("down") and server.running:
            server.stop()
        elif not control.get("down") and not server.running:
            server.start()


if __name__ == "__main__":
    main()
