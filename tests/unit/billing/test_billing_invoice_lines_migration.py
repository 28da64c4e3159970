"""billing.0003_invoice_lines_add_up: invoice lines stored before the proration fix (quantity and
the plan's full unit price beside a prorated amount) are rewritten so quantity × unit = amount,
by the same rule the invoice mirror uses, and running it again changes nothing."""

import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from billing.models import InvoiceLine
from partners.models import PartnerKind
from tests.factories.billing import InvoiceFactory, customer, live_listing, money_partner

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("billing.migrations.0003_invoice_lines_add_up")


class Editor:  # what RunPython hands the function: only its connection is used
    connection = connection


def run_migration() -> int:
    """The migration's function on the models as they were just before it."""
    state = MigrationExecutor(connection).loader.project_state(
        ("billing", "0003_invoice_lines_add_up"), at_end=False
    )
    return MIGRATION.make_lines_add_up(state.apps, Editor())


def test_old_proration_lines_are_rewritten_once_and_amounts_never_change():
    partner = money_partner(slug="lines-isv", name="行软件", name_en="Lines Soft", kind=PartnerKind.ISV)
    inv = InvoiceFactory(
        partner=partner,
        listing=live_listing(partner, slug="lines-app"),
        organisation=customer("lines-buyer"),
        total="-100.00",
    )
    old_shape = [  # (description, quantity, unit, amount) as stored before the fix
        ("Unused time (按比例计费)", 1, "149.00", "-447.00"),
        ("Unused time on 3 seats", 3, "149.00", "-447.00"),
        ("Remaining time on 3 seats", 3, "149.00", "-100.00"),
        ("Seats", 3, "149.00", "447.00"),  # already adds up
    ]
    lines = [
        InvoiceLine.objects.create(
            invoice=inv, description=d, quantity=q, unit_amount=Decimal(u), amount=Decimal(a), proration=True
        )
        for d, q, u, a in old_shape
    ]

    assert run_migration() == 3

    new_shape = [
        (line.description, line.quantity, line.unit_amount, line.amount)
        for line in InvoiceLine.objects.filter(pk__in=[line.pk for line in lines]).order_by("pk")
    ]
    assert new_shape == [
        ("Unused time (按比例计费)", 1, Decimal("-447.00"), Decimal("-447.00")),
        ("Unused time on 3 seats", 3, Decimal("-149.00"), Decimal("-447.00")),
        ("Remaining time on 3 seats", 1, Decimal("-100.00"), Decimal("-100.00")),
        ("Seats", 3, Decimal("149.00"), Decimal("447.00")),
    ]
    assert all(q * u == a for _, q, u, a in new_shape)

    assert run_migration() == 0  # idempotent
    assert [
        (line.quantity, line.unit_amount) for line in InvoiceLine.objects.filter(invoice=inv).order_by("pk")
    ] == [(q, u) for _, q, u, _ in new_shape]
