"""Outcomes that apps above partners tie to a partner's funded marketing activity (market
development funds): deal registrations and their wins (cosell), leads and awards (demand).
The apps on that step never import each other; they meet here. Incentives listens and keeps
what it can match to one of the partner's fund requests.

``funded_outcome`` is sent with keyword arguments:

``partner``
    the ``Partner`` whose outcome it is;
``reference``
    the fund request's public id as the partner gave it (a string; unknown ones are ignored);
``source`` / ``key``
    the sending app and a stable id of the outcome within it (a later send with the same
    ``key`` and ``kind`` replaces the earlier one; ``amount`` 0 withdraws it);
``kind``
    ``"pipeline"`` (an opportunity's estimated value) or ``"revenue"`` (money paid);
``amount`` / ``currency``
    a ``Decimal`` and an ISO currency code;
``occurred_on``
    the ``date`` of the outcome; ``label``: a short text for staff screens.

``sender`` is the sending model class. Sent inside the sender's transaction.
"""

from django.dispatch import Signal

funded_outcome = Signal()
