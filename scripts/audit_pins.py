"""Audit pinned requirements against a local copy of an advisory database, with no network.

    python scripts/audit_pins.py --db PATH [--db PATH ...] [--max-age-days N] requirements.txt ...

A database is advisories in the OSV format (https://ossf.github.io/osv-schema/), as published for
PyPI by OSV (the ``PyPI/all.zip`` export: one JSON file per advisory, GHSA and PYSEC alike) or the
PyPA advisory database (YAML files in the same format): a ``.zip`` of them or a folder holding them.
``scripts/audit-dependencies.sh`` runs this when ``PORTAL_ADVISORY_DB`` names such a copy (docs/security.md).

For each ``name==version`` pin, every advisory whose ``affected`` entry names the package (PyPI,
names compared as PEP 503 normalises them) is checked: the version listed in ``versions``, or inside
an ``ECOSYSTEM`` range (``introduced`` / ``fixed`` / ``last_affected`` events). Withdrawn advisories
are skipped. Exit status: 0 no known vulnerability, 1 at least one (each printed with its id,
aliases and fixed versions), 2 the database cannot be read or is older than ``--max-age-days``.
"""
from __future__ import annotations

import argparse
import json
import sys
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

SUFFIXES = (".json", ".yaml", ".yml")


@dataclass(frozen=True)
class Pin:
    name: str  # canonical
    shown: str
    version: Version


@dataclass(frozen=True)
class Finding:
    pin: Pin
    advisory: str
    aliases: tuple[str, ...]
    fixed: tuple[str, ...]


def read_pins(path: Path) -> tuple[list[Pin], list[str]]:
    """The ``name==version`` pins of a requirements file, and the lines that are not one."""
    pins, unpinned = [], []
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            unpinned.append(line)
            continue
        exact = [spec.version for spec in requirement.specifier if spec.operator in ("==", "===")]
        try:
            pins.append(Pin(canonicalize_name(requirement.name), requirement.name, Version(exact[0])))
        except (IndexError, InvalidVersion):
            unpinned.append(line)
    return pins, unpinned


def _documents(db: Path) -> Iterator[tuple[str, bytes]]:
    if db.is_dir():
        for path in sorted(db.rglob("*")):
            if path.suffix in SUFFIXES and path.is_file():
                yield str(path), path.read_bytes()
    elif zipfile.is_zipfile(db):
        with zipfile.ZipFile(db) as archive:
            for name in archive.namelist():
                if name.endswith(SUFFIXES):
                    yield name, archive.read(name)
    else:
        raise FileNotFoundError(f"{db} is neither a folder nor a zip of OSV advisories")


def load_advisories(db: Path) -> list[dict]:
    advisories = []
    for name, data in _documents(db):
        if name.endswith(".json"):
            document = json.loads(data)
        else:
            import yaml  # PyYAML, pinned; only the PyPA database's YAML needs it

            document = yaml.safe_load(data)
        if isinstance(document, dict) and document.get("id") and not document.get("withdrawn"):
            advisories.append(document)
    return advisories


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def in_range(version: Version, events: list[dict]) -> bool:
    """OSV's ECOSYSTEM range: walk the events in version order up to ``version``."""
    ordered = []
    for event in events:
        for kind in ("introduced", "fixed", "last_affected"):
            if kind in event:
                bound = _version(event[kind])
                if bound is None:
                    return False  # a range we cannot read is not evidence either way
                ordered.append((bound, kind))
    affected = False
    for bound, kind in sorted(ordered, key=lambda item: item[0]):
        if kind == "introduced":
            if bound > version:
                break
            affected = True
        elif kind == "fixed":
            if bound > version:
                break
            affected = False
        elif bound < version:  # last_affected
            affected = False
        else:
            break
    return affected


def index(advisories: list[dict]) -> dict[str, list[tuple[dict, dict]]]:
    by_package: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
    for advisory in advisories:
        for affected in advisory.get("affected") or []:
            package = affected.get("package") or {}
            if package.get("ecosystem") == "PyPI" and package.get("name"):
                by_package[canonicalize_name(package["name"])].append((advisory, affected))
    return by_package


def affects(affected: dict, version: Version) -> bool:
    if any(_version(listed) == version for listed in affected.get("versions") or []):
        return True
    return any(in_range(version, r.get("events") or []) for r in affected.get("ranges") or []
               if r.get("type") == "ECOSYSTEM")


def fixed_versions(affected: dict) -> tuple[str, ...]:
    return tuple(event["fixed"] for r in affected.get("ranges") or [] for event in r.get("events") or []
                 if "fixed" in event)


def audit(pins: list[Pin], by_package: dict[str, list[tuple[dict, dict]]]) -> list[Finding]:
    findings = []
    for pin in pins:
        seen = set()
        for advisory, affected in by_package.get(pin.name, []):
            if advisory["id"] not in seen and affects(affected, pin.version):
                seen.add(advisory["id"])
                findings.append(Finding(pin, advisory["id"], tuple(advisory.get("aliases") or ()),
                                        fixed_versions(affected)))
    return findings


def newest_modified(advisories: list[dict]) -> datetime | None:
    stamps = []
    for advisory in advisories:
        try:
            stamps.append(datetime.fromisoformat(str(advisory.get("modified", "")).replace("Z", "+00:00")))
        except ValueError:
            continue
    return max((s if s.tzinfo else s.replace(tzinfo=UTC) for s in stamps), default=None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", required=True, type=Path, help="OSV advisories: a folder or a zip")
    parser.add_argument("--max-age-days", type=int, default=0,
                        help="refuse a database whose newest advisory is older than this (0: any age)")
    parser.add_argument("requirements", nargs="+", type=Path)
    args = parser.parse_args(argv)

    advisories = []
    for db in args.db:
        try:
            advisories.extend(load_advisories(db))
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            print(f"advisory database {db} cannot be read: {exc}", file=sys.stderr)
            return 2
    newest = newest_modified(advisories)
    if not advisories or newest is None:
        print(f"no advisories found in {', '.join(map(str, args.db))}", file=sys.stderr)
        return 2
    age_days = (datetime.now(UTC) - newest).days
    if args.max_age_days and age_days > args.max_age_days:
        print(f"the advisory database is {age_days} days old (newest advisory {newest:%Y-%m-%d}); "
              f"refresh it (limit {args.max_age_days} days)", file=sys.stderr)
        return 2

    pins, unpinned = [], []
    for path in args.requirements:
        found, skipped = read_pins(path)
        pins.extend(found)
        unpinned.extend(skipped)
    findings = audit(pins, index(advisories))
    for finding in findings:
        aliases = f" ({', '.join(finding.aliases)})" if finding.aliases else ""
        fixed = ", ".join(finding.fixed) or "no release yet"
        print(f"VULNERABLE {finding.pin.shown} {finding.pin.version}: {finding.advisory}{aliases} (fixed in {fixed})",
              file=sys.stderr)
    for line in unpinned:
        print(f"WARNING: not an exact pin, not audited: {line}", file=sys.stderr)
    print(f"offline audit: {len(pins)} of {len(pins) + len(unpinned)} pins audited against {len(advisories)} "
          f"advisories (newest {newest:%Y-%m-%d}, {age_days} days old), {len(findings)} known vulnerabilities")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
