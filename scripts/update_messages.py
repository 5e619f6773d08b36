"""Extract the portal's messages into every catalogue, fill the English one, or check them all.

    .venv/bin/python scripts/update_messages.py            # every language in locale/ (and English)
    .venv/bin/python scripts/update_messages.py --add ko   # start a new language's catalogue
    .venv/bin/python scripts/update_messages.py --check    # exit 1 naming every untranslated message

Extraction is Django's ``makemessages`` (it needs GNU gettext's xgettext: Debian's ``gettext``
package, a developer tool; ``make run`` never needs it) over the portal's code and templates. Every
English entry then gets its own text as translation (English is the source language, so its
catalogue is complete by construction). ``--check`` extracts into a copy of the tree, so it changes
nothing, and lists each message of the code that a catalogue lacks, leaves empty or marks fuzzy
(tests/test_translations.py runs it). Compile with scripts/compile_messages.py (bootstrap does).
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
# What makemessages reads: the portal's code and templates (the sandboxes stand in for the
# providers' own systems, in their language; domain and integrations hold no text for people).
SOURCES = ["portal", "templates"]
# What the settings need to load in a copy of the tree.
SUPPORT = ["manage.py", "domain", "integrations", "sandbox", "locale"]
IGNORED = ["sandbox", "tests", "bench", "contrib", "scripts", "domain", "integrations", "node_modules",
           "staticfiles", "var", "test-output", "docs", "locale"]


def languages(locale_dir: Path, extra: list[str] = ()) -> list[str]:
    found = {po.parents[1].name for po in locale_dir.glob("*/LC_MESSAGES/django.po")}
    return sorted(found | {"en"} | set(extra))


def extract(root: Path, codes: list[str]) -> None:
    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete", "--add-location=file", "--no-wrap",
               *[f"--locale={code}" for code in codes], *[f"--ignore={name}/*" for name in IGNORED]]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "portal.settings.local")}
    subprocess.run(command, cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 - fixed command


def read(po_path: Path):
    with po_path.open("rb") as source:
        return read_po(source, locale=po_path.parents[1].name)


def fill_english(po_path: Path) -> None:
    catalogue = read(po_path)
    for message in catalogue:
        if not message.id:
            continue
        # Always the source text itself: msgmerge may have given a new entry a fuzzy neighbour's text.
        if isinstance(message.id, tuple):
            message.string = (message.id[0], *[message.id[1]] * (len(message.string) - 1))
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
    with po_path.open("wb") as target:
        write_po(target, catalogue, width=0, include_previous=False)


def untranslated(po_path: Path) -> list[str]:
    """The messages of a catalogue with no translation (empty, or only fuzzy)."""
    found = []
    for message in read(po_path):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            msgid = message.id[0] if isinstance(message.id, tuple) else message.id
            found.append(f"{po_path.parents[1].name}: {msgid!r}" + (f" ({message.context})" if message.context else ""))
    return found


def check() -> list[str]:
    """Every message of the code that some catalogue lacks or leaves untranslated (the tree is not changed)."""
    with tempfile.TemporaryDirectory(prefix="messages-") as scratch:
        copy = Path(scratch)
        for name in SOURCES + SUPPORT:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
            else:
                shutil.copy2(source, copy / name)
        codes = languages(copy / "locale")
        extract(copy, codes)
        return [problem for code in codes
                for problem in untranslated(copy / "locale" / code / "LC_MESSAGES" / "django.po")]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        problems = check()
        for problem in problems:
            print(f"untranslated: {problem}", file=sys.stderr)
        return 1 if problems else 0
    extra = argv[argv.index("--add") + 1:] if "--add" in argv else []
    extract(ROOT, languages(LOCALE, extra))
    fill_english(LOCALE / "en" / "LC_MESSAGES" / "django.po")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
