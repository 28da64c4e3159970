"""Publishing many new Wagtail pages at once, for the seed.

``page.save_revision().publish()`` on a page just made by ``add_child`` validates the page
three times (each ``full_clean`` checks every foreign key with a query), reads the revision
back into a second copy of the page (a query per related object in its JSON), saves the page
and its child rows again and writes Wagtail's admin search entry three times: about 170
queries a listing. :func:`publish_new` leaves a new page exactly as that would (live, no
unpublished changes, its revision as the latest and the live one, first and last published
now, ``page_published`` sent) with the one revision insert and one update.

Inside :func:`bulk_publishing`, pages are not written into Wagtail's admin search index one
save at a time and ``catalog.search`` does not queue one index task per published listing:
at the end, the saved pages go into the admin index with one ``add_bulk`` per model and the
published listings into ``catalog.search`` with one task (after commit, as before).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.db.models.signals import post_save
from django.utils import timezone
from modelsearch.signal_handlers import post_save_signal_handler as modelsearch_on_save
from wagtail.log_actions import get_active_log_context
from wagtail.models import Page, PageLogEntry, Revision
from wagtail.search.backends import get_search_backends_with_name
from wagtail.signals import page_published

from catalog.models import ListingPage
from catalog.search import signals as search_signals
from catalog.search import tasks as search_tasks
from catalog.search.apps_ready import PUBLISHED_UID
from core.publishing import post_save_signal_handler as core_on_save


class BulkPublishing:
    def __init__(self):
        self.saved: dict[type, set[int]] = defaultdict(set)
        self.published_listings: set[int] = set()

    def _on_save(self, sender, instance, raw=False, **kwargs):
        if not raw:
            self.saved[type(instance)].add(instance.pk)

    def _on_published(self, sender, instance, **kwargs):
        self.published_listings.add(instance.pk)

    def flush(self) -> None:
        for model, ids in self.saved.items():
            objects = list(model.get_indexed_objects().filter(pk__in=ids))
            for _name, backend in get_search_backends_with_name(with_auto_update=True):
                backend.add_bulk(model, objects)
        if self.published_listings:
            search_tasks.enqueue_index(self.published_listings)


@contextmanager
def bulk_publishing(*models: type[Page]):
    """Defer the admin-index writes of ``models`` (and the catalogue index of published
    listings) to one bulk write each when the block ends without an error. Only receivers that
    were connected are deferred and put back (tests run with some of them off)."""
    bulk = BulkPublishing()
    deferred = {}  # model: its admin-index receiver (modelsearch's, or core.publishing.s)
    for model in models:
        for receiver in (modelsearch_on_save, core_on_save):
            if post_save.disconnect(receiver, sender=model):
                deferred[model] = receiver
    for model in deferred:
        post_save.connect(bulk._on_save, sender=model, weak=False)
    listings = ListingPage in models and page_published.disconnect(
        sender=ListingPage, dispatch_uid=PUBLISHED_UID
    )
    if listings:
        page_published.connect(bulk._on_published, sender=ListingPage, weak=False)
    try:
        yield bulk
    finally:
        for model, receiver in deferred.items():
            post_save.disconnect(bulk._on_save, sender=model)
            post_save.connect(receiver, sender=model)
        if listings:
            page_published.disconnect(bulk._on_published, sender=ListingPage)
            page_published.connect(
                search_signals.on_listing_published, sender=ListingPage, dispatch_uid=PUBLISHED_UID
            )
    bulk.flush()


def publish_new(page: Page, *, user=None, live: bool = True) -> Revision:
    """The first revision of ``page`` (just added with ``add_child``, so already validated),
    published when ``live`` — what ``page.save_revision(user=user).publish()`` leaves, without
    logging (as the seed calls them). A draft keeps ``live=False`` and unpublished changes."""
    revision = Revision.objects.create(
        content_object=page,
        base_content_type=page.get_base_content_type(),
        user=user,
        content=page.serializable_data(),
        object_str=str(page),
    )
    fields = {
        "latest_revision": revision,
        "latest_revision_created_at": revision.created_at,
        "draft_title": page.title,
        "has_unpublished_changes": not live,
    }
    if live:
        now = timezone.now()
        fields |= {
            "live": True,
            "expired": False,
            "live_revision": revision,
            "last_published_at": now,
            "first_published_at": page.first_published_at or now,
        }
    Page.objects.filter(pk=page.pk).update(**fields)
    for name, value in fields.items():
        setattr(page, name, value)
    if live:
        page_published.send(sender=type(page), instance=page, revision=revision)
    return revision


class NewChildren:
    """Adds new pages under existing ones as ``parent.add_child(instance=page)`` does, leaving the
    same rows: treebeard's path (the parent's next step), depth and ``numchild``, Wagtail's
    locale (the parent's), draft title, slug, URL path and the "wagtail.create" log entry.

    What ``add_child`` does per page that a seed of pages it built itself can spare: the parent
    read and locked and its last child read (here once per parent), the page's validation
    (``full_clean`` of a live page: a query per foreign key and three uniqueness queries; a
    draft's ``minimal_clean``), the parent read again for the locale, the site-root check (a new
    page's fresh translation key roots no site) and the log entry's own validation (three
    existence queries): ~17 of the ~25 statements a page. The log entries go in with one insert
    and ``numchild`` with one update per parent in :meth:`finish`, which must run before anything
    else logs or reads the parents' child counts.
    """

    def __init__(self):
        self._last: dict[int, str | None] = {}  # parent id → path of its last child so far
        self._added: Counter[int] = Counter()
        self._log: list[PageLogEntry] = []

    def add(self, parent: Page, page: Page) -> Page:
        if parent.pk not in self._last:
            node = type(parent).objects.select_for_update().get(pk=parent.pk)  # as treebeard
            parent.numchild, parent.path, parent.depth = node.numchild, node.path, node.depth
            self._last[parent.pk] = None if node.is_leaf() else node.get_last_child().path
        last = self._last[parent.pk]
        page.depth = parent.depth + 1
        page.path = (
            Page._get_path(parent.path, page.depth, 1) if last is None else Page(path=last)._inc_path()
        )
        self._last[parent.pk] = page.path
        self._added[parent.pk] += 1
        parent.numchild += 1
        page._cached_parent_obj = parent
        page.locale_id = parent.locale_id  # Page.get_default_locale: the parent's
        page._set_core_field_defaults()  # draft title (and a listing's Latin slug)
        page._is_site_root = False  # what Page.is_site_root() reads before asking the database
        page.save(clean=False, log_action=None)
        context = get_active_log_context()
        self._log.append(  # what Page.save logs for a new page (PageLogEntryManager.log_action)
            PageLogEntry(
                content_type=ContentType.objects.get_for_model(page, for_concrete_model=False),
                label=page.specific_deferred.get_admin_display_title(),
                action="wagtail.create",
                timestamp=timezone.now(),
                data={},
                user=page.owner or context.user,
                uuid=context.uuid,
                content_changed=True,
                page=page,
            )
        )
        return page

    def finish(self) -> None:
        PageLogEntry.objects.bulk_create(self._log)
        self._log = []
        for parent_id, added in self._added.items():
            Page.objects.filter(pk=parent_id).update(numchild=F("numchild") + added)
        self._added.clear()
