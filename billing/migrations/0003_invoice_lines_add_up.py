"""Stored invoice lines whose quantity × unit price is not their amount get the quantity and unit
price the invoice mirror now writes (``billing.services.invoices.consistent_line``): proration
lines stored before that fix read e.g. "Unused time 1 × ¥149.00 = −¥447.00". The amount, which
is what was charged, never changes. Idempotent: a line that adds up is left alone."""

from django.db import migrations

CHUNK = 1000


def make_lines_add_up(apps, schema_editor):
    # The rule itself, not a copy: one definition of a consistent line.
    from billing.services.invoices import consistent_line

    InvoiceLine = apps.get_model("billing", "InvoiceLine")
    lines = InvoiceLine.objects.using(schema_editor.connection.alias).order_by("pk")
    changed = []
    for line in (
        lines.only("pk", "quantity", "unit_amount", "amount", "invoice__currency")
        .select_related("invoice")
        .iterator(chunk_size=CHUNK)
    ):
        if line.quantity * line.unit_amount == line.amount:
            continue
        quantity, unit_amount = consistent_line(
            line.quantity, line.unit_amount, line.amount, line.invoice.currency
        )
        if (quantity, unit_amount) != (line.quantity, line.unit_amount):
            line.quantity, line.unit_amount = quantity, unit_amount
            changed.append(line)
    InvoiceLine.objects.using(schema_editor.connection.alias).bulk_update(
        changed, ["quantity", "unit_amount"], batch_size=CHUNK
    )
    return len(changed)


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_fulfilment_on_webhooks")]

    operations = [
        # Backwards: nothing to undo (the old quantity and unit price were wrong and are not kept).
        migrations.RunPython(make_lines_add_up, migrations.RunPython.noop, elidable=True),
    ]
