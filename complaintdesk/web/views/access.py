from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from complaintdesk.accounts.models import MERCHANT_ROLES, Role


def role_required(*roles):
    """Logged in, with one of these roles; anyone else gets 403 (the page exists, it is not theirs)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


consumer_required = role_required(Role.CONSUMER)
merchant_required = role_required(*MERCHANT_ROLES)
regulator_required = role_required(Role.REGULATOR)


def home_url_for(user) -> str:
    if not user.is_authenticated:
        return "web:home"
    if user.role == Role.CONSUMER:
        return "web:my_complaints"
    if user.role in MERCHANT_ROLES:
        return "web:queue"
    if user.role == Role.REGULATOR:
        return "web:dashboard"
    return "web:home"
