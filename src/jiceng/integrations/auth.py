"""How the JSON API knows a system calls: `Authorization: Bearer <token>`.

Tried before the session (jiceng.api): a request with a live token acts as the token's
system account for that request, with the token's territory and permissions (core.scope
decides what they let it see). Without the header the session decides, as for people.
"""

from ninja.security import HttpBearer

from jiceng.integrations.services import system_token_authenticate


class SystemTokenAuth(HttpBearer):
    openapi_description = "系统令牌：Authorization: Bearer jct_…（由区委组织部管理员创建）"

    def authenticate(self, request, token: str):
        user = system_token_authenticate(token, method=request.method, path=request.path)
        if user is None:
            return None
        request.user = user
        return user
