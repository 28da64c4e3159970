from partners.views import applications, console, health

app_name = "partners"

urlpatterns = [*applications.urlpatterns, *console.urlpatterns, *health.urlpatterns]
