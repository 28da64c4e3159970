from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.core.signals import request_finished, request_started

        from core.cache import end_request_reads, start_request_reads

        request_started.connect(start_request_reads, dispatch_uid="core.cache.start_request_reads")
        request_finished.connect(end_request_reads, dispatch_uid="core.cache.end_request_reads")
