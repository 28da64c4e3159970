"""Links in e-mails: always on the one configured site address (``core.emails.site_url``)."""

from django import template

from core.emails import absolute_url, rebase_url

register = template.Library()


@register.filter
def site_absolute(target) -> str:
    """A page (its path in the site) or a URL/path, as an absolute URL on ``SITE_URL`` — never
    the Wagtail Site's hostname (``localhost``) nor the request's host."""
    if target is None or target == "":
        return ""
    get_url_parts = getattr(target, "get_url_parts", None)
    if get_url_parts is not None:
        parts = get_url_parts()
        return absolute_url(str(parts[2])) if parts else ""
    return rebase_url(str(target))
