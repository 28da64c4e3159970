"""A partner's Wagtail workspace: its public page, its group and its image collection.

The group holds ``wagtailadmin.access_admin`` and *add + change* page permissions on the
partner's page subtree (never publish: members draft and submit, staff publish), plus add +
choose image permissions on the partner's collection. Every member of the partner
organisation is in the group; ``partners.signals`` keeps it so as memberships come and go.
Everything here is idempotent, so the seed can provision existing partners.
"""

import logging
import uuid

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page
from wagtail.search.backends import get_search_backends_with_name

from accounts.models import Membership
from partners.models import Partner, PartnerPage, PartnersIndexPage, PartnerWorkspace

logger = logging.getLogger(__name__)

DIRECTORY_MISSING = _("The partner directory page is missing, so the partner's page cannot be created.")

# --- permissions -----------------------------------------------------------------------
GROUP_NAME = "Partner: {slug}"
PAGE_PERMISSIONS = ("add_page", "change_page")  # never publish: staff approval publishes
COLLECTION_PERMISSIONS = ("add_image", "choose_image")
ADMIN_ACCESS = ("wagtailadmin", "access_admin")
BULK_BATCH = 500


def directory_page() -> PartnersIndexPage:
    index = PartnersIndexPage.objects.order_by("path").first()
    if index is None:
        raise ValidationError(DIRECTORY_MISSING, code="directory_missing")
    return index


def _is_free_path(path: str) -> bool:
    """True when ``path`` would reach Wagtail (no Django URL such as /partners/apply/ shadows it)."""
    with translation.override(settings.LANGUAGE_CODE):  # the unprefixed URLs
        try:
            match = resolve(path)
        except Resolver404:
            return True
    return match.url_name == "wagtail_serve"


def _page_slug(index, base: str, taken=None) -> str:
    """``base`` unless a sibling has it or a Django URL shadows ``/partners/<base>/``.

    ``taken`` (a set of sibling slugs, for bulk creation) replaces the query per candidate.
    """
    base = (base or "partner")[:70]
    site_path = "/".join(index.url_path.strip("/").split("/")[1:])  # "/home/partners/" -> "partners"

    def is_taken(slug):
        return slug in taken if taken is not None else index.get_children().filter(slug=slug).exists()

    slug, n = base, 2
    while is_taken(slug) or not _is_free_path(f"/{site_path}/{slug}/" if site_path else f"/{slug}/"):
        slug = f"{base}-{n}"
        n += 1
    return slug


def _create_partner_page(*, partner, index, publisher=None, owner=None, publish_revision=True) -> PartnerPage:
    organisation = partner.organisation
    # A page left without its partner (the partner was deleted and made again) is reused.
    page = PartnerPage.objects.child_of(index).filter(slug=organisation.slug, partner__isnull=True).first()
    if page is not None:
        page.partner, page.title, page.title_en = partner, organisation.name, organisation.name_en
        page.draft_title = page.title
        page.save(update_fields=["partner", "title", "draft_title", "title_en"])
        return page
    page = PartnerPage(
        title=organisation.name,
        title_en=organisation.name_en,
        slug=_page_slug(index, organisation.slug),
        partner=partner,
        owner=owner,
        live=True,
    )
    index.add_child(instance=page)
    if publish_revision:
        # Published by the approval itself: the reviewer need not hold page publish permission.
        page.save_revision(user=publisher).publish(user=publisher, skip_permission_checks=True)
    return page


def _workspace_permissions() -> dict[str, list[Permission]]:
    """What a workspace hands out, read in one query: ``access`` (the admin), ``pages`` (on the
    partner's page subtree) and ``images`` (on its collection)."""
    wanted = {
        "access": [ADMIN_ACCESS],
        "pages": [("wagtailcore", codename) for codename in PAGE_PERMISSIONS],
        "images": [("wagtailimages", codename) for codename in COLLECTION_PERMISSIONS],
    }
    pairs = [pair for group in wanted.values() for pair in group]
    query = Q(pk__in=[])
    for app_label, codename in pairs:
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = {
        (permission.content_type.app_label, permission.codename): permission
        for permission in Permission.objects.filter(query).select_related("content_type")
    }
    if len(found) != len(pairs):
        raise RuntimeError(f"Missing permissions: {pairs}; run migrate.")
    return {name: [found[pair] for pair in group] for name, group in wanted.items()}


