"""Pages answer a typed application error the way the API does: not found (or out of
scope, the same thing) is a 404 page, a refused action a 403 page."""

from django.http import Http404
from django.views import defaults

from jiceng.core.errors import NotFound, PermissionDenied


class ApplicationErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            return None  # the API's own handlers give the JSON error shape
        if isinstance(exception, NotFound):
            return defaults.page_not_found(request, Http404())
        if isinstance(exception, PermissionDenied):
            return defaults.permission_denied(request, exception)
        return None
