from django.utils.functional import SimpleLazyObject

from jiceng.linkage.selectors import unread_count


def inbox(request) -> dict:
    """The unread count in the top bar of every page: one indexed count, and only when a
    template shows it (lazy), so a page without the top bar pays nothing."""
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
