"""Deadlines in Chinese working days: weekends, public holidays and adjusted work days
(调休) from chinese-calendar, which ships the State Council's yearly schedule."""

import datetime
import functools
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings

LOCAL = ZoneInfo(settings.TIME_ZONE)


@functools.lru_cache(maxsize=4096)
def is_working_day(day: datetime.date) -> bool:
    """Cached: the schedule is fixed for a year, and deadlines ask about the same days
    again and again (a year of cases asks a few hundred thousand times)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # Years beyond the package's schedule: fall back to Monday to Friday.
        return day.weekday() < 5


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """The end (23:59:59 local time) of the `days`-th working day after `start`'s day.

    A case received on the eve of a holiday counts from the first working day after it:
    received 30 September with 3 working days is due at the end of the third working day
    after the National Day holiday.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    return _working_day_end(start.astimezone(LOCAL).date(), days)


@functools.lru_cache(maxsize=4096)
def _working_day_end(first: datetime.date, days: int) -> datetime.datetime:
    """The same answer for every case received on `first`: worked out once per day and
    length, not per case (intake computes it at every filing)."""
    day = first
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=LOCAL)


def add_hours(start: datetime.datetime, hours: int) -> datetime.datetime:
    """Urgent categories count clock hours, holidays included."""
    return start + datetime.timedelta(hours=hours)
