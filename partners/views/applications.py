"""Public application flow and partner directory (owned by the onboarding work)."""

urlpatterns = []
