from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/reveal/<str:field>/", views.person_reveal, name="reveal"),
    path("new/<int:place_pk>/", views.person_create, name="create"),
    path("<int:pk>/positions/new/", views.position_create, name="position_create"),
    path("positions/<int:pk>/end/", views.position_end, name="position_end"),
    path("<int:pk>/homes/new/", views.home_add, name="home_add"),
    path("households/<int:place_pk>/members/new/", views.member_add, name="member_add"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/end/", views.member_end, name="member_end"),
    path("<int:pk>/account/new/", views.account_create, name="account_create"),
    path("<int:pk>/account/<str:move>/", views.account_move, name="account_move"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/new/<int:place_pk>/", views.organisation_create, name="organisation_create"),
]
