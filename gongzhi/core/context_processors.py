from .roles import MANAGING_ROLES, STAFF_ROLES
from .scope import user_roles


def gongzhi(request):
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    roles = user_roles(user) if authenticated else set()
    superuser = authenticated and user.is_superuser
    unread = 0
    if authenticated:
        from gongzhi.notices.models import Notification

        unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {
        "user_roles": roles,
        "unread_count": unread,
        "is_department": superuser or "department_liaison" in roles,
        "is_staff_user": superuser or bool(roles & STAFF_ROLES),
        "can_manage": superuser or bool(roles & MANAGING_ROLES),
        "large_text": request.COOKIES.get("gz_large") == "1",
    }
