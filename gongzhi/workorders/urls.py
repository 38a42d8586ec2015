from django.urls import path

from . import views

app_name = "workorders"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("whistles/", views.whistles, name="whistles"),
    path("rankings/", views.rankings, name="rankings"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:pk>/", views.level_edit, name="level_edit"),
    path("calendar/", views.calendar, name="calendar"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("<int:pk>/<str:verb>/", views.act, name="act"),
    path("whistles/<int:pk>/<str:verb>/", views.whistle_act, name="whistle_act"),
]
