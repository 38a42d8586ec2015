from .matters_urls import urlpatterns as matters_urlpatterns

app_name = "meetings"
urlpatterns: list = [
] + matters_urlpatterns
