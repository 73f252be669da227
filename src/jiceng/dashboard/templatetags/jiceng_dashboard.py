from django import template

register = template.Library()


@register.filter
def indicator_url(indicator, area) -> str:
    return indicator.url(area) if indicator.url else ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def column_label(columns, index: int) -> str:
    """The label of the indicator in column `index`, for a cell shown as a card."""
    return str(columns[index].label)
