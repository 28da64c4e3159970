"""Partner-facing programme views: tier progress, certifications (owned by the programme work)."""

urlpatterns = []
