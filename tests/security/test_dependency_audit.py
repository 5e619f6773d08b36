"""The dependency audit audits (issue 15, finding 6): ``make test`` printed "0 of 68 pins audited"
and stayed green. ``scripts/audit-dependencies.sh`` (run by ``scripts/security-checks.sh``) now also
checks the pins against an offline copy of an OSV advisory database when ``PORTAL_ADVISORY_DB``
names one, and fails on a known vulnerability. These tests feed it a known-vulnerable pin.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "audit-dependencies.sh"

spec = importlib.util.spec_from_file_location("audit_pins", ROOT / "scripts" / "audit_pins.py")
audit_pins = importlib.util.module_from_spec(spec)
sys.modules["audit_pins"] = audit_pins  # its dataclasses look their module up
spec.loader.exec_module(audit_pins)


def setuptools_redos(modified: datetime) -> dict:
    """The real advisory for setuptools' package_index ReDoS (CVE-2022-40897), fixed in 65.5.1: the
    one the issue saw in our venv's setuptools 65.5.0."""
    return {
        "schema_version": "1.4.0",
        "id": "GHSA-r9hx-vwmv-q579",
        "aliases": ["CVE-2022-40897", "PYSEC-2022-43012"],
        "modified": modified.isoformat().replace("+00:00", "Z"),
        "summary": "pypa/setuptools vulnerable to Regular Expression Denial of Service (ReDoS)",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "setuptools"},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "65.5.1"}]}]}],
    }


def write_db(folder: Path, *advisories: dict) -> Path:
    """An OSV ``PyPI/all.zip``-style export: one JSON file per advisory."""
    db = folder / "all.zip"
    with zipfile.ZipFile(db, "w") as archive:
        for advisory in advisories:
            archive.writestr(f"{advisory['id']}.json", json.dumps(advisory))
    return db


def run_audit(tmp_path: Path, pins: str, db: Path | None, **env) -> subprocess.CompletedProcess:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(pins)
    environment = {**os.environ, "AUDIT_REQUIREMENTS": str(requirements), "AUDIT_OUTPUT_DIR": str(tmp_path / "out"),
                   **env}
    environment.pop("PORTAL_ADVISORY_DB", None)
    if db is not None:
        environment["PORTAL_ADVISORY_DB"] = str(db)
    return subprocess.run(["bash", str(SCRIPT)], cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=300, check=False)


def test_a_known_vulnerable_pin_fails_the_audit(tmp_path):
    db = write_db(tmp_path, setuptools_redos(datetime.now(UTC) - timedelta(days=1)))

    result = run_audit(tmp_path, "Django==5.2.19\nsetuptools==65.5.0\n", db)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "VULNERABLE setuptools 65.5.0: GHSA-r9hx-vwmv-q579 (CVE-2022-40897, PYSEC-2022-43012)" in result.stderr
    assert "fixed in 65.5.1" in result.stderr


def test_the_fixed_release_passes_and_every_pin_counts_as_audited(tmp_path):
    db = write_db(tmp_path, setuptools_redos(datetime.now(UTC) - timedelta(days=1)))

    result = run_audit(tmp_path, "Django==5.2.19\nsetuptools==65.5.1\n", db)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "offline audit: 2 of 2 pins audited against 1 advisories" in result.stdout
    assert "DID NOT AUDIT EVERY PIN" not in result.stderr


def test_a_stale_database_is_not_taken_for_an_audit(tmp_path):
    db = write_db(tmp_path, setuptools_redos(datetime(2021, 7, 1, tzinfo=UTC)))

    result = run_audit(tmp_path, "setuptools==65.5.1\n", db, PORTAL_ADVISORY_DB_MAX_AGE_DAYS="14")

    assert result.returncode == 1
    assert "days old" in result.stderr and "refresh it" in result.stderr


def test_an_unreadable_database_fails_the_audit(tmp_path):
    result = run_audit(tmp_path, "setuptools==65.5.1\n", tmp_path / "missing.zip")

    assert result.returncode == 1
    assert "cannot be read" in result.stderr


# -- the matching rules (OSV's) --------------------------------------------------------------------


def affected(*events, versions=()) -> dict:
    return {"package": {"ecosystem": "PyPI", "name": "Some_Package"}, "versions": list(versions),
            "ranges": [{"type": "ECOSYSTEM", "events": list(events)}]}


@pytest.mark.parametrize(("version", "expected"), [
    ("0.9", False), ("1.0", True), ("1.4.2", True), ("1.5", False), ("2.0", False), ("2.1", True), ("2.1.1", False),
    ("3.0", True),
])
def test_ranges_follow_the_osv_events(version, expected):
    entry = affected({"introduced": "1.0"}, {"fixed": "1.5"}, {"introduced": "2.1"}, {"last_affected": "2.1"},
                     {"introduced": "3.0"})

    assert audit_pins.affects(entry, Version(version)) is expected


def test_listed_versions_names_and_withdrawn_advisories(tmp_path):
    now = datetime.now(UTC).isoformat()
    (tmp_path / "PYSEC-1.yaml").write_text(f"id: PYSEC-1\nmodified: '{now}'\naffected:\n"
                                           "- package: {ecosystem: PyPI, name: Some.Package}\n"
                                           "  versions: ['1.2.3']\n")
    (tmp_path / "GHSA-2.json").write_text(json.dumps({"id": "GHSA-2", "modified": now, "withdrawn": now,
                                                      "affected": [affected({"introduced": "0"})]}))
    (tmp_path / "req.txt").write_text("some-package==1.2.3  # pinned\nother==1.0\nunpinned>=2\n-r base.txt\n")
    pins, unpinned = audit_pins.read_pins(tmp_path / "req.txt")

    findings = audit_pins.audit(pins, audit_pins.index(audit_pins.load_advisories(tmp_path)))

    assert [(f.pin.shown, f.advisory) for f in findings] == [("some-package", "PYSEC-1")]  # GHSA-2 was withdrawn
    assert unpinned == ["unpinned>=2"]
