"""Pages of 支部先议 matters and 民主听证 hearings (included in meetings/urls.py, namespace "meetings")."""

from django.urls import path

from . import matters_views as views

urlpatterns: list = [
    path("matters/", views.matter_index, name="matter_list"),
    path("matters/new/", views.matter_new, name="matter_new"),
    path("matters/<int:pk>/", views.matter_detail, name="matter_detail"),
    path("matters/<int:pk>/<slug:move>/", views.matter_move, name="matter_move"),
    path("hearings/new/", views.hearing_new, name="hearing_new"),
    path("hearings/<int:pk>/", views.hearing_detail, name="hearing_detail"),
    path("hearings/<int:pk>/<slug:move>/", views.hearing_move, name="hearing_move"),
    path("hearings/bids/<int:pk>/attachment", views.hearing_bid_file, name="hearing_bid_file"),
]
