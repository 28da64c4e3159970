"""Co-sell services: conflict checks, the registration life, protection and attribution."""
