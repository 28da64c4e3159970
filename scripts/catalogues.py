"""Helpers for the two message catalogues (locale/zh_Hans, locale/en).

python scripts/catalogues.py fill-en          # English msgstr = msgid (msgids are English)
python scripts/catalogues.py todo OUT.json    # untranslated/fuzzy zh_Hans entries to translate
python scripts/catalogues.py apply IN.json    # write translations {msgid: msgstr | [singular, plural]}
python scripts/catalogues.py stats            # counts per catalogue
"""

import json
import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"
DOMAINS = ("django", "djangojs")


def catalogues(lang):
    for domain in DOMAINS:
        path = LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"
        if path.exists():
            po = polib.pofile(str(path), wrapwidth=0)
            po.metadata_is_fuzzy = False
            po.metadata.update(
                {
                    "Project-Id-Version": "Symbio",
                    "Language": lang,
                    "Language-Team": "Symbio",
                    "Last-Translator": "Symbio team",
                    "Content-Type": "text/plain; charset=UTF-8",
                    "Plural-Forms": "nplurals=1; plural=0;"
                    if lang.startswith("zh")
                    else "nplurals=2; plural=(n != 1);",
                }
            )
            yield path, po


def key(entry):
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def fill_en():
    for path, po in catalogues("en"):
        for entry in po:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        po.save(str(path))


def todo(out):
    pending = {}
    for _path, po in catalogues("zh_Hans"):
        for entry in po:
            untranslated = not entry.translated() or "fuzzy" in entry.flags
            if untranslated:
                pending[key(entry)] = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else entry.msgid
    Path(out).write_text(json.dumps(pending, ensure_ascii=False, indent=1))
    print(f"{len(pending)} entries to translate → {out}")


def apply(src):
    translations = json.loads(Path(src).read_text())
    done = 0
    for path, po in catalogues("zh_Hans"):
        for entry in po:
            value = translations.get(key(entry))
            if value is None:
                continue
            if entry.msgid_plural:
                value = value if isinstance(value, list) else [value, value]
                entry.msgstr_plural = {0: value[0]}  # Chinese has one plural form
            else:
                entry.msgstr = value if isinstance(value, str) else value[0]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            done += 1
        po.save(str(path))
    print(f"applied {done} translations")


def stats():
    for lang in ("zh_Hans", "en"):
        for path, po in catalogues(lang):
            print(
                f"{path.relative_to(LOCALE)}: {len(po.translated_entries())} translated, "
                f"{len(po.untranslated_entries())} untranslated, {len(po.fuzzy_entries())} fuzzy"
            )


if __name__ == "__main__":
    command, *args = sys.argv[1:] or ["stats"]
    {"fill-en": fill_en, "todo": todo, "apply": apply, "stats": stats}[command](*args)
