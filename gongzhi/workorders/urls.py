urlpatterns = []
app_name = "workorders"
