"""Compile the translation catalogues (locale/*/LC_MESSAGES/django.po -> django.mo) with Babel.

No GNU gettext needed: `make run` works with python3 and make only. Run by scripts/bootstrap.sh and
before the tests (tests/conftest.py); a .mo is written only when its .po is newer. `--check` exits 1
if any .mo is missing or older than its .po. Fuzzy entries are left out, as msgfmt does.
"""
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def stale_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """The .po files whose .mo is missing or older."""
    found = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            found.append(po)
    return found


def compile_catalogue(po: Path) -> Path:
    with po.open("rb") as source:
        catalogue = read_po(source, locale=po.parents[1].name, domain=po.stem)
    mo = po.with_suffix(".mo")
    partial = mo.with_suffix(".mo.tmp")
    with partial.open("wb") as target:
        write_mo(target, catalogue, use_fuzzy=False)
    partial.replace(mo)  # atomic: a running server never reads half a catalogue
    return mo


def main(argv: list[str]) -> int:
    stale = stale_catalogues()
    if "--check" in argv:
        for po in stale:
            print(f"{po} is not compiled", file=sys.stderr)
        return 1 if stale else 0
    for po in stale:
        compile_catalogue(po)
        print(f"==> Compiled {po.relative_to(LOCALE_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
