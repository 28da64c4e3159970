"""Fingerprint of the demo seed, model by model: to check that a change to the seed leaves its data
as it was. Runs ``seed_demo`` (and, with ``--reset``, ``seed_demo --reset`` after it) inside one
transaction that is rolled back, and writes per model (auto-created many-to-many tables included)
its row count and a hash of its rows: every concrete column, in primary-key order.

What differs between two runs of the same code is normalised: UUIDs and random tokens and file
names, timestamps of "now" (kept to the day), salted password hashes (left out), floats (three
significant digits: search scores decay with the clock), the reference index's row order.
After ``--reset`` the home and landing pages, the renditions and a few facts also vary from run
to run of the same code; compare those across two runs of the old code first.

    DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=postgres://…/<empty migrated db> \
        .venv/bin/python scripts/demo_fingerprint.py OUT.json [--reset]
    python3 scripts/demo_fingerprint.py --compare OLD.json NEW.json
"""

import datetime
import hashlib
import io
import json
import os
import re
import sys
import tempfile

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
HEX = re.compile(r"\b(demo_pi_)?[0-9a-f]{16,}\b")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
TAKEN_NAME = re.compile(r"_[A-Za-z0-9]{7}(\.(png|jpg|pdf))")  # storage's suffix for a name in use
SECRET_COLUMNS = {"password", "token_hash", "key_hash", "secret", "last_login"}
UNORDERED = {"wagtailcore.ReferenceIndex"}


def norm(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    text = value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
    text = UUID.sub("<uuid>", text)
    text = STAMP.sub(lambda m: m.group(0)[:10], text)
    text = HEX.sub("<hex>", text)
    text = TOKEN.sub("<token>", text)
    return TAKEN_NAME.sub(r"\1", text)


def fingerprint() -> dict[str, list]:
    from django.apps import apps

    result = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or (not model._meta.managed and not model._meta.auto_created):
            continue
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in SECRET_COLUMNS]
        rows = [
            repr([norm(v) for v in row]) for row in model._base_manager.order_by("pk").values_list(*names)
        ]
        if model._meta.label in UNORDERED:
            rows = sorted(row.split(", ", 1)[1] for row in rows)  # without the id
        if rows:
            digest = hashlib.sha1("\n".join(rows).encode()).hexdigest()[:12]
            result[model._meta.label] = [len(rows), digest]
    return result


def compare(old_path: str, new_path: str) -> int:
    with open(old_path) as f_old, open(new_path) as f_new:
        old, new = json.load(f_old), json.load(f_new)
    differ = 0
    for phase in ("seed", "reset"):
        if not old.get(phase) or not new.get(phase):
            continue
        labels = sorted(set(old[phase]) | set(new[phase]))
        changed = [label for label in labels if old[phase].get(label) != new[phase].get(label)]
        print(f"{phase}: {len(labels)} models, {len(changed)} differ")
        for label in changed:
            print(f"  {label}: {old[phase].get(label)} -> {new[phase].get(label)}")
        differ += len(changed)
    return 1 if differ else 0


def main() -> int:
    if sys.argv[1] == "--compare":
        return compare(sys.argv[2], sys.argv[3])
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="demo-fingerprint-")  # fresh: no taken names
    settings.PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="demo-fingerprint-private-")
    out = {"seed": None, "reset": None}
    with transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        out["seed"] = fingerprint()
        if "--reset" in sys.argv:
            call_command("seed_demo", stdout=io.StringIO(), reset=True)
            out["reset"] = fingerprint()
        transaction.set_rollback(True)
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print(f"{len(out['seed'])} models with rows, {sum(n for n, _h in out['seed'].values())} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