def _grant_page_permissions(group, page, permissions, *, new_group=False):
    """The group holds admin access and exactly add + change on ``page``'s subtree. A group made
    just now holds nothing yet: its page permissions are inserted without looking first."""
    group.permissions.add(*permissions["access"])
    if new_group:
        GroupPagePermission.objects.bulk_create(
            [GroupPagePermission(group=group, page=page, permission=p) for p in permissions["pages"]]
        )
        return
    GroupPagePermission.objects.filter(group=group).exclude(
        page=page, permission__in=permissions["pages"]
    ).delete()
    for permission in permissions["pages"]:
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)


def _create_group(organisation, page, permissions) -> Group:
    group, created = Group.objects.get_or_create(name=GROUP_NAME.format(slug=organisation.slug)[:150])
    _grant_page_permissions(group, page, permissions, new_group=created)
    return group


def _create_collection(organisation, group, permissions) -> Collection:
    """A new collection under the root, on which ``group`` may add and choose images."""
    root = Collection.get_first_root_node()
    collection = root.add_child(name=GROUP_NAME.format(slug=organisation.slug)[:255])
    GroupCollectionPermission.objects.bulk_create(
        [
            GroupCollectionPermission(group=group, collection=collection, permission=permission)
            for permission in permissions["images"]
        ]
    )
    return collection


@transaction.atomic
def provision_partner_workspace(
    *, partner, publisher=None, owner=None, publish_revision: bool = True
) -> PartnerWorkspace:
    """Idempotently give ``partner`` its page, group and collection, and its members the group."""
    partner = Partner.objects.select_for_update().select_related("organisation").get(pk=partner.pk)
    organisation = partner.organisation
    page = PartnerPage.objects.filter(partner=partner).first()
    if page is None:
        page = _create_partner_page(
            partner=partner,
            index=directory_page(),
            publisher=publisher,
            owner=owner,
            publish_revision=publish_revision,
        )
    workspace = PartnerWorkspace.objects.filter(partner=partner).select_related("group", "collection").first()
    permissions = _workspace_permissions()
    if workspace is None:
        group = _create_group(organisation, page, permissions)
        collection = _create_collection(organisation, group, permissions)
        workspace = PartnerWorkspace.objects.create(partner=partner, group=group, collection=collection)
    else:
        _grant_page_permissions(workspace.group, page, permissions)
    member_ids = list(organisation.memberships.values_list("user_id", flat=True))
    workspace.group.user_set.add(*member_ids)
    return workspace


def provision_workspaces(*, partner_ids=None, on_progress=None) -> dict[str, int]:
    """Bulk and idempotent (for the seed): every partner without a page, group or collection
    gets them, and every member of a partner organisation is put in its group.

    Pages, groups, permissions and collections are written in batches (see
    :func:`_bulk_create_pages`), so 10,000 partners take seconds, not minutes.
    """
    partners = Partner.objects.all()
    if partner_ids is not None:
        partners = partners.filter(pk__in=list(partner_ids))
    counts = {"pages": 0, "workspaces": 0}

    index = directory_page()
    missing_pages = list(partners.filter(page__isnull=True).select_related("organisation").order_by("pk"))
    orphans = set(
        PartnerPage.objects.child_of(index).filter(partner__isnull=True).values_list("slug", flat=True)
    )
    # A page left without its partner is reused one by one (rare); the rest are made in bulk.
    for partner in [p for p in missing_pages if p.organisation.slug in orphans]:
        _create_partner_page(partner=partner, index=index, publish_revision=False)
    fresh = [p for p in missing_pages if p.organisation.slug not in orphans]
    for start in range(0, len(fresh), BULK_PAGES_BATCH):
        _bulk_create_pages(index, fresh[start : start + BULK_PAGES_BATCH])
        if on_progress:
            on_progress("partner pages", min(len(fresh), start + BULK_PAGES_BATCH), len(fresh))
    counts["pages"] = len(missing_pages)

    rows = list(
        partners.filter(workspace__isnull=True, page__isnull=False)
        .order_by("pk")
        .values_list("pk", "organisation__slug", "page__pk")
    )
    if rows:
        root = Collection.get_first_root_node()
        paths = _collection_paths(root, rows)
        for start in range(0, len(rows), BULK_BATCH):
            counts["workspaces"] += _bulk_workspaces(rows[start : start + BULK_BATCH], root, paths)
        Collection.objects.filter(pk=root.pk).update(numchild=_child_collections(root).count())
        if not _collections_in_order(root):
            # Collections keep their siblings ordered by name (treebeard ``node_order_by``). The
            # new ones were appended in name order, which is enough unless an older sibling
            # sorts after them; then let treebeard renumber the paths (slow: one UPDATE a node).
            Collection.fix_tree(fix_paths=True, parent=root)

    groups = PartnerWorkspace.objects.filter(partner__in=partners).values_list(
        "partner__organisation_id", "group_id"
    )
    group_of = dict(groups)
    links = [
        Group.user_set.through(user_id=user_id, group_id=group_of[org_id])
        for user_id, org_id in Membership.objects.filter(organisation_id__in=group_of).values_list(
            "user_id", "organisation_id"
        )
    ]
    Group.user_set.through.objects.bulk_create(links, batch_size=BULK_BATCH, ignore_conflicts=True)
    return counts


