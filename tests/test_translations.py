"""Every message a customer or staff member reads is translated, in every catalogue.

``scripts/update_messages.py --check`` extracts the messages of the code and templates (Django's
makemessages, in a copy of the tree) and lists any that a catalogue lacks, leaves empty or marks
fuzzy. Text written straight into a template, outside ``{% translate %}``, never reaches a
catalogue: the template scan below finds it.
"""
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import compile_messages  # noqa: E402
import update_messages  # noqa: E402

# Words that read the same in every language of the portal (units, product-neutral codes).
NEUTRAL = {"SIM", "SIMs", "ICCID", "MB", "GB", "PayPal", "JSON", "API", "OK", "CRM", "WHMCS", "Salesforce", "Freebit"}
TEMPLATE_TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
HTML_TAG = re.compile(r"<[^>]*>", re.S)
ENTITY = re.compile(r"&[a-z]+;|&#\d+;")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
# A {% blocktranslate %} or {% translate %} block's own text is translated: cut it out first.
TRANSLATED_BLOCK = re.compile(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", re.S)
COMMENT_BLOCK = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)


def test_gettext_tools_are_there():
    # The check uses xgettext (Debian's gettext: scripts/ensure-system-packages.sh installs it).
    assert shutil.which("xgettext") and shutil.which("msgmerge"), "install Debian's gettext (make test does)"


def test_every_message_is_translated_in_every_catalogue():
    problems = update_messages.check()
    assert not problems, "untranslated messages (run scripts/update_messages.py and translate them):\n" + \
        "\n".join(problems)


def test_the_catalogues_are_english_and_japanese_at_least():
    assert {"en", "ja"} <= set(update_messages.languages(update_messages.LOCALE))


def test_an_empty_or_fuzzy_translation_is_found(tmp_path):
    po = tmp_path / "ja" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                  '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
                  'msgid "Paid"\nmsgstr "支払い済み"\n\n'
                  'msgid "Unpaid"\nmsgstr ""\n\n'
                  '#, fuzzy\nmsgid "Overdue"\nmsgstr "期限超過"\n\n'
                  'msgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] ""\n', encoding="utf-8")

    assert update_messages.untranslated(po) == ["ja: 'Unpaid'", "ja: 'Overdue'", "ja: '%(n)s day'"]


def test_the_compiled_catalogues_are_up_to_date():
    # tests/conftest.py compiles them before the run, as bootstrap does for make run.
    assert compile_messages.stale_catalogues() == []


def _template_texts(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    if path.suffix == ".txt":  # email bodies: the same rule, without HTML
        source = source
    source = COMMENT_BLOCK.sub(" ", TRANSLATED_BLOCK.sub(" ", source))
    source = TEMPLATE_TAG.sub(" ", source)
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S)
    # Attributes a person reads (aria-label, title, alt, placeholder) stay; other markup goes.
    readable_attrs = re.findall(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"', source)
    text = HTML_TAG.sub(" ", source)
    return [ENTITY.sub(" ", text), *readable_attrs]


def test_no_template_writes_text_outside_translate():
    found = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        for text in _template_texts(path):
            words = [w for w in WORD.findall(text) if w not in NEUTRAL]
            if words:
                found.append(f"{path.relative_to(ROOT)}: {' '.join(words)[:120]}")
    assert not found, "text outside {% translate %}:\n" + "\n".join(found)


@pytest.mark.parametrize("text", ['<p>Pay now</p>', '<a aria-label="Close">x</a>'])
def test_the_template_scan_finds_text_left_out(tmp_path, text):
    page = tmp_path / "page.html"
    page.write_text("{% load i18n %}" + text + '<p>{% translate "Fine" %}</p>', encoding="utf-8")
    words = [w for t in _template_texts(page) for w in WORD.findall(t) if w not in NEUTRAL]
    assert words


def test_a_third_language_is_a_new_catalogue_only(tmp_path):
    from portal.settings.base import catalogued_languages

    for code in ("ja", "ko", "pt_BR"):
        catalogue = tmp_path / code / "LC_MESSAGES" / "django.po"
        catalogue.parent.mkdir(parents=True)
        catalogue.write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")

    assert catalogued_languages(tmp_path) == [("en", "English"), ("ja", "日本語"), ("ko", "한국어"),
                                              ("pt-br", "Português Brasileiro")]
