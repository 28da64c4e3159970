"""Wagtail admin: tiers, recommendations, certifications, partner console (owned by the programme work).

One "Partner programme" menu group:

* Tier recommendations — ``/admin/programme/`` queue with approve / override, evaluation runs
  (``/admin/programme/runs/``, the "Run evaluation now" button and its progress);
* Tier history — ``/admin/programme_history/``;
* Tiers and criteria, Metrics, Certifications — snippets (``/admin/snippets/partners/…``).

Programme settings (grace period, reminder lead time) are a generic setting under Settings.
Snippet views use the model permissions (``partners.*_tier`` …), so reviewers, who hold no
``partners`` permission, see none of this.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.snippets.views.snippets import SnippetViewSet

from partners.admin_views.programme_views import RecommendationViewSet, TierHistoryViewSet
from partners.forms.programme import CertificationAdminForm
from partners.models import Certification, Metric, Tier


class TierViewSet(SnippetViewSet):
    model = Tier
    icon = "list-ol"
    menu_label = _("Tiers and criteria")
    list_display = ["__str__", "rank", "slug", Column("criteria_count", label=_("Criteria"))]
    list_filter = ["kind"]
    ordering = ["kind", "rank"]
    copy_view_enabled = False

    def get_queryset(self, request):
        from django.db.models import Count

        return Tier.objects.annotate(criteria_count=Count("criteria")).order_by("kind", "rank")


class MetricViewSet(SnippetViewSet):
    model = Metric
    icon = "decimal"
    menu_label = _("Metrics")
    list_display = ["slug", "name", "name_en", "unit", "source"]
    copy_view_enabled = False
    panels = [
        FieldRowPanel([FieldPanel("slug"), FieldPanel("unit"), FieldPanel("source")]),
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldPanel("description"),
        FieldPanel("count_metric"),
    ]


class CertificationViewSet(SnippetViewSet):
    model = Certification
    icon = "success"
    menu_label = _("Certifications")
    list_display = [
        "slug",
        "name",
        "name_en",
        "level",
        "validity_months",
        Column("kinds_display", label=_("Kinds")),
    ]
    list_filter = ["level"]
    search_fields = ["slug", "name", "name_en"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("slug"), FieldPanel("level"), FieldPanel("validity_months")]),
            FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
            FieldPanel("partner_kinds"),
        ],
        base_form_class=CertificationAdminForm,
    )


class ProgrammeGroup(ViewSetGroup):
    menu_label = _("Partner programme")
    menu_icon = "tasks"
    menu_order = 210
    items = (RecommendationViewSet, TierHistoryViewSet, TierViewSet, MetricViewSet, CertificationViewSet)


@hooks.register("register_admin_viewset")
def register_programme_viewsets():
    return ProgrammeGroup()