BULK_PAGES_BATCH = 1000


def _bulk_create_pages(index, partners) -> list[int]:
    """Live partner pages (no revision) under ``index`` for ``partners`` (organisation loaded),
    in a handful of queries instead of ~25 per page through ``add_child``.

    It does what ``add_child`` + ``Page.save`` do for a new page: the next materialised paths
    after the last child, a slug free among the siblings and not shadowed by a Django URL,
    ``url_path``, locale, ``draft_title``, a fresh ``translation_key``, the parent's
    ``numchild``, and the search index (in bulk). The reference index needs nothing: a
    partner page's fields reference no indexed object. The ``PartnerPage`` rows (the
    multi-table child Django's ``bulk_create`` refuses) are one ``executemany``.
    """
    if not partners:
        return []
    depth = index.depth + 1
    children = Page.objects.filter(depth=depth, path__startswith=index.path)
    taken = set(children.values_list("slug", flat=True))
    last = children.order_by("-path").values_list("path", flat=True).first()
    step = Page._str2int(last[-Page.steplen :]) if last else 0
    content_type = ContentType.objects.get_for_model(PartnerPage)
    rows = []  # (partner, page)
    for n, partner in enumerate(partners, start=1):
        organisation = partner.organisation
        slug = _page_slug(index, organisation.slug, taken)
        taken.add(slug)
        page = Page(
            title=organisation.name,
            draft_title=organisation.name,
            slug=slug,
            content_type=content_type,
            path=Page._get_path(index.path, depth, step + n),
            depth=depth,
            numchild=0,
            url_path=f"{index.url_path}{slug}/",
            locale_id=index.locale_id,
            translation_key=uuid.uuid4(),
            live=True,
            has_unpublished_changes=False,
        )
        rows.append((partner, page))
    Page.objects.bulk_create([page for _partner, page in rows])
    ids = dict(Page.objects.filter(path__in=[page.path for _p, page in rows]).values_list("path", "pk"))

    fields = PartnerPage._meta.local_concrete_fields  # the child table: page_ptr, partner, title_en
    quote = connection.ops.quote_name
    children_rows = []
    for partner, page in rows:
        child = PartnerPage(
            page_ptr_id=ids[page.path], partner=partner, title_en=partner.organisation.name_en
        )
        children_rows.append([f.get_db_prep_save(getattr(child, f.attname), connection) for f in fields])
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(PartnerPage._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in fields)}) VALUES ({', '.join(['%s'] * len(fields))})",
            children_rows,
        )
    Page.objects.filter(pk=index.pk).update(numchild=children.count())

    page_ids = list(ids.values())
    pages = list(PartnerPage.get_indexed_objects().filter(pk__in=page_ids))
    for name, backend in get_search_backends_with_name(with_auto_update=True):
        try:
            backend.add_bulk(PartnerPage, pages)
        except Exception:
            logger.exception("Could not add %s partner pages to the %r search backend", len(pages), name)
            if not backend.catch_indexing_errors:
                raise
    return page_ids


