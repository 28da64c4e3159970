"""Backup and restore as docs/operations.md describes it: ``pg_dump -Fc`` of the (test)
database, ``pg_restore`` into a new database, and Django reading the same rows from it."""

import glob
import os
import subprocess
import uuid

import pytest
from django.db import connection, connections
from wagtail.models import Page

from accounts.models import User
from partners.models import Partner
from tests.factories.partners import provisioned_partner

# serialized_rollback: Django's flush after the test then skips post_migrate (~4 s); tests/conftest.py
# restores the migrated data before the next test in any case.
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ALIAS = "restored_backup"


def pg_tool(name: str) -> str:
    """The newest PostgreSQL client binary (the one scripts/test.sh started the server with)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if not found:
        pytest.skip(f"{name} is not installed")
    return found[-1]


def pg_args(db: dict, name: str) -> list[str]:
    return ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"], "-d", name]


def pg_env(db: dict) -> dict:
    return {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}


def counts(alias: str) -> dict:
    return {
        "users": User.objects.using(alias).count(),
        "partners": Partner.objects.using(alias).count(),
        "pages": Page.objects.using(alias).count(),
    }


@pytest.fixture
def restored_alias(tmp_path):
    """Yields a function that dumps the test database and restores it into a new database
    reachable as ``connections[ALIAS]``; the database is dropped afterwards."""
    db = connection.settings_dict
    assert db["ENGINE"].endswith("postgresql"), "backup/restore is exercised on PostgreSQL"
    new_name = f"symbio_restore_{uuid.uuid4().hex[:12]}"  # unique per xdist worker and run
    created = False

    def dump_and_restore() -> str:
        nonlocal created
        dump = tmp_path / "symbio.dump"
        subprocess.run(
            [pg_tool("pg_dump"), *pg_args(db, db["NAME"]), "-Fc", "-f", str(dump)],
            env=pg_env(db), check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        assert dump.stat().st_size > 0
        with connection.cursor() as cursor:  # autocommit: transaction=True test
            cursor.execute(f'CREATE DATABASE "{new_name}"')
        created = True
        subprocess.run(
            [pg_tool("pg_restore"), *pg_args(db, new_name), "--no-owner", "--exit-on-error", str(dump)],
            env=pg_env(db), check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        # A connection made at run time, as a second DATABASES entry would be (a dynamically
        # created connection, which Django's test case allows).
        connections[ALIAS] = type(connections["default"])({**db, "NAME": new_name}, alias=ALIAS)
        return ALIAS

    yield dump_and_restore

    restored = getattr(connections._connections, ALIAS, None)
    if restored is not None:
        restored.close()
        del connections[ALIAS]
    if created:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{new_name}" WITH (FORCE)')


def test_dump_restores_into_a_new_database_with_the_same_rows(restored_alias):
    partner = provisioned_partner(tagline="恢复测试", description_en="Restored from a dump.")
    owner = partner.organisation.memberships.get().user
    before = counts("default")
    assert before["partners"] >= 1 and before["users"] >= 1 and before["pages"] > 1

    alias = restored_alias()

    assert connections[alias].settings_dict["NAME"] != connection.settings_dict["NAME"]
    assert counts(alias) == before
    restored = Partner.objects.using(alias).select_related("organisation", "tier").get(pk=partner.pk)
    assert restored.tagline == "恢复测试"
    assert restored.description_en == "Restored from a dump."
    assert restored.organisation.name == partner.organisation.name
    assert restored.tier_id == partner.tier_id
    restored_owner = User.objects.using(alias).get(pk=owner.pk)
    assert restored_owner.email == owner.email
    assert restored_owner.password == owner.password  # the hash survives: logins keep working
    # The restored database is a copy, not the same one: a change there is not seen here.
    Partner.objects.using(alias).filter(pk=partner.pk).update(tagline="changed in the copy")
    partner.refresh_from_db()
    assert partner.tagline == "恢复测试"
