"""`console1712 demo`: a throw-away relay with demo accounts, simulated chatters and the console.

Everything lives in a fresh temporary directory that is removed on exit. The relay and the
simulated chatters run on their own asyncio loop (a background thread when the console
runs, since Textual's `app.run()` owns the main thread's loop).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import errno
import logging
import shutil
import signal
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console1712.clock import Clock
from console1712.commands import UserError
from console1712.commands.relay import LOG_FORMAT, WithholdLibraryDetails, setup_logging
from console1712.config import Settings
from console1712.i18n import t


@dataclass(frozen=True)
class DemoAccount:
    """A demo login: printed at start and offered on the console's login screen."""

    name: str
    password: str
    role: str
    team: str | None
    display: str


DEMO_ACCOUNTS = (
    DemoAccount("demo", "demo-sofie-1712", "counsellor", "antwerpen", "Sofie"),
    DemoAccount("demo2", "demo-jonas-1712", "counsellor", "limburg", "Jonas"),
    DemoAccount("super", "demo-super-1712", "supervisor", "antwerpen", "Coördinator"),
)


async def create_accounts(
    db: Any, clock: Clock, names: list[str], *, team: str = "antwerpen"
) -> dict[str, tuple[str, str]]:
    """Counsellor accounts for tools (flows, simulated counsellors): name -> (password, secret).

    Each gets a random password and its name, capitalised, as the alias chatters see.
    """
    import secrets

    from console1712.store import accounts

    made: dict[str, tuple[str, str]] = {}
    for name in names:
        password = secrets.token_urlsafe(18)
        created = await accounts.create_account(
            db, clock, name, password, role="counsellor", team=team, display=name.capitalize()
        )
        made[name] = (password, created.secret)
    return made


# Login names of the simulated counsellors (their alias is the name, capitalised).
SIM_NAMES = ("ann", "bram", "chloe", "daan", "eva", "finn", "griet", "hans")