def _child_collections(root):
    return Collection.objects.filter(depth=root.depth + 1, path__startswith=root.path)


def _collection_paths(root, rows) -> dict[int, str]:
    """partner id → the path of its new collection: after the last child of ``root``, in the
    order of the collections' names, so the siblings stay sorted by name."""
    last = _child_collections(root).order_by("-path").values_list("path", flat=True).first()
    step = Collection._str2int(last[-Collection.steplen :]) if last else 0
    by_name = sorted(rows, key=lambda row: (GROUP_NAME.format(slug=row[1])[:150], row[0]))
    return {
        pk: Collection._get_path(root.path, root.depth + 1, step + n)
        for n, (pk, *_rest) in enumerate(by_name, 1)
    }


def _collections_in_order(root) -> bool:
    """Are ``root``'s children in path order also in name order (as the database sorts)?"""
    children = _child_collections(root)
    in_path_order = list(children.order_by("path").values_list("pk", flat=True))
    return in_path_order == list(children.order_by("name", "path").values_list("pk", flat=True))


def _bulk_workspaces(rows, root, paths) -> int:
    """Groups, permissions, collections and workspaces for (partner id, slug, page id) rows;
    ``paths`` gives each partner's collection path (:func:`_collection_paths`)."""
    names = {pk: GROUP_NAME.format(slug=slug)[:150] for pk, slug, _page in rows}
    existing = set(Group.objects.filter(name__in=names.values()).values_list("name", flat=True))
    Group.objects.bulk_create([Group(name=name) for name in names.values() if name not in existing])
    group_ids = dict(Group.objects.filter(name__in=names.values()).values_list("name", "pk"))

    permissions = _workspace_permissions()
    access, page_permissions, image_permissions = (
        permissions["access"][0],
        permissions["pages"],
        permissions["images"],
    )
    ids = list(group_ids.values())
    Group.permissions.through.objects.bulk_create(
        [Group.permissions.through(group_id=g, permission_id=access.pk) for g in ids], ignore_conflicts=True
    )
    GroupPagePermission.objects.filter(group_id__in=ids).delete()
    GroupPagePermission.objects.bulk_create(
        [
            GroupPagePermission(group_id=group_ids[names[pk]], page_id=page_id, permission=permission)
            for pk, _slug, page_id in rows
            for permission in page_permissions
        ]
    )

    # Collections: under the root, at the paths worked out for the whole run.
    Collection.objects.bulk_create(
        [Collection(name=names[pk], path=paths[pk], depth=root.depth + 1, numchild=0) for pk, *_rest in rows]
    )
    collection_ids = dict(
        Collection.objects.filter(path__in=[paths[pk] for pk, *_rest in rows]).values_list("path", "pk")
    )
    GroupCollectionPermission.objects.bulk_create(
        [
            GroupCollectionPermission(
                group_id=group_ids[names[pk]], collection_id=collection_ids[paths[pk]], permission=permission
            )
            for pk, *_rest in rows
            for permission in image_permissions
        ],
        ignore_conflicts=True,
    )
    PartnerWorkspace.objects.bulk_create(
        [
            PartnerWorkspace(
                partner_id=pk, group_id=group_ids[names[pk]], collection_id=collection_ids[paths[pk]]
            )
            for pk, *_rest in rows
        ]
    )
    return len(rows)


def workspace_for_organisation(organisation_id) -> PartnerWorkspace | None:
    return (
        PartnerWorkspace.objects.filter(partner__organisation_id=organisation_id)
        .select_related("group")
        .first()
    )


def sync_member_into_group(*, membership) -> bool:
    """A member of a partner organisation belongs to its group. True when a group was joined."""
    workspace = workspace_for_organisation(membership.organisation_id)
    if workspace is None:
        return False
    workspace.group.user_set.add(membership.user_id)
    return True


def remove_member_from_group(*, user_id, organisation_id) -> bool:
    workspace = workspace_for_organisation(organisation_id)
    if workspace is None:
        return False
    workspace.group.user_set.remove(user_id)
    return True
