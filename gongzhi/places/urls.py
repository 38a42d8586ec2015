from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("households/", views.households, name="households"),
    path("divisions/", views.divisions, name="divisions"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/new/", views.create, name="create"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/export/<str:kind>.xlsx", views.export, name="export"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/template/<str:kind>.xlsx", views.import_template, name="import_template"),
]
