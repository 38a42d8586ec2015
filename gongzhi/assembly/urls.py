from django.urls import path

from . import views

app_name = "assembly"
urlpatterns = [
    path("", views.vote_list, name="list"),
    path("new/", views.vote_new, name="new"),
    path("<int:pk>/", views.vote_detail, name="detail"),
    path("<int:pk>/cast/", views.cast, name="cast"),
    path("<int:pk>/paper/", views.paper, name="paper"),
    path("<int:pk>/proxy/", views.proxy, name="proxy"),
    path("<int:pk>/<str:verb>/", views.organise, name="organise"),
]

public_urlpatterns = [
    path("<int:pk>/", views.public_vote, name="public"),
    path("<int:pk>/result.xlsx", views.public_result_xlsx, name="public_xlsx"),
    path("<int:pk>/attachment/", views.public_attachment, name="public_attachment"),
    path("compound/<int:pk>/", views.public_compound, name="public_compound"),
]
