"""Business days in the platform's calendar (Asia/Shanghai by default), for response targets.

Settings: ``DEMAND_TIME_ZONE`` (default ``Asia/Shanghai``), ``DEMAND_HOLIDAYS`` (ISO dates that are
not business days), ``DEMAND_LEAD_RESPONSE_BUSINESS_DAYS`` (default 1),
``DEMAND_BUSINESS_DAY_START_HOUR`` (default 9: a lead arriving on a day off counts from then).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


def _zone() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "DEMAND_TIME_ZONE", "Asia/Shanghai"))


def is_business_day(day: date) -> bool:
    holidays = {date.fromisoformat(d) for d in getattr(settings, "DEMAND_HOLIDAYS", ())}
    return day.weekday() < 5 and day not in holidays


def add_business_days(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` business days at the same local time; a start on a day off counts
    from the opening hour of the next business day."""
    local = start.astimezone(_zone())
    if not is_business_day(local.date()):
        day = local.date()
        while not is_business_day(day):
            day += timedelta(days=1)
        hour = getattr(settings, "DEMAND_BUSINESS_DAY_START_HOUR", 9)
        local = datetime.combine(day, time(hour), tzinfo=_zone())
    day = local.date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return datetime.combine(day, local.timetz())


def lead_response_due(start: datetime) -> datetime:
    return add_business_days(start, getattr(settings, "DEMAND_LEAD_RESPONSE_BUSINESS_DAYS", 1))
