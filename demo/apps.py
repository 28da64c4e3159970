from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo ecosystem (``seed_demo``, ``demo_logins``): the top layer; nothing imports it."""

    name = "demo"
    verbose_name = "Demo data"
