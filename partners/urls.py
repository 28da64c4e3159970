from partners.views import applications, console

app_name = "partners"

urlpatterns = [*applications.urlpatterns, *console.urlpatterns]
