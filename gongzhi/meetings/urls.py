from django.urls import path

from . import views
from .matters_urls import urlpatterns as matters_urlpatterns

app_name = "meetings"
urlpatterns: list = [
    path("", views.meeting_list, name="list"),
    path("series/new/", views.series_new, name="series_new"),
    path("series/<int:pk>/", views.series_detail, name="series"),
    path("series/<int:pk>/members/<int:member_pk>/delegates/", views.member_delegates, name="delegates"),
    path("series/<int:pk>/<str:verb>/", views.series_act, name="series_act"),
    path("proposals/", views.proposals, name="proposals"),
    path("from-request/<int:pk>/", views.from_request, name="from_request"),
    path("flag-request/<int:pk>/", views.flag_request, name="flag_request"),
    path("topics/<int:pk>/<str:verb>/", views.topic_act, name="topic_act"),
    path("items/<int:pk>/link/", views.link_item, name="link_item"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/invitation.ics", views.invitation, name="ics"),
    path("<int:pk>/checkin/", views.checkin, name="checkin"),
    path("<int:pk>/checkin/qr.svg", views.checkin_qr, name="checkin_qr"),
    path("<int:pk>/minutes.docx", views.minutes_file, name="minutes"),
    path("<int:pk>/minutes/v<int:version>.docx", views.minutes_file, name="minutes_version"),
    path("<int:pk>/<str:verb>/", views.meeting_act, name="act"),
] + matters_urlpatterns
