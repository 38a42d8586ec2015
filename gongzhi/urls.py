from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from gongzhi.assembly.urls import public_urlpatterns as public_votes
from gongzhi.core import views as core_views
from gongzhi.people import views as people_views
from gongzhi.site import views as site_views
from gongzhi.workorders import qr_views
from gongzhi.workorders.open311 import discovery_urlpatterns as open311_discovery

from .api import api

admin.site.site_header = "共治 Gongzhi 管理后台"

# JSON under /api/, the site's pages elsewhere (gongzhi/core/error_views.py)
handler400 = "gongzhi.core.error_views.bad_request"
handler403 = "gongzhi.core.error_views.permission_denied"
handler404 = "gongzhi.core.error_views.page_not_found"
handler500 = "gongzhi.core.error_views.server_error"


def _superuser_only(request):
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superuser_only  # type: ignore[method-assign]

urlpatterns = [
    path("", site_views.home, name="home"),
    path("public/<int:pk>/", site_views.public_board, name="public_board"),
    path("r/<str:token>/", qr_views.qr_intake, name="qr_intake"),  # a building's QR code (扫码反映问题)
    path("activity/", site_views.my_actions, name="my_actions"),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", core_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/activate/", people_views.activate_account, name="activate_account"),
    path("accounts/password/reset/", people_views.password_reset_request, name="password_reset"),
    path("accounts/password/reset/confirm/", people_views.password_reset_confirm, name="password_reset_confirm"),
    path("accounts/tokens/", people_views.api_tokens, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", people_views.api_token_revoke, name="api_token_revoke"),
    path("audit/", core_views.audit, name="audit"),
    path("audit/export.xlsx", core_views.audit_export, name="audit_export"),
    path("large-text/", core_views.toggle_large_text, name="large_text"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("places/", include("gongzhi.places.urls")),
    path("people/", include("gongzhi.people.urls")),
    path("requests/", include("gongzhi.workorders.urls")),
    path("notices/", include("gongzhi.notices.urls")),
    path("votes/", include("gongzhi.assembly.urls")),
    path("meetings/", include("gongzhi.meetings.urls")),
    path("public/votes/", include((public_votes, "public_votes"))),
    path("open311/v2/", include("gongzhi.workorders.open311")),
    path("open311/", include(open311_discovery)),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
# No /media/ route, not even with DEBUG: uploads are served only by views that check who may see them and say
# what type they are (gongzhi/core/files.py); a static route would serve every photo to anyone, typed by its name.
