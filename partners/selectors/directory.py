"""Read side of the partner directory (``/partners/``) and the partner profile pages.

Queries are bounded whatever the data size: one query for the page of partners (organisation,
tier and page joined), one each for their regions and industries, plus the filter form's
choices. Filters use ``EXISTS`` subqueries so a partner never appears twice.
"""

from datetime import date

import django_filters
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.i18n import is_english
from partners.models import (
    Certification,
    CertifiedPerson,
    Industry,
    Partner,
    PartnerFact,
    PartnerKind,
    Region,
    Tier,
)

# Reported monthly into the fact table by the incentives app (partners never import it).
STARS_METRIC = "delivery_stars"
# A rating older than this many months (before the first day of the month this many months
# back) no longer counts for the directory's stars filter. Setting: DIRECTORY_STARS_MAX_AGE_MONTHS.
STARS_MAX_AGE_MONTHS = 2


def stars_cutoff(today: date | None = None) -> date:
    """The oldest ``delivery_stars`` month the stars filter still reads."""
    from django.conf import settings

    today = today or timezone.localdate()
    age = getattr(settings, "DIRECTORY_STARS_MAX_AGE_MONTHS", STARS_MAX_AGE_MONTHS)
    index = today.year * 12 + today.month - 1 - age
    return date(index // 12, index % 12 + 1, 1)


class Sort:
    TIER = "tier"
    RATING = "rating"
    NAME = "name"
    CHOICES = [(TIER, _("Tier")), (RATING, _("Rating")), (NAME, _("Name"))]


# --- certifications ----------------------------------------------------------------------
def _valid_certifications_q(prefix: str, today: date) -> Q:
    """Certificates issued by ``today`` and not yet expired."""
    return Q(**{f"{prefix}issued_on__lte": today, f"{prefix}expires_on__gt": today})


def certification_choices():
    return [(c.slug, str(c)) for c in Certification.objects.all()]


def certified_people_count(partner_id: int) -> int:
    today = timezone.localdate()
    return CertifiedPerson.objects.filter(_valid_certifications_q("", today), partner_id=partner_id).count()


# --- the filter form ---------------------------------------------------------------------


def tier_choices():
    seen, choices = set(), []
    for tier in Tier.objects.order_by("rank", "slug"):
        if tier.slug not in seen:
            seen.add(tier.slug)
            choices.append((tier.slug, tier.t_name))
    return choices


class PartnerDirectoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    kind = django_filters.ChoiceFilter(
        choices=PartnerKind.choices, label=_("Partner kind"), empty_label=_("All")
    )
    tier = django_filters.ChoiceFilter(field_name="tier__slug", label=_("Tier"), empty_label=_("All"))
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(),
        to_field_name="code",
        method="filter_region",
        label=_("Region"),
        empty_label=_("All"),
    )
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.all(),
        to_field_name="slug",
        method="filter_industry",
        label=_("Industry"),
        empty_label=_("All"),
    )
    certification = django_filters.ChoiceFilter(
        method="filter_certification", label=_("Certification"), empty_label=_("All")
    )
    stars = django_filters.ChoiceFilter(
        method="filter_stars", label=_("Minimum delivery stars"), empty_label=_("Any")
    )
    sort = django_filters.ChoiceFilter(
        choices=Sort.CHOICES, method="filter_noop", label=_("Sort by"), empty_label=None
    )

    class Meta:
        model = Partner
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["tier"].extra["choices"] = tier_choices()
        self.filters["stars"].extra["choices"] = [
            (str(n), ngettext("%(count)d star or more", "%(count)d stars or more", n) % {"count": n})
            for n in range(1, 6)
        ]
        certifications = certification_choices()
        if certifications:
            self.filters["certification"].extra["choices"] = certifications
        else:
            # Not available yet: accept and ignore the parameter, show no field.
            del self.filters["certification"]

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(organisation__name__icontains=value)
            | Q(organisation__name_en__icontains=value)
            | Q(tagline__icontains=value)
            | Q(tagline_en__icontains=value)
        )

    def filter_region(self, queryset, name, value):
        through = Partner.regions.through
        return queryset.filter(Exists(through.objects.filter(partner=OuterRef("pk"), region=value)))

    def filter_industry(self, queryset, name, value):
        through = Partner.industries.through
        return queryset.filter(Exists(through.objects.filter(partner=OuterRef("pk"), industry=value)))

    def filter_certification(self, queryset, name, value):
        people = CertifiedPerson.objects.filter(
            _valid_certifications_q("", timezone.localdate()),
            partner=OuterRef("pk"),
            certification__slug=value,
        )
        return queryset.filter(Exists(people))

    def filter_stars(self, queryset, name, value):
        """The partner's latest ``delivery_stars`` fact, if not older than ``stars_cutoff``, is at
        least ``value`` (one subquery)."""
        latest = (
            PartnerFact.objects.filter(
                partner=OuterRef("pk"), metric__slug=STARS_METRIC, month__gte=stars_cutoff()
            )
            .order_by("-month")
            .values("value")[:1]
        )
        return queryset.alias(latest_stars=Subquery(latest)).filter(latest_stars__gte=int(value))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        sort = self.form.cleaned_data.get("sort") or Sort.TIER
        return sort_partners(queryset, sort)


def sort_partners(queryset, sort: str):
    name = (
        Coalesce(NullIf("organisation__name_en", Value("")), "organisation__name")
        if is_english()
        else F("organisation__name")
    )
    if sort == Sort.NAME:
        return queryset.order_by(name.asc(), "pk")
    # Ratings are reported later (marketplace); until then "rating" orders like "tier".
    return queryset.order_by(F("tier__rank").desc(nulls_last=True), name.asc(), "pk")


def directory_queryset():
    """Active partners with a live profile page, ready for listing."""
    return (
        Partner.objects.filter(status=Partner.Status.ACTIVE, page__live=True)
        .select_related("organisation", "tier", "page")
        .prefetch_related("regions", "industries")
    )


def directory_filterset(data=None) -> PartnerDirectoryFilter:
    # Always bound (an empty query is valid), so the default sort applies.
    return PartnerDirectoryFilter(data if data is not None else {}, queryset=directory_queryset())


def partner_profile(partner_id: int) -> Partner | None:
    """The active partner behind a profile page, with what the page shows, or None (a suspended
    partner's profile answers 404)."""
    partner = (
        Partner.objects.filter(pk=partner_id, status=Partner.Status.ACTIVE)
        .select_related("organisation", "tier")
        .prefetch_related("regions", "industries")
        .first()
    )
    if partner is not None:
        partner.certified_people_count = certified_people_count(partner.pk)
    return partner
