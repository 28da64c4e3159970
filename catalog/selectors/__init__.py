"""Reads of the catalogue: listings (public and partner views) and the review workflow."""
