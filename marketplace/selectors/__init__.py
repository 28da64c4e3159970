"""Read-side queries of the customer pages: ``home``, ``listings`` (cards, browse, compare),
``reviews``. Each returns what a page needs in a bounded number of queries."""
