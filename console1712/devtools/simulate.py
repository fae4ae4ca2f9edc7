"""Simulated chatters for the demo and load tools, driven by the real `ChatterClient`.

Each persona has an intake, an arrival offset and a few respectful, non-graphic lines in
Dutch. A simulated chatter opens with its first line while waiting, then answers each
counsellor message with its next line after "typing" for a moment. One persona drops its
connection once and resumes; one leaves after a while. `speed` divides every delay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from console1712.client.chatter import ChatterClient, ChatterError
from console1712.protocol import events as ev
from console1712.protocol import frames as p

log = logging.getLogger("console1712.simulate")


@dataclass(frozen=True)
class Persona:
    """A simulated chatter: intake, when it arrives, what it says and how it behaves."""

    key: str
    nickname: str | None
    age: int | None
    gender: str | None
    region: str | None
    arrive_after: float  # seconds after the simulation starts
    opening: str  # said while waiting in the queue
    replies: tuple[str, ...]  # one per counsellor message, in order
    closing: str = "Dank je wel. Ik denk er nog even over na."
    drop_after: int | None = None  # drop the connection after this many replies, then resume
    leave_after: int | None = None  # leave after this many replies (after the closing line)


PERSONAS: tuple[Persona, ...] = (
    Persona(
        key="thuis",
        nickname="Sam",
        age=15,
        gender="jongen",
        region="antwerpen",
        arrive_after=2,
        opening="Hallo? Ik weet niet goed of ik hier juist ben.",
        replies=(
            "Thuis is het de laatste tijd echt niet leuk. Mijn vader roept heel veel.",
            "Soms gooit hij met dingen als hij kwaad is. Ik ben dan bang, vooral voor mijn zusje.",
            "Mijn mama zegt dat ik er niet over mag praten, maar ik wil dat het stopt.",
            "Op school is er een leerkracht die ik wel vertrouw. Misschien kan ik met haar praten?",
            "Oké. Wat moet ik doen als het vanavond weer gebeurt?",
        ),
        closing="Bedankt om te luisteren. Ik ga morgen met de leerkracht praten.",
        drop_after=2,
    ),
    Persona(
        key="buur",
        nickname="Annick",
        age=46,
        gender="vrouw",
        region="limburg",
        arrive_after=8,
        opening="Goedemiddag, ik maak me zorgen over een kindje bij ons in de straat.",
        replies=(
            "Het gaat om een meisje van een jaar of zes. Ik hoor 's avonds vaak geschreeuw "
            "en gehuil.",
            "Ze komt soms zonder jas naar school, ook nu het koud is. Ze lijkt heel stil.",
            "Ik ken de ouders niet goed. Ik wil niemand valselijk beschuldigen.",
            "Moet ik dit dan melden, of eerst met de ouders praten?",
        ),
        closing="Dat helpt me al. Ik ga eerst met de juf van school praten.",
    ),
    Persona(
        key="relatie",
        nickname="Lien",
        age=22,
        gender="vrouw",
        region="oost-vlaanderen",
        arrive_after=20,
        opening="Hoi. Ik wil iets vragen over mijn relatie, is dat hier ook goed?",
        replies=(
            "Mijn vriend controleert altijd mijn gsm en wil weten waar ik ben.",
            "Als ik met vriendinnen afspreek, wordt hij boos en zegt hij dat ik niet om hem geef.",
            "Hij heeft me nog nooit geslagen, maar ik voel me niet meer vrij.",
        ),
        closing="Ik denk dat ik er met mijn zus over ga praten. Dank je.",
        leave_after=3,
    ),
    Persona(
        key="anoniem",
        nickname=None,
        age=None,
        gender=None,
        region=None,
        arrive_after=45,
        opening="Mag ik iets anoniem vragen?",
        replies=(
            "Een vriend van mij vertelde iets over zijn trainer dat niet klopt.",
            "Hij durft het aan niemand te zeggen. Hoe kan ik hem helpen?",
        ),
    ),
)


@dataclass
class Outcome:
    """What happened to one simulated chatter (for tests and the demo's log)."""

    persona: str
    chat: str | None = None
    sent: int = 0
    received: int = 0
    resumes: int = 0
    ended_by: str | None = None
    error: str | None = None


@dataclass
class Simulation:
    """Runs personas against a relay's /chat URL until they are done or `stop()` is called."""

    url: str
    personas: Sequence[Persona] = PERSONAS
    speed: float = 1.0
    seed: int | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    _tasks: list[asyncio.Task[Outcome]] = field(default_factory=list)

    def start(self) -> None:
        """Schedule every persona on the running loop."""
        rng = random.Random(self.seed)
        for persona in self.personas:
            task = asyncio.create_task(
                run_persona(self.url, persona, speed=self.speed, rng=random.Random(rng.random())),
                name=f"sim-{persona.key}",
            )
            self._tasks.append(task)

    async def wait(self) -> list[Outcome]:
        """Wait until every persona is done; return their outcomes."""
        self.outcomes = list(await asyncio.gather(*self._tasks))
        return self.outcomes

    async def stop(self) -> None:
        """Cancel every persona (their connections close; the chats stay on the relay)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def typing_delay(text: str, speed: float, rng: random.Random) -> float:
    """How long a person takes to type `text`: about 4 characters a second, capped."""
    seconds = min(2.0 + len(text) / 4.0, 20.0) * rng.uniform(0.8, 1.2)
    return seconds / max(speed, 0.001)


async def run_persona(
    url: str, persona: Persona, *, speed: float = 1.0, rng: random.Random | None = None
) -> Outcome:
    """Play one persona to the end of its chat; never raises for chat or network trouble."""
    rng = rng or random.Random()
    outcome = Outcome(persona.key)
    await asyncio.sleep(persona.arrive_after / max(speed, 0.001))
    client = ChatterClient(url)
    try:
        await client.connect()
        queued = await client.start(
            consent=True,
            nickname=persona.nickname,
            age=persona.age,
            gender=persona.gender,
            region=persona.region,
        )
        outcome.chat = queued.chat
        await _say(client, persona.opening, outcome)
        await _converse(client, persona, speed, rng, outcome)
    except ChatterError as exc:
        outcome.error = exc.code
    except asyncio.CancelledError:
        await client.close()
        raise
    finally:
        outcome.resumes = client.resumes
        outcome.ended_by = client.ended_by
    await client.close()
    log.info("simulated chatter done", extra={"persona": persona.key})
    return outcome


async def _say(client: ChatterClient, text: str, outcome: Outcome) -> None:
    await client.say(text)
    outcome.sent += 1


async def _converse(
    client: ChatterClient, persona: Persona, speed: float, rng: random.Random, outcome: Outcome
) -> None:
    replies = list(persona.replies)
    answered = 0
    async for event in client.events():
        if not isinstance(event, ev.Message):
            continue
        outcome.received += 1
        if replies:
            text = replies.pop(0)
        elif answered == len(persona.replies):
            text = persona.closing
        else:
            continue  # said everything; keep listening until the counsellor ends
        await client.typing()
        await asyncio.sleep(typing_delay(text, speed, rng))
        await _say(client, text, outcome)
        answered += 1
        if persona.drop_after is not None and answered == persona.drop_after:
            await client.drop(hold=1.0 / max(speed, 0.001))
        if persona.leave_after is not None and answered >= persona.leave_after:
            await asyncio.sleep(typing_delay(persona.closing, speed, rng))
            await _say(client, persona.closing, outcome)
            await client.leave()
            return


# -- simulated counsellors (`demo --counsellors N`) -------------------------------------------

COUNSELLOR_GREETING = "Dag {nickname}, fijn dat je ons schrijft. Ik ben er voor je, vertel maar."
COUNSELLOR_REPLIES: tuple[str, ...] = (
    "Dank je om dat te vertellen. Ben je nu veilig, thuis of ergens anders?",
    "Ik ben er nog, hoor. Neem gerust je tijd.",
    "Is er iemand op school of in je familie die je vertrouwt?",
    "Dat klinkt echt moeilijk. Je mag ons altijd opnieuw contacteren.",
)
COUNSELLOR_LAST = "Ik lees met je mee. Schrijf maar verder als je wilt."
COUNSELLOR_GOODBYE = "Ik sluit dit gesprek nu af. Je mag ons altijd opnieuw contacteren."
# Seconds (divided by speed) a chat may stay quiet after a reply before the simulated
# counsellor ends it, so that its places free up for new chatters.
COUNSELLOR_IDLE_END = 90.0


@dataclass
class SimulatedCounsellor:
    """A counsellor who accepts waiting chats (up to `capacity`) and answers each message
    with the next canned Dutch reply, after a short, human pause divided by `speed`.

    Runs through the console's own `StaffClient`, so it reconnects as a console does.
    """

    url: str
    name: str
    password: str
    secret: str
    speed: float = 1.0
    capacity: int = 3
    chats: dict[str, int] = field(default_factory=dict)  # chat -> replies sent
    idle_end: float = COUNSELLOR_IDLE_END
    _accepting: bool = False
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _idle: dict[str, asyncio.Task[None]] = field(default_factory=dict)  # chat -> its end timer

    async def run(self) -> None:
        """Log in and serve until cancelled."""
        from datetime import UTC, datetime

        from console1712.client.staff import StaffClient
        from console1712.store.accounts import totp_code

        self.client = StaffClient(self.url, self._on_frame)
        await self.client.login(self.name, self.password, totp_code(self.secret, datetime.now(UTC)))
        try:
            await self.client.run()
        finally:
            for task in [*self._tasks, *self._idle.values()]:
                task.cancel()
            await self.client.close()

    def _later(self, seconds: float, chat: str, text: str) -> None:
        async def send() -> None:
            await asyncio.sleep(seconds / max(self.speed, 0.001))
            if chat in self.chats:
                await self.client.say(chat, text)
                self._end_when_quiet(chat)

        task = asyncio.create_task(send(), name=f"sim-counsellor-{self.name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _end_when_quiet(self, chat: str) -> None:
        """End the chat if the chatter stays quiet for `idle_end` seconds after a reply."""

        async def end() -> None:
            await asyncio.sleep(self.idle_end / max(self.speed, 0.001))
            if chat in self.chats:
                await self.client.say(chat, COUNSELLOR_GOODBYE)
                await self.client.send(p.End(chat=chat))

        self._quiet(chat)
        self._idle[chat] = asyncio.create_task(end(), name=f"sim-counsellor-end-{self.name}")

    def _quiet(self, chat: str) -> None:
        task = self._idle.pop(chat, None)
        if task is not None:
            task.cancel()

    async def _on_frame(self, frame: ev.StaffEvent | dict[str, Any]) -> None:
        if isinstance(frame, ev.Queue):
            if frame.waiting and not self._accepting and len(self.chats) < self.capacity:
                self._accepting = True
                await self.client.send(p.Accept())
        elif isinstance(frame, ev.Assigned):
            self._accepting = False
            chat = frame.chat
            if chat not in self.chats:
                self.chats[chat] = 0
                greeting = COUNSELLOR_GREETING.format(nickname=frame.intake.nickname)
                self._later(1.5, chat, greeting.replace("Dag ,", "Dag,"))
        elif isinstance(frame, ev.Error) and self._accepting:
            self._accepting = False  # taken by someone else, or nothing waiting any more
        elif isinstance(frame, ev.Message) and frame.sender == "chatter" and frame.chat:
            chat = frame.chat
            if chat in self.chats:
                self._quiet(chat)
                sent = self.chats[chat]
                self.chats[chat] = sent + 1
                reply = COUNSELLOR_REPLIES[sent] if sent < len(COUNSELLOR_REPLIES) else None
                self._later(2.0, chat, reply or COUNSELLOR_LAST)
        elif isinstance(frame, ev.Ended | ev.Released) and frame.chat:
            self.chats.pop(frame.chat, None)
            self._quiet(frame.chat)
