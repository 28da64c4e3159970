"""drf-spectacular hooks: what the OpenAPI schema documents."""


def exclude_wagtail_admin_api(endpoints, **kwargs):
    """Leave Wagtail's internal admin API (/admin/api/...) out of Symbio's API schema."""
    return [endpoint for endpoint in endpoints if not endpoint[0].startswith("/admin/")]
