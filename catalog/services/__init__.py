"""Business rules of the catalogue: pre-checks, versions, freshness and delisting, the review workflow."""
