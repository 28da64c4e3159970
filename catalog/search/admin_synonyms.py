"""Wagtail admin: the search synonym and abbreviation dictionary (Snippets → Search synonyms).

Staff holding the ``catalog.*_searchsynonym`` permissions (Reviewers and Ecosystem admins hold
every catalog permission) list, add, edit and delete groups; a change applies to the next
search (``catalog.search.synonyms``).
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.views.snippets import SnippetViewSet

from catalog.models import SearchSynonym


class SearchSynonymViewSet(SnippetViewSet):
    model = SearchSynonym
    icon = "search"
    menu_label = _("Search synonyms")
    list_display = ["__str__", "note", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["terms", "note"]
    copy_view_enabled = False
    panels = [FieldPanel("terms"), FieldPanel("note"), FieldPanel("active")]
