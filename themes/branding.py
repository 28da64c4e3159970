"""The brand name of the default site, for places without a request (e-mails, PDFs, tasks)."""

from wagtail.models import Site

from themes.models import BrandingSettings


def site_name() -> str:
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        return ""
    return BrandingSettings.for_site(site).t_site_name


def primary_colour() -> str:
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    return BrandingSettings.for_site(site).primary_colour if site else ""
