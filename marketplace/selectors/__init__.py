"""Read-side queries of the customer pages: ``listings`` (cards, browse, compare), ``reviews``
(the home page's own data is built in ``marketplace.models.pages``). Each returns what a page
needs in a bounded number of queries."""
