"""Signals of the tier programme, for apps above partners (search reindex, notifications).

``partner_tier_changed`` is sent after the transaction that changed a partner's tier commits,
once per change, with keyword arguments:

``partner``
    the ``Partner`` (its ``tier`` already the new one);
``from_tier`` / ``to_tier``
    ``Tier`` instances or ``None``;
``change``
    the ``TierChange`` history row.

``sender`` is the ``Partner`` class. Receivers run outside the changing transaction, so they
may enqueue tasks directly.
"""

from django.dispatch import Signal

partner_tier_changed = Signal()
