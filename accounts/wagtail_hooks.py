"""Staff back office for people and organisations: organisations (with their members) and
invitations as snippets under one "Accounts" menu. What staff may do follows their Django
permissions (``accounts.roles``); invitations are view-only here (see ``admin_policies``)."""

from django.core.exceptions import PermissionDenied
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, Panel
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import InspectView, SnippetViewSet, SnippetViewSetGroup

from accounts.models import Invitation, Organisation
from accounts.selectors import members_of


def _members_html(organisation):
    rows = [(m.user, m.user.email, m.get_role_display()) for m in members_of(organisation)]
    if not rows:
        return format_html("<p>{}</p>", _("No members yet."))
    return format_html(
        '<table class="listing"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        _("Name"),
        _("Email"),
        _("Role"),
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
    )


class MembersPanel(Panel):
    """Read-only list of an organisation's members and roles. Membership changes go through
    the organisation's own owners and admins (invitations, role changes), which keep the
    rules such as "an organisation always keeps an owner"."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "accounts/admin/members_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["members"] = _members_html(self.instance) if self.instance.pk else None
            return context


class OrganisationInspectView(InspectView):
    def get_field_label(self, field_name, field):
        if field_name == "memberships":
            return _("Members")
        return super().get_field_label(field_name, field)

    def get_memberships_display_value(self):
        return _members_html(self.object)


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    list_display = ["name", "name_en", "kind", Column("slug", label=_("Slug")), DateColumn("created_at")]
    list_filter = ["kind"]
    search_fields = ["name", "name_en", "slug"]
    ordering = ["name"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = OrganisationInspectView
    inspect_view_fields = [
        "name",
        "name_en",
        "slug",
        "kind",
        "website",
        "country",
        "created_at",
        "memberships",
    ]
    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("name_en"), FieldPanel("slug"), FieldPanel("kind")],
            heading=_("Organisation"),
        ),
        MultiFieldPanel([FieldPanel("website"), FieldPanel("country")], heading=_("Details")),
        MembersPanel(heading=_("Members")),
    ]


class InvitationViewSet(SnippetViewSet):
    model = Invitation
    icon = "mail"
    menu_label = _("Invitations")
    list_display = [
        "email",
        "organisation",
        "role",
        Column("status", label=_("Status"), accessor="get_status_display"),
        DateColumn("created_at"),
        DateColumn("expires_at"),
    ]
    list_filter = ["role", "language"]
    search_fields = ["email", "organisation__name", "organisation__name_en"]
    ordering = ["-created_at"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "organisation",
        "email",
        "role",
        "language",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]


class AccountsViewSetGroup(SnippetViewSetGroup):
    items = (OrganisationViewSet, InvitationViewSet)
    menu_icon = "group"
    menu_label = _("Accounts")
    menu_name = "accounts"


register_snippet(AccountsViewSetGroup)


# --- what partner members see through Wagtail's generic views (accounts/admin_scope.py) ---------
@hooks.register("construct_page_chooser_queryset")
def narrow_page_chooser(pages, request):
    from accounts.admin_scope import page_chooser_queryset

    return page_chooser_queryset(pages, request)


@hooks.register("before_bulk_action")
def publish_only_through_the_workflow(request, action_type, objects, action_class_instance):
    """Bulk publishing pages skips the review workflow: only superusers may."""
    from wagtail.models import Page

    model = getattr(action_class_instance, "model", None)
    if (
        action_type == "publish"
        and model is not None
        and issubclass(model, Page)
        and not request.user.is_superuser
    ):
        raise PermissionDenied
