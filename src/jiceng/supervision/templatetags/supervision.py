"""Formatting for the fair ranking: rates as percentages, differences signed."""

from django import template

register = template.Library()


@register.filter
def split(value: str) -> list[str]:
    return value.split()


@register.filter
def rate_of(mix, name: str):
    return mix.rates.get(name) if mix is not None else None


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value:.1%}"


@register.filter
def signed_percent(value) -> str:
    return "—" if value is None else f"{value * 100:+.1f}%"
