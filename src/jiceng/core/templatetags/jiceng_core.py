from django import template
from django.utils.html import format_html

from jiceng.core.views import large_text_on

register = template.Library()


@register.simple_tag(takes_context=True)
def words(context, standard, plain):
    """The words of a label: the plain ones in the large-text mode, the usual ones
    otherwise. Both ride along as data attributes, so the switch (static/jiceng/app.js)
    changes them in place; the page only ever holds the words on screen."""
    request = context.get("request")
    shown = plain if request is not None and large_text_on(request) else standard
    return format_html(
        '<span data-words-standard="{}" data-words-plain="{}">{}</span>', standard, plain, shown
    )


@register.simple_tag(takes_context=True)
def label(context, field, plain):
    """`{% label form.field _("plain words") %}`: the field's label with plain words."""
    return format_html(
        '<label for="{}">{}</label>', field.id_for_label, words(context, field.label, plain)
    )


@register.simple_tag(takes_context=True)
def page_link(context, param, number):
    """`?…` for page `number` under the query parameter `param`, the request's other
    parameters kept (a page with two lists pages each by its own parameter)."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()
