"""Signals the incentives services send.

``entries_posted`` (sender ``IncentiveLedgerEntry``, ``entries``: the new entries in posting
order): sent by ``ledger.post_many``, which writes many entries with one insert and so sends
no ``post_save`` for them; whoever reacts to a new entry's ``post_save`` reacts to this too.
"""

from django.dispatch import Signal

entries_posted = Signal()
