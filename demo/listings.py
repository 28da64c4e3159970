"""Writes the demo listings (``demo.catalog`` calls :func:`seed_listings` after the category tree).

Pages go into Wagtail's tree as ``add_child`` puts them (``demo.pages.NewChildren``: the same rows,
without validating each built page again), their child rows in bulk, then get their
revision and are published by ``demo.pages.publish_new`` (what ``save_revision().publish()``
leaves, in two writes); Wagtail's admin index and ``catalog.search`` take them in bulk, the
reference index in one insert; versions and usages are bulk-inserted.
Workflow notifications are not mailed while seeding.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, DecimalField, Q
from django.test.utils import override_settings
from django.utils import timezone
from modelcluster.models import ClusterableModel, get_all_child_m2m_relations, get_all_child_relations
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, ReferenceIndex, TaskState
from wagtail.rich_text import RichText
from wagtail.signal_handlers import disable_reference_index_auto_update

from accounts.models import Membership, Organisation, Role, User
from catalog.models import (
    Category,
    ListingPage,
    ListingPlan,
    ListingScreenshot,
    ListingUsage,
    ListingVersion,
    UsageKind,
)
from catalog.selectors.review import reviewer_task_ids
from catalog.services.review import REVIEWERS_GROUP
from demo.accounts import demo_login
from demo.base import SeedContext
from demo.listing_specs import ListingSpec, PartnerRef, State, Taxonomy, listing_specs
from demo.media import LOGO_SIZE, PALETTE, SCREENSHOT_SIZE, gradient_png, initials, make_images
from demo.pages import NewChildren, bulk_publishing, publish_new
from partners.models import Industry, Partner, PartnerPage, PartnerWorkspace, Region

LISTINGS = {"small": 160, "large": 400}
CHANGES_REQUESTED_COMMENT = (
    "请补充英文描述，并把截图换成最新版本的界面。\n"
    "Please add an English description and replace the screenshots with the current interface."
)


def quiet_mail():
    """Wagtail mails reviewers and submitters about workflow steps; the seed mails no one."""
    return override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")


# --- inputs -----------------------------------------------------------------------------------
def partner_refs() -> list[PartnerRef]:
    rows = (
        Partner.objects.filter(page__isnull=False)
        .select_related("organisation", "tier")
        .order_by("organisation__slug")
    )
    return [
        PartnerRef(
            id=p.pk,
            kind=p.kind,
            rank=p.tier.rank if p.tier else 0,
            slug=p.organisation.slug,
            website=(p.organisation.website or f"https://{p.organisation.slug}.example.com").rstrip("/"),
            name=p.organisation.name,
            name_en=p.organisation.name_en,
        )
        for p in rows
    ]


def taxonomy() -> Taxonomy:
    children: dict[str, list] = {}
    names = {}
    for category in Category.objects.select_related("parent").order_by("position", "slug"):
        if category.parent is None:
            names[category.slug] = (category.name, category.name_en)
            children.setdefault(category.slug, [])
        else:
            children.setdefault(category.parent.slug, []).append(
                (category.slug, category.description, category.description_en)
            )
    return Taxonomy(
        children=children,
        names=names,
        industries=list(Industry.objects.order_by("position", "slug").values_list("slug", "name", "name_en")),
        regions=list(Region.objects.order_by("position", "code").values_list("code", flat=True)),
    )


def customer_ids() -> list[int]:
    """Customer organisations, the demo customer login's first."""
    demo = Membership.objects.filter(user__email=demo_login("customer").email).values_list(
        "organisation_id", flat=True
    )
    rows = list(
        Organisation.objects.filter(kind=Organisation.Kind.CUSTOMER)
        .order_by("slug")
        .values_list("pk", flat=True)
    )
    first = [pk for pk in demo if pk in rows][:1]
    return first + [pk for pk in rows if pk not in first]


def flagship_id(ctx: SeedContext) -> int | None:
    return ctx.registry.get("partners.flagship") or (
        Partner.objects.filter(organisation__memberships__user__email=demo_login("partner").email)
        .values_list("pk", flat=True)
        .first()
    )


def reviewer() -> User | None:
    return (
        User.objects.filter(email=demo_login("reviewer").email).first()
        or User.objects.filter(groups__name=REVIEWERS_GROUP).order_by("pk").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )


