"""The Simplified Chinese catalogue is complete, compiled and actually served.

Regenerate and compile it with
    cd src/zhuanban && zhuanban makemessages -l zh_Hans --no-obsolete --no-location
    cd src/zhuanban && zhuanban compilemessages -l zh_Hans
"""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PO_PATH = CATALOGUE / "django.po"
MO_PATH = CATALOGUE / "django.mo"

# A printf-style conversion as Python's % operator reads it: %(name)s, %s, %d, %.2f …
# "%%" is a literal percent sign and is matched only so that it is not misread.
PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z%]")

# Sentence punctuation that a Chinese translation should write full-width.
ASCII_SENTENCE_END = re.compile(r"[.:;,!?]$")


def _placeholders(text: str) -> Counter:
    return Counter(m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%")


def _key(entry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def _value(entry) -> tuple:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
    return (entry.msgstr,)


def _translations(entry) -> list[str]:
    return list(_value(entry))


def _show(msgids) -> str:
    return "\n  " + "\n  ".join(repr(m) for m in msgids)


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO_PATH))


def test_catalogue_header_is_for_simplified_chinese(po):
    assert po.metadata["Language"] == "zh_Hans"
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert not po.metadata_is_fuzzy, "remove the '#, fuzzy' flag above the header"


def test_every_entry_is_translated(po):
    untranslated = [e.msgid for e in po.untranslated_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated msgid(s):{_show(untranslated)}"
    # polib counts a plural entry as translated when any form is filled; require every form.
    partial = [e.msgid for e in po if e.msgid_plural and not all(e.msgstr_plural.values())]
    assert not partial, f"plural entries with an empty form:{_show(partial)}"


def test_no_entry_is_fuzzy(po):
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not fuzzy, (
        f"{len(fuzzy)} fuzzy msgid(s); check the translation and remove the flag:{_show(fuzzy)}"
    )


def test_committed_mo_matches_the_po(po):
    assert MO_PATH.exists(), "django.mo is missing: run compilemessages -l zh_Hans"
    mo = polib.mofile(str(MO_PATH))
    compiled = {_key(e): _value(e) for e in mo}
    source = {_key(e): _value(e) for e in po.translated_entries()}
    stale = sorted(
        {key[1] for key in source.keys() ^ compiled.keys()}
        | {key[1] for key in source.keys() & compiled.keys() if source[key] != compiled[key]}
    )
    assert not stale, (
        "django.mo is out of date with django.po; run "
        f"`cd src/zhuanban && zhuanban compilemessages -l zh_Hans`. Differing msgids:{_show(stale)}"
    )


def test_translations_keep_the_placeholders_of_their_msgid(po):
    broken = []
    for entry in po.translated_entries():
        if "python-format" not in entry.flags:
            continue
        expected = _placeholders(entry.msgid)
        if entry.msgid_plural:
            # A single zh form serves both English forms; both use the same placeholders.
            expected |= _placeholders(entry.msgid_plural)
        for text in _translations(entry):
            got = _placeholders(text)
            if got != expected:
                broken.append(f"{entry.msgid!r}: expected {dict(expected)}, got {dict(got)}")
    assert not broken, "placeholders differ between msgid and msgstr:" + _show(broken)


def test_translations_end_sentences_with_chinese_punctuation(po):
    ascii_ends = [
        f"{e.msgid!r} -> {text!r}"
        for e in po.translated_entries()
        for text in _translations(e)
        if ASCII_SENTENCE_END.search(text)
    ]
    assert not ascii_ends, "use full-width punctuation (。：；，) in Chinese:" + _show(ascii_ends)


def test_login_page_is_chinese_by_default(client, db):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "<h1>登录</h1>" in html
    assert "专办工作平台" in html
    assert "Log in" not in html


def test_a_chinese_browser_gets_chinese(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "<h1>登录</h1>" in html


def test_the_language_cookie_switches_to_english(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html
    assert "Special Offices Platform" in html
    assert "登录" not in html