@dataclass
class DemoWorld:
    """The relay, its demo accounts and the simulated chatters, on one event loop."""

    settings: Settings
    speed: float = 1.0
    counsellors: int = 0  # simulated counsellors who accept and answer
    relay: Any = None
    simulation: Any = None
    counsellor_tasks: list[asyncio.Task[None]] = field(default_factory=list)
    log_file: Path | None = None  # where the relay logs while the console owns the terminal
    logins: list[tuple[DemoAccount, str, str]] = field(default_factory=list)  # (acct, secret, uri)
    mails: int = 0

    @property
    def port(self) -> int:
        return int(self.relay.port)

    async def start(self) -> None:
        """Start the relay, create the accounts, schedule the simulated chatters."""
        from console1712.devtools.simulate import Simulation
        from console1712.relay.assembly import standard_operations, standard_services
        from console1712.relay.server import Relay
        from console1712.store import accounts

        relay = Relay(self.settings, operations=standard_operations(), services=standard_services())
        try:
            await relay.start()
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise UserError(f"the demo relay cannot start: {exc}") from None
            raise UserError(
                t("demo.port_in_use", self.settings.lang, port=self.settings.port)
            ) from None
        self.relay = relay
        clock = Clock()
        for acct in DEMO_ACCOUNTS:
            created = await accounts.create_account(
                relay.db,
                clock,
                acct.name,
                acct.password,
                role=acct.role,
                team=acct.team,
                display=acct.display,
            )
            self.logins.append((acct, created.secret, created.uri))
        from console1712.devtools.samplemail import add_sample_mail

        self.mails = await add_sample_mail(relay.db, clock)
        await self._start_counsellors(clock)
        self.simulation = Simulation(f"ws://127.0.0.1:{self.port}/chat", speed=self.speed)
        self.simulation.start()
        self._publish()

    @property
    def smtp_port(self) -> int | None:
        """Where the demo's SMTP listener took a free port (None: no listener)."""
        # The relay keeps its services private; the mail intake is the one with a port.
        for svc in getattr(self.relay, "_services", []):
            if type(svc).__name__ == "MailIntake":
                return int(svc.port)
        return None

    def help_lines(self) -> list[str]:
        """What the console's help screen (F1) shows in demo mode, besides the logins."""
        lang = self.settings.lang
        base = f"ws://127.0.0.1:{self.port}"
        lines = [
            t("demo.chat_page", lang, url=f"http://127.0.0.1:{self.port}/"),
            t("demo.chat_url", lang, url=f"{base}/chat"),
            t("demo.console_url", lang, url=f"{base}/console"),
        ]
        if self.smtp_port is not None:
            address = self.settings.mail_addresses[0] if self.settings.mail_addresses else ""
            lines.append(t("demo.smtp", lang, port=self.smtp_port, address=address))
        if self.log_file is not None:
            lines.append(t("demo.log", lang, path=self.log_file))
        return lines

    def _publish(self) -> None:
        """Let a second console on this machine show the logins and codes (demoinfo)."""
        import secrets

        from console1712.devtools import demoinfo

        token = secrets.token_urlsafe(16)
        logins = [(acct.name, acct.password, secret) for acct, secret, _ in self.logins]
        demoinfo.write(self.port, demoinfo.DemoInfo(token, logins, self.help_lines()))
        self.relay.demo_token = token

    async def _start_counsellors(self, clock: Clock) -> None:
        from console1712.devtools.simulate import SimulatedCounsellor

        names = [
            SIM_NAMES[i % len(SIM_NAMES)]
            + (str(i // len(SIM_NAMES) + 1) if i >= len(SIM_NAMES) else "")
            for i in range(self.counsellors)
        ]
        made = await create_accounts(self.relay.db, clock, names)
        for name, (password, secret) in made.items():
            sim = SimulatedCounsellor(
                f"ws://127.0.0.1:{self.port}/console", name, password, secret, speed=self.speed
            )
            self.counsellor_tasks.append(asyncio.create_task(sim.run(), name=f"sim-{name}"))

    async def stop(self) -> None:
        """Stop the chatters, then the relay (which closes its database)."""
        if self.simulation is not None:
            await self.simulation.stop()
        for task in self.counsellor_tasks:
            task.cancel()
        for task in self.counsellor_tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.relay is not None:
            from console1712.devtools import demoinfo

            if self.relay.demo_token:
                demoinfo.remove(self.port)
            await self.relay.stop()

    def print_intro(self, data: Path) -> None:
        lang = self.settings.lang
        base = f"ws://127.0.0.1:{self.port}"

        def say(text: str) -> None:
            print(text, flush=True)

        say(t("demo.title", lang, url=base, data=data))
        say(t("demo.logins", lang))
        for acct, _secret, uri in self.logins:
            say(
                t(
                    "demo.login",
                    lang,
                    name=acct.name,
                    password=acct.password,
                    role=t(f"demo.role.{acct.role}", lang),
                    alias=acct.display,
                    team=acct.team or "-",
                )
            )
            say(t("demo.uri", lang, uri=uri))
        say(t("demo.console_url", lang, url=f"{base}/console"))
        say(t("demo.chat_url", lang, url=f"{base}/chat"))
        if self.smtp_port is not None:
            address = self.settings.mail_addresses[0] if self.settings.mail_addresses else ""
            say(t("demo.smtp", lang, port=self.smtp_port, address=address))
        say(t("demo.chatters", lang, count=len(self.simulation.personas)))
        if self.counsellors:
            say(t("demo.counsellors", lang, count=self.counsellors))
        say(t("demo.mails", lang, count=self.mails))


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of the command."""
    speed = float(getattr(args, "speed", None) or 1.0)
    if speed <= 0:
        raise UserError("--speed must be more than 0")
    counsellors = int(getattr(args, "counsellors", 0) or 0)
    if not 0 <= counsellors <= 50:
        raise UserError("--counsellors must be 0 to 50")
    app_class = None if args.no_console else _console_app_class(settings.lang)
    data = Path(tempfile.mkdtemp(prefix="console1712-demo-"))
    demo_settings = dataclasses.replace(
        settings,
        data=data,
        key_file=None,
        host="127.0.0.1",
        port=args.port or 0,
        always_open=True,
        smtp_port=0,  # any free port: a demo must not need 2525 to be free
        # the simulated chatters all come from 127.0.0.1: one address, many chatters
        max_waiting_per_address=max(settings.max_waiting_per_address, 1000),
    )
    try:
        setup_logging()
        if app_class is None:
            return asyncio.run(_headless(DemoWorld(demo_settings, speed, counsellors), data))
        # The console owns the terminal: the relay's log lines go to a file instead.
        handler = logging.FileHandler(data / "demo.log", encoding="utf-8")
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.addFilter(WithholdLibraryDetails())  # as on stderr: no peers or content
        logging.getLogger().handlers[:] = [handler]
        logging.getLogger().setLevel(logging.INFO)
        world = DemoWorld(demo_settings, speed, counsellors, log_file=data / "demo.log")
        return _with_console(world, data, app_class)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def _console_app_class(lang: str) -> Any:
    try:
        from console1712.app import ConsoleApp
    except ImportError as exc:
        raise UserError(t("demo.no_console", lang, reason=exc)) from None
    return ConsoleApp


async def _headless(world: DemoWorld, data: Path) -> int:
    """Run until SIGINT or SIGTERM, then stop everything."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await world.start()
        logging.getLogger().setLevel(logging.INFO)  # quiet until it serves, as the relay
        world.print_intro(data)
        print(t("demo.stop", world.settings.lang), flush=True)
        await stop.wait()
    finally:
        await world.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    print(t("demo.stopped", world.settings.lang), flush=True)
    return 0


def _with_console(world: DemoWorld, data: Path, app_class: Any) -> int:
    """The relay and chatters on a background loop; the console in the main thread."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    failure: list[BaseException] = []
    stop: asyncio.Future[None] = loop.create_future()

    def background() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(world.start())
        except BaseException as exc:
            failure.append(exc)
            started.set()
            loop.run_until_complete(world.stop())
            loop.close()
            return
        started.set()
        try:
            loop.run_until_complete(stop)
        finally:
            loop.run_until_complete(world.stop())
            loop.close()

    thread = threading.Thread(target=background, name="demo-relay")
    thread.start()
    started.wait()
    if failure:
        thread.join()
        raise failure[0]
    try:
        world.print_intro(data)
        console_settings = dataclasses.replace(
            world.settings, url=f"ws://127.0.0.1:{world.port}/console"
        )
        demo_logins = [(acct.name, acct.password, secret) for acct, secret, _ in world.logins]
        app = app_class(
            console_settings,
            url=console_settings.url,
            demo_logins=demo_logins,
            demo_help=world.help_lines(),
        )
        app.run(mouse=False)
    finally:

        def release() -> None:
            if not stop.done():
                stop.set_result(None)

        with contextlib.suppress(RuntimeError):  # the loop already ended
            loop.call_soon_threadsafe(release)
        thread.join()
    print(t("demo.stopped", world.settings.lang), flush=True)
    return 0