# --- seed ---------------------------------------------------------------------------------------
def seed_listings(ctx: SeedContext) -> dict[str, int]:
    partners = partner_refs()
    if not partners:
        return {"listings": 0}
    total = LISTINGS["large" if ctx.large else "small"]
    specs = listing_specs(
        ctx.rng("catalog.listings"),
        total=total,
        partners=partners,
        taxonomy=taxonomy(),
        customers=customer_ids(),
        flagship_id=flagship_id(ctx),
    )
    existing = dict(ListingPage.objects.filter(slug__in=[s.slug for s in specs]).values_list("slug", "pk"))
    new_specs = [s for s in specs if s.slug not in existing]
    writer = _Writer(partners)
    created = {}
    # Each plan, screenshot and tag saved would rebuild its page's references: build them once.
    # Wagtail's admin index and the catalogue index take the new pages in bulk at the end.
    with disable_reference_index_auto_update(), bulk_publishing(ListingPage):
        for n, spec in enumerate(new_specs, start=1):
            created[spec.slug] = writer.create(spec)
            ctx.progress("listings", n, len(new_specs))
        writer.children.finish()
    index_references(list(created.values()))
    with quiet_mail():
        _review_states(ctx, [s for s in new_specs if s.state != State.LIVE], created)
    writer.backdate([s for s in new_specs if s.state in (State.LIVE, State.REVIEWED)], created)
    ctx.registry["catalog.listings"] = {**existing, **{slug: page.pk for slug, page in created.items()}}
    return {
        "listings": len(specs),
        "created": len(created),
        "live": ListingPage.objects.live().filter(slug__in=[s.slug for s in specs]).count(),
        "images": writer.images,
    }


