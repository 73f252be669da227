from django import template

register = template.Library()


@register.filter
def indicator_url(indicator, area) -> str:
    return indicator.url(area) if indicator.url else ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
