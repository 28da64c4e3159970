"""Business days in the platform's calendar, for response and review targets.

Settings: ``BUSINESS_TIME_ZONE`` (default ``Asia/Shanghai``), ``BUSINESS_HOLIDAYS`` (ISO dates that
are not business days), ``BUSINESS_DAY_START_HOUR`` (default 9: a start on a day off counts from
then on the next business day).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


def zone() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "BUSINESS_TIME_ZONE", "Asia/Shanghai"))


def is_business_day(day: date) -> bool:
    holidays = {date.fromisoformat(d) for d in getattr(settings, "BUSINESS_HOLIDAYS", ())}
    return day.weekday() < 5 and day not in holidays


def add_business_days(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` business days at the same local time."""
    local = start.astimezone(zone())
    day = local.date()
    if not is_business_day(day):
        while not is_business_day(day):
            day += timedelta(days=1)
        local = datetime.combine(day, time(getattr(settings, "BUSINESS_DAY_START_HOUR", 9)), tzinfo=zone())
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return datetime.combine(day, local.timetz())