class _Writer:
    def __init__(self, partners: list[PartnerRef]):
        ids = [p.id for p in partners]
        self.pages = {p.partner_id: p for p in PartnerPage.objects.filter(partner_id__in=ids)}
        root = Collection.get_first_root_node()
        collections = dict(
            PartnerWorkspace.objects.filter(partner_id__in=ids).values_list("partner_id", "collection_id")
        )
        by_id = Collection.objects.in_bulk(set(collections.values()))
        self.collections = {pid: by_id.get(cid, root) for pid, cid in collections.items()}
        self.root = root
        self.owners = dict(
            Membership.objects.filter(organisation__partner__in=ids, role=Role.OWNER)
            .order_by("pk")
            .values_list("organisation__partner", "user_id")
        )
        self.users = User.objects.in_bulk(set(self.owners.values()))
        self.categories = Category.objects.in_bulk(field_name="slug")
        self.industries = Industry.objects.in_bulk(field_name="slug")
        self.regions = Region.objects.in_bulk(field_name="code")
        self.partners = Partner.objects.in_bulk(ids)
        self.images = 0
        self.children = NewChildren()
        self.tags: dict[str, Tag] = {}  # by name: the tags the listings so far were given

    def owner(self, partner_id):
        return self.users.get(self.owners.get(partner_id))

    def _images(self, spec: ListingSpec):
        colours = PALETTE[spec.colours]
        letters = initials(spec.title_en)
        items = [
            (
                f"{spec.title_en} logo",
                f"{spec.slug}-logo.png",
                gradient_png(letters, colours, LOGO_SIZE),
                LOGO_SIZE,
            )
        ]
        for n in range(1, spec.screenshots + 1):
            png = gradient_png(
                letters, colours[::-1] if n % 2 else colours, SCREENSHOT_SIZE, caption=spec.title_en
            )
            items.append((f"{spec.title_en} screenshot {n}", f"{spec.slug}-{n}.png", png, SCREENSHOT_SIZE))
        images = make_images(
            items,
            collection=self.collections.get(spec.partner_id, self.root),
            user=self.owner(spec.partner_id),
        )
        self.images += len(images)
        return images[0], images[1:]

    def create(self, spec: ListingSpec) -> ListingPage:
        logo, shots = self._images(spec)
        page = ListingPage(
            title=spec.title,
            title_en=spec.title_en,
            slug=spec.slug,
            partner_id=spec.partner_id,
            listing_type=spec.listing_type,
            tagline=spec.tagline,
            tagline_en=spec.tagline_en,
            description=_stream(spec.description),
            description_en=_stream(spec.description_en),
            logo=logo,
            languages=spec.languages,
            deployment=spec.deployment,
            compatibility=spec.compatibility,
            support_email=spec.support_email,
            support_url=spec.support_url,
            support_hours=spec.support_hours,
            support_hours_en=spec.support_hours_en,
            documentation_url=spec.documentation_url,
            privacy_url=spec.privacy_url,
            terms_url=spec.terms_url,
            owner=self.owner(spec.partner_id),
            live=spec.state == State.LIVE,
        )
        page.categories = [self.categories[slug] for slug in spec.categories if slug in self.categories]
        page.industries = [self.industries[slug] for slug in spec.industries if slug in self.industries]
        page.regions = [self.regions[code] for code in spec.regions if code in self.regions]
        page.co_partners = [self.partners[pid] for pid in spec.co_partner_ids if pid in self.partners]
        page.plans = [ListingPlan(sort_order=n, **vars(plan)) for n, plan in enumerate(spec.plans)]
        page.screenshots = [
            ListingScreenshot(
                sort_order=n,
                image=image,
                caption=f"{spec.title} 界面 {n + 1}",
                caption_en=f"{spec.title_en}, screen {n + 1}",
            )
            for n, image in enumerate(shots)
        ]
        # A tag met before is handed over as itself: taggit looks up (and creates) only the rest.
        page.tags.add(*(self.tags.get(name, name) for name in spec.tags))
        self.tags.update((tag.name, tag) for tag in page.tags.all())
        # The child rows go in after the page, one insert per table, instead of the page's save's
        # commit of each relation (a read of the rows a new page cannot have yet, then an insert
        # per row, then a read of the rows just written for the revision's JSON).
        held, page._cluster_related_objects = page._cluster_related_objects, {}
        self.children.add(self.pages[spec.partner_id], page)
        insert_children(page, held)
        # As page.save_revision(user=owner).publish() (drafts: save_revision() only), in two writes.
        publish_new(page, user=self.owner(spec.partner_id), live=spec.state == State.LIVE)
        ListingVersion.objects.bulk_create(
            [
                ListingVersion(
                    listing=page,
                    version=v.version,
                    released_on=v.released_on,
                    notes=v.notes,
                    notes_en=v.notes_en,
                    created_by=self.owner(spec.partner_id),
                )
                for v in spec.versions
            ]
        )
        ListingUsage.objects.bulk_create(
            [
                ListingUsage(listing=page, organisation_id=org, kind=kind, started_on=start, ended_on=end)
                for org, kind, start, end in spec.usages
            ]
        )
        return page

    def backdate(self, specs: list[ListingSpec], created: dict[str, ListingPage]) -> None:
        """ "Last updated" = the latest version; first published = the first version."""
        tz = timezone.get_current_timezone()
        subscriptions = dict(  # active subscriptions per listing, one query for all
            ListingUsage.objects.filter(
                Q(ended_on__isnull=True) | Q(ended_on__gte=timezone.localdate()),
                listing__in=[created[spec.slug].pk for spec in specs],
                kind=UsageKind.SUBSCRIPTION,
            )
            .order_by()
            .values("listing")
            .annotate(n=Count("pk"))
            .values_list("listing", "n")
        )
        for spec in specs:
            page = created[spec.slug]
            latest = datetime.combine(spec.versions[0].released_on, time(10), tzinfo=tz)
            first = datetime.combine(spec.versions[-1].released_on, time(10), tzinfo=tz)
            # One row at a time, in this order: where the rows land in the tables decides the order
            # in which later seeders (the catalogue facts) read them, so their ids. Each table
            # directly (an update of both through ListingPage first reads the ids it covers).
            Page.objects.filter(pk=page.pk).update(
                first_published_at=first, last_published_at=max(latest, first)
            )
            ListingPage.objects.filter(pk=page.pk).update(
                last_updated_at=latest, active_subscriptions=subscriptions.get(page.pk, 0)
            )


def index_references(pages: list[Page]) -> None:
    """``ReferenceIndex.create_or_update_for_object(page)`` for each of ``pages``, new pages of one
    model: the same rows (what Wagtail extracts from each page), in one insert instead of a read of
    the page's rows (a new page has none) and an insert per page. Pages that do have rows (a
    database that reuses deleted ids) go through Wagtail's method."""
    if not pages:
        return
    model = type(pages[0])
    content_types = [
        ContentType.objects.get_for_model(m, for_concrete_model=False)
        for m in [model, *model._meta.get_parent_list()]
    ]
    indexed = set(
        ReferenceIndex.objects.filter(
            base_content_type=content_types[-1], object_id__in=[str(page.pk) for page in pages]
        ).values_list("object_id", flat=True)
    )
    rows = []
    for page in pages:
        if str(page.pk) in indexed:
            ReferenceIndex.create_or_update_for_object(page)
            continue
        for to_type, to_id, model_path, content_path in set(
            ReferenceIndex._extract_references_from_object(page)
        ):
            rows.append(
                ReferenceIndex(
                    content_type=content_types[0],
                    base_content_type=content_types[-1],
                    object_id=page.pk,
                    to_content_type_id=to_type,
                    to_object_id=to_id,
                    model_path=model_path,
                    content_path=content_path,
                    content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
                )
            )
    ReferenceIndex.objects.bulk_create(rows, ignore_conflicts=connection.features.supports_ignore_conflicts)


