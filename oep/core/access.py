"""Who may use each endpoint.

Every view declares its rule with one of the decorators below; ``enforce_access`` runs before
every request and refuses an endpoint that declares none (fail closed). The rule says which
roles may call the endpoint at all; which *objects* a user may reach is decided by the
feature's scoped queries, which answer 404 for anything outside the user's reach.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import abort, current_app, request
from flask_login import current_user

from oep.extensions import login_manager

log = logging.getLogger(__name__)

ACCESS_ATTR = "oep_access"


@dataclass(frozen=True)
class AccessRule:
    public: bool = False
    #: Role values allowed; None means any signed-in user.
    roles: frozenset[str] | None = None

    def allows(self, user) -> bool:
        if self.public:
            return True
        if not user.is_authenticated:
            return False
        return self.roles is None or user.role.value in self.roles

    def __str__(self) -> str:
        if self.public:
            return "public"
        if self.roles is None:
            return "signed in"
        return " or ".join(sorted(self.roles))


PUBLIC = AccessRule(public=True)
SIGNED_IN = AccessRule()


def _mark(view, rule: AccessRule):
    setattr(view, ACCESS_ATTR, rule)
    return view


def public(view):
    """Anyone, signed in or not."""
    return _mark(view, PUBLIC)


def signed_in(view):
    """Any signed-in user, whatever the role."""
    return _mark(view, SIGNED_IN)


def roles_required(*roles):
    """Signed-in users with one of these roles (members of ``Role``)."""
    allowed = frozenset(getattr(r, "value", r) for r in roles)

    def decorator(view):
        return _mark(view, AccessRule(roles=allowed))

    return decorator


def access_rule_for(app, endpoint: str) -> AccessRule | None:
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    view = app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTR, None)


def enforce_access():
    endpoint = request.endpoint
    if endpoint is None:  # routing failed; Flask answers 404/405 itself
        return None
    rule = access_rule_for(current_app, endpoint)
    if rule is None:
        log.error("Endpoint %s declares no access rule; refusing it", endpoint)
        abort(403)
    if rule.public:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not rule.allows(current_user):
        abort(403)
    return None
