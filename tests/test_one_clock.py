"""Every "today" comes from one clock that knows the business time zone (domain/shared/clock.py; the
sandbox's own in sandbox/common/clock.py): no other module asks the system for the date, or for a
naive "now" that means nothing outside the machine's own time zone."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("domain", "integrations", "portal", "sandbox", "bench", "scripts")
CLOCKS = {ROOT / "domain/shared/clock.py", ROOT / "sandbox/common/clock.py"}
FORBIDDEN = {
    ("date", "today"): "date.today() is the machine's date: use clock.today()",
    ("datetime", "today"): "datetime.today() is naive: use clock.now()",
    ("datetime", "utcnow"): "datetime.utcnow() is naive: use clock.now()",
    ("timezone", "localdate"): "timezone.localdate() follows Django's TIME_ZONE: use clock.today()",
}


def calls_to_the_system_clock(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)):
            continue
        key = (node.func.value.id, node.func.attr)
        if key in FORBIDDEN:
            found.append((node.lineno, FORBIDDEN[key]))
        elif key == ("datetime", "now") and not node.args and not node.keywords:
            found.append((node.lineno, "datetime.now() without a zone is naive: use clock.now()"))
    return found


def test_the_check_finds_each_way_of_asking_the_system_for_the_date():
    source = "date.today()\ndatetime.now()\ndatetime.utcnow()\ntimezone.localdate()\ndatetime.now(UTC)\n"
    assert [line for line, _ in calls_to_the_system_clock(source)] == [1, 2, 3, 4]


@pytest.mark.parametrize("package", PACKAGES)
def test_nothing_but_the_clock_asks_the_system_for_the_date(package):
    offenders = [f"{path.relative_to(ROOT)}:{line}: {why}"
                 for path in sorted((ROOT / package).rglob("*.py")) if path not in CLOCKS and "_pb2" not in path.name
                 for line, why in calls_to_the_system_clock(path.read_text(encoding="utf-8"))]
    assert offenders == []
