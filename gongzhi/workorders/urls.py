from django.urls import path

from . import qr_views, views

app_name = "workorders"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("whistles/", views.whistles, name="whistles"),
    path("export.xlsx", views.request_export, name="export"),
    path("rankings/", views.rankings, name="rankings"),
    path("rankings/export.xlsx", views.rankings_export, name="rankings_export"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/settings/", views.service_settings, name="settings"),
    path("catalogue/categories/new/", views.category_new, name="category_new"),
    path("catalogue/categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("catalogue/categories/<int:pk>/<str:verb>/", views.category_active, name="category_active"),
    path("catalogue/<int:pk>/", views.level_edit, name="level_edit"),
    path("calendar/", views.calendar, name="calendar"),
    path("routing/", views.routing_rules, name="routing_rules"),
    path("routing/new/", views.routing_rule_new, name="routing_rule_new"),
    path("routing/<int:pk>/", views.routing_rule_edit, name="routing_rule_edit"),
    path("routing/<int:pk>/delete/", views.routing_rule_delete, name="routing_rule_delete"),
    path("qr/", qr_views.qr_sheets, name="qr_sheets"),
    path("qr/<int:pk>.pdf", qr_views.qr_pdf, name="qr_pdf"),
    path("duty/<int:org_pk>/", views.duty_roster, name="duty"),
    path("duty/<int:org_pk>/<int:pk>/<str:verb>/", views.duty_act, name="duty_act"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("<int:pk>/reveal-phone/", views.reveal_phone, name="reveal_phone"),
    path("<int:pk>/public/", views.set_public, name="set_public"),
    path("<int:pk>/locate/", views.locate, name="locate"),
    path("<int:pk>/<str:verb>/", views.act, name="act"),
    path("whistles/<int:pk>/<str:verb>/", views.whistle_act, name="whistle_act"),
]
