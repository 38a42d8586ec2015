"""Pages of 支部先议 matters and 民主听证 hearings (included in meetings/urls.py, namespace "meetings")."""

urlpatterns: list = []