def insert_children(page: ClusterableModel, held: dict[str, list]) -> None:
    """Write the child rows and many-to-many links ``held`` back from a page just inserted (which
    has none yet), as modelcluster's commit on its save would: the same rows, inserted in the same
    order per table. Then put them back on the page as its in-memory relations (with their ids,
    every relation it does not hold empty), so that its revision's JSON is made without reading
    them again — the values as the database returns them (decimals to their places)."""
    for rel in get_all_child_relations(page):
        items = held.setdefault(rel.get_accessor_name(), [])
        for item in items:
            setattr(item, rel.field.name, page)
        if items:
            rel.related_model._default_manager.bulk_create(items)
            _as_stored(items)
    for field in get_all_child_m2m_relations(page):
        targets = held.setdefault(field.name, [])
        through = field.remote_field.through
        source, target_ = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        ids = set()  # Django's ManyRelatedManager.add: the targets' ids as a set, in its order
        for target in targets:
            ids.add(target.pk)
        links = [through(**{source: page.pk, target_: pk}) for pk in ids.difference(())]
        if links:
            through._default_manager.bulk_create(links)
    page._cluster_related_objects = held


def _as_stored(items: list) -> None:
    decimals = [f for f in items[0]._meta.concrete_fields if isinstance(f, DecimalField)]
    for item in items:
        for field in decimals:
            value = getattr(item, field.attname)
            if value is not None:
                places = Decimal(1).scaleb(-field.decimal_places)
                setattr(item, field.attname, Decimal(value).quantize(places))


def _stream(blocks):
    return [(kind, RichText(value) if kind == "paragraph" else value) for kind, value in blocks]


def _review_states(ctx: SeedContext, specs: list[ListingSpec], created: dict[str, ListingPage]) -> None:
    """Submit through the workflow; reviewers approve or request changes. Timestamps are set so the
    queue has an order and the median review time a value."""
    staff = reviewer()
    if not specs or staff is None:
        return
    rng = ctx.rng("catalog.review-history")
    now = timezone.now()
    task_ids = reviewer_task_ids()
    submitted = [s for s in specs if s.state == State.SUBMITTED]
    # The flagship's submission sits between two others in the queue.
    flagship = flagship_id(ctx)
    submitted.sort(key=lambda s: (s.partner_id == flagship, s.slug))
    if len(submitted) >= 3:
        submitted = [submitted[0], submitted[-1], *submitted[1:-1]]
    queue_hours = {spec.slug: 30 - 10 * n for n, spec in enumerate(submitted)}
    for spec in [s for s in specs if s.state != State.SUBMITTED] + submitted:
        page = ListingPage.objects.get(pk=created[spec.slug].pk)
        owner = page.owner
        workflow = page.get_workflow()
        if workflow is None:
            continue
        state = workflow.start(page, owner)
        task_state = state.current_task_state
        if spec.state == State.REVIEWED and task_state and task_state.task_id in task_ids:
            task_state.specific.approve(user=staff)
            finished = now - timedelta(days=rng.randint(0, 27), hours=rng.randint(0, 12))
            started = finished - timedelta(hours=rng.randint(2, 96))
            TaskState.objects.filter(pk=task_state.pk).update(started_at=started, finished_at=finished)
        elif spec.state == State.CHANGES_REQUESTED and task_state and task_state.task_id in task_ids:
            task_state.specific.reject(user=staff, comment=CHANGES_REQUESTED_COMMENT)
            TaskState.objects.filter(pk=task_state.pk).update(
                started_at=now - timedelta(days=3), finished_at=now - timedelta(days=1)
            )
        elif spec.state == State.SUBMITTED and task_state and task_state.task_id in task_ids:
            started = now - timedelta(hours=queue_hours[spec.slug])
            TaskState.objects.filter(pk=task_state.pk).update(started_at=started)


def reset_listings(ctx: SeedContext) -> dict[str, int]:
    """Delete demo partners' listings (their images go with the partners' collections)."""
    demo = ListingPage.objects.filter(partner__organisation__website__endswith=".example.com")
    image_ids = set(demo.exclude(logo=None).values_list("logo_id", flat=True))
    image_ids |= set(ListingScreenshot.objects.filter(listing__in=demo).values_list("image_id", flat=True))
    page_ids = list(demo.values_list("pk", flat=True))
    Page.objects.filter(pk__in=page_ids).delete()
    get_image_model().objects.filter(pk__in=image_ids).delete()
    return {"listings": len(page_ids), "images": len(image_ids)}
