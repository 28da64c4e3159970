"""Wagtail admin screens of the catalogue (registered in ``catalog.wagtail_hooks``)."""
