"""A mail server for faults.py on 127.0.0.1: speaks just enough SMTP for the app's mail backend and
records each message it accepted. With ``hold_data`` set it stops at the next DATA command (the
client waits mid-conversation) until ``release`` is set: the moment to kill the jobs worker."""

from __future__ import annotations

import asyncio
import socket
import threading


class Sink:
    def __init__(self):
        self.accepted: list[tuple[list[str], str]] = []  # (recipients, raw message)
        self.hold_data = threading.Event()
        self.in_data = threading.Event()
        self.release = threading.Event()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self._thread.start()
        started.wait(10)

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", self.port))
        started.set()
        self._loop.run_forever()

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def recipients_matching(self, text: str) -> list[str]:
        return [r for recipients, _raw in list(self.accepted) for r in recipients if text in r]

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        recipients: list[str] = []

        async def reply(line: str) -> None:
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        try:
            await reply("220 sink ready")
            while line := await asyncio.wait_for(reader.readline(), 60):
                command = line.decode(errors="replace").strip()
                verb = command[:4].upper()
                if verb in ("EHLO", "HELO"):
                    await reply("250 sink")
                elif verb == "MAIL":
                    recipients = []
                    await reply("250 ok")
                elif verb == "RCPT":
                    recipients.append(command.partition(":")[2].strip(" <>"))
                    await reply("250 ok")
                elif verb == "DATA":
                    if self.hold_data.is_set():
                        self.in_data.set()
                        await asyncio.to_thread(self.release.wait, 120)
                    await reply("354 go on")
                    lines = []
                    while (chunk := await reader.readline()) not in (b".\r\n", b""):
                        lines.append(chunk)
                    if chunk == b"":
                        return  # the client went away mid-message: nothing accepted
                    self.accepted.append((recipients, b"".join(lines).decode(errors="replace")))
                    await reply("250 accepted")
                elif verb == "QUIT":
                    await reply("221 bye")
                    return
                else:
                    await reply("250 ok")
        except (ConnectionError, TimeoutError):
            return
        finally:
            writer.close()
