"""Pages of the responsibility system (filled in by the modules below)."""

from django.http import HttpResponse


def home(request) -> HttpResponse:  # placeholder until the pages land
    return HttpResponse("")


def rectification_list(request) -> HttpResponse:
    return HttpResponse("")
