"""Both message catalogues are complete, compiled, and in step with the source."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

REPO = Path(__file__).resolve().parents[2]
LOCALE = REPO / "locale"
LANGS = ("zh_Hans", "en")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sdf]|\{\w*\}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def po_files():
    return sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def msgstrs(entry):
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated_and_none_is_fuzzy(lang):
    for path in (LOCALE / lang / "LC_MESSAGES").glob("*.po"):
        po = polib.pofile(str(path))
        missing = [e.msgid for e in po.untranslated_entries()]
        fuzzy = [e.msgid for e in po.fuzzy_entries()]
        assert not missing, f"{path.name}: untranslated {missing[:10]}"
        assert not fuzzy, f"{path.name}: fuzzy {fuzzy[:10]}"


def test_chinese_translations_keep_placeholders_and_are_chinese():
    po = polib.pofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    problems = []
    for entry in po.translated_entries():
        for text in msgstrs(entry):
            if sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid)) != sorted(
                PLACEHOLDER.findall(text)
            ):
                problems.append(("placeholders", entry.msgid, text))
        stripped = PLACEHOLDER.sub("", entry.msgid)
        if re.search(r"[A-Za-z]{4,}", stripped) and " " in stripped.strip():
            problems += [
                ("not Chinese", entry.msgid, text) for text in msgstrs(entry) if not CJK.search(text)
            ]
    assert not problems, problems[:10]


@pytest.mark.parametrize("path", po_files(), ids=lambda p: str(p.relative_to(LOCALE)))
def test_compiled_catalogue_matches_its_source(path):
    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"
    po = {(e.msgctxt, e.msgid): msgstrs(e) for e in polib.pofile(str(path)).translated_entries()}
    mo = {(e.msgctxt, e.msgid): msgstrs(e) for e in polib.mofile(str(mo_path)) if e.msgid}
    assert mo == po


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext is not installed (`make test` installs it)")
def test_catalogues_hold_every_string_in_the_source(tmp_path):
    """makemessages on the current source finds nothing the committed catalogues lack.

    It runs on a copy of the source: ``makemessages`` writes into the ``locale/`` directory above
    the files it reads (whatever ``LOCALE_PATHS`` says), so run on the tree itself it would
    rewrite the committed catalogues and compare them with themselves. The copy starts with an
    empty ``locale/``, so the catalogues it writes hold exactly the source's messages (no merge
    with the committed ones), and both domains run in one interpreter (one Django start-up)."""
    source = tmp_path / "src"
    skip = shutil.ignore_patterns(
        ".git", ".venv", "var", "staticfiles", "node_modules", "media", "__pycache__", "locale"
    )
    shutil.copytree(REPO, source, ignore=skip, symlinks=True)
    (source / "locale").mkdir()
    env = {
        **os.environ,
        "SYMBIO_LOCALE_PATH": str(source / "locale"),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    ignore = ["-i", "staticfiles/*", "-i", "var/*", "-i", "tests/*", "-i", "benchmarks/*", "-i", "scripts/*"]
    both_domains = (
        "import sys\n"
        "from django.core.management import execute_from_command_line\n"
        "for domain in ('django', 'djangojs'):\n"
        "    execute_from_command_line(['manage.py', 'makemessages', '-d', domain, *sys.argv[1:]])\n"
    )
    command = [sys.executable, "-c", both_domains, "-l", "zh_Hans", "--no-obsolete", *ignore]
    subprocess.run(command, cwd=source, env=env, check=True, capture_output=True)
    fresh_files = sorted((source / "locale" / "zh_Hans" / "LC_MESSAGES").glob("*.po"))
    assert "django.po" in [f.name for f in fresh_files]
    for fresh in fresh_files:
        committed = LOCALE / "zh_Hans" / "LC_MESSAGES" / fresh.name
        have = {(e.msgctxt, e.msgid) for e in polib.pofile(str(committed))}
        needed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(fresh))}
        assert needed <= have, (
            f"{fresh.name}: not in the catalogue, run `make messages`: {sorted(needed - have)[:10]}"
        )


def test_message_constants_translated_at_run_time_are_in_the_catalogue():
    """A module constant handed to ``_()`` at run time (``raise ApplicationError(_(TOO_LATE))``)
    is invisible to ``makemessages`` unless it is marked (``gettext_noop``): such messages were
    shown in English on Chinese pages. Every one must be in the catalogue."""
    ids = {e.msgid for e in polib.pofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))}
    listed = subprocess.run(["git", "ls-files", "*.py"], cwd=REPO, capture_output=True, text=True)
    files = listed.stdout.split()
    constant = re.compile(r'^([A-Z][A-Z0-9_]*) = (?:gettext_noop\()?"((?:[^"\\]|\\.)+)"\)?$', re.M)
    missing = []
    for name in files:
        if name.startswith(("tests/", "benchmarks/", "scripts/")) or "/migrations/" in name:
            continue
        source = (REPO / name).read_text(encoding="utf-8")
        for const, value in constant.findall(source):
            translated = re.search(rf"\b(?:_|gettext|gettext_lazy)\(\s*{const}\s*\)", source)
            if translated and value not in ids:
                missing.append(f"{name}: {const} = {value!r}")
    assert not missing, "mark these with gettext_noop and run `make messages`:\n" + "\n".join(missing)
