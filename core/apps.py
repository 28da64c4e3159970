from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.core.signals import request_finished, request_started

        from core.cache import end_request_reads, start_request_reads

        request_started.connect(start_request_reads, dispatch_uid="core.cache.start_request_reads")
        request_finished.connect(end_request_reads, dispatch_uid="core.cache.end_request_reads")

        from django.db.models.signals import m2m_changed, post_delete, post_save

        from core import fragments, reference_index

        post_save.connect(fragments.on_model_changed, dispatch_uid="core.fragments.saved")
        post_delete.connect(fragments.on_model_changed, dispatch_uid="core.fragments.deleted")
        m2m_changed.connect(fragments.on_m2m_changed, dispatch_uid="core.fragments.m2m")
        post_save.connect(reference_index.collect_saved, dispatch_uid="core.reference_index.saved")
        post_delete.connect(reference_index.collect_deleted, dispatch_uid="core.reference_index.deleted")

        from core import publishing

        publishing.connect_signal_handlers()  # admin-index receivers of FastPublish pages

        from django.test.signals import setting_changed

        setting_changed.connect(fragments.on_setting_changed, dispatch_uid="core.fragments.settings")
