"""Thin views of the customer pages; rules live in ``marketplace.services`` and ``selectors``."""
