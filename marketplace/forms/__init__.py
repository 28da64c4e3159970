"""Forms of the customer pages, one module per screen family (``reviews``, ``purchase``)."""
