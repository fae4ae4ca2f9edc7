"""Dependencies: every one in pyproject.toml has an upper bound (a new major is taken on
purpose), and requirements.lock pins it and everything it needs, at versions inside the
bounds (`make install` installs with the lock as constraints)."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
UPPER = ("<", "<=", "==", "~=")


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    texts = [*project["dependencies"]]
    for extra in project.get("optional-dependencies", {}).values():
        texts += extra
    return [Requirement(text) for text in texts]


def lock() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep and version, f"requirements.lock: {line!r} is not NAME==VERSION"
        pins[canonicalize_name(name)] = Version(version)
    return pins


def test_every_dependency_has_an_upper_bound() -> None:
    unbounded = [str(r) for r in declared() if not any(s.operator in UPPER for s in r.specifier)]
    assert unbounded == []


def test_the_lock_pins_every_dependency_inside_its_bounds() -> None:
    pins = lock()
    for req in declared():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in requirements.lock: run `make lock`"
        assert req.specifier.contains(pins[name], prereleases=True), f"{req} vs lock {pins[name]}"


def test_the_lock_holds_everything_the_dependencies_need() -> None:
    """Walk the installed packages' own requirements (markers and extras as pip evaluates
    them): each is pinned, so `make install` with the lock installs exactly these."""
    pins = lock()
    todo = [(r, frozenset(r.extras)) for r in declared() if r.marker is None or r.marker.evaluate()]
    seen: set[str] = set()
    missing: set[str] = set()
    while todo:
        req, extras = todo.pop()
        name = canonicalize_name(req.name)
        if name not in pins:
            missing.add(name)
        key = f"{name}[{','.join(sorted(extras))}]"
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = distribution(req.name)
        except PackageNotFoundError:
            missing.add(name)
            continue
        for text in dist.requires or []:
            sub = Requirement(text)
            wanted = sub.marker is None or any(
                sub.marker.evaluate({"extra": e}) for e in (extras or {""})
            )
            if wanted:
                todo.append((sub, frozenset(sub.extras)))
    assert sorted(missing) == [], "not installed or not locked: `make install`, `make lock`"
