"""Short-lived search tokens: search text that may be personal (a name, a whole ID
number or phone) is sent by POST and kept in the session under a random token, and the
result pages carry only the token in their URL. Paging and the back button keep
working, and no access log, proxy log or browser history holds the text.

A token lives as long as the session (idle timeout and sign-out end it) and only the
last few are kept.
"""

import secrets

from django.http import HttpRequest

SESSION_KEY = "jiceng_search_tokens"
KEEP = 20


def search_token_create(request: HttpRequest, text: str) -> str:
    tokens: dict[str, str] = dict(request.session.get(SESSION_KEY, {}))
    token = secrets.token_urlsafe(9)
    tokens[token] = text
    # dicts keep insertion order: drop the oldest beyond KEEP.
    request.session[SESSION_KEY] = dict(list(tokens.items())[-KEEP:])
    return token


def search_token_text(request: HttpRequest, token: str | None) -> str | None:
    if not token:
        return None
    return request.session.get(SESSION_KEY, {}).get(token)
