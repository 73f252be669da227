from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def rate_percent(rates, name: str) -> str:
    """ "87.5%", or "—" when nothing was due (no denominator, no rate)."""
    value = rates.rate(name)
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def redact(text: str) -> str:
    from jiceng.core.masking import redact_personal

    return redact_personal(text)


@register.simple_tag(takes_context=True)
def appeal_sections(context) -> frozenset[str]:
    """`{% appeal_sections as sections %}`: the section's pages the viewer may open."""
    from jiceng.appeals.selectors import appeal_sections as sections_for

    return sections_for(context["request"].user)
