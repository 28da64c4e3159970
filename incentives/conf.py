"""The incentives app's settings, each with its default (override in Django settings)."""

from decimal import Decimal

from django.conf import settings


def get(name: str):
    return getattr(settings, f"INCENTIVES_{name}", DEFAULTS[name])


DEFAULTS = {
    "MIN_WORKING_DAYS_AHEAD": 10,  # a request's activity starts at least this many working days ahead
    "CLAIM_WINDOW_DAYS": 30,  # claims are due within this many days after the activity ends
    "MAX_UPLOAD_BYTES": 10 * 1024 * 1024,
    "AUDIT_RATE": Decimal("0.10"),  # share of claims held at random for an audit
    "AUDIT_SEED": "symbio",  # the sample is a deterministic function of this seed and the request
    "PHASH_DISTANCE": 8,  # perceptual-hash Hamming distance at or below which two photos match
    "PHOTO_DATE_SLACK_DAYS": 1,  # photo dates this many days around the activity still count
    "REVIEW_TARGET_DAYS": 5,
    # demand leads received from an activity's first month to the month this many days after
    # its end are shown as the activity's leads (demand reports monthly ``leads_received`` facts)
    "LEAD_WINDOW_DAYS": 30,  # service target: staff act on a request or claim within these working days
}
