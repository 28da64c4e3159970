"""Ratings and reviews: who may review, one review per organisation, replies, reports,
moderation, the listing's aggregate and the partner facts it reports.

One module because the tests share the review fixtures and check the same aggregate from each side
(write, reply, report, moderate).
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Organisation, Role
from catalog.models import ListingPage
from marketplace.models import Review, ReviewReply, ReviewReport
from marketplace.selectors import reviews as selectors
from marketplace.services import reviews as services
from partners.models import PartnerFact
from tests.factories.accounts import MembershipFactory, OrganisationFactory, UserFactory, buyer
from tests.factories.marketplace import give_usage, make_listing, make_review
from tests.unit.accounts.helpers import built_once_per_module, copies
from tests.unit.marketplace.conftest import make_vendor
from tests.unit.marketplace.helpers import en_reverse, url_of

pytestmark = pytest.mark.django_db

# The partner, its owner and its live listing built once for the module: each test runs in a
# savepoint and gets its own copies (the customers, reviews and staff are still made per test).
_vendor_built_once = built_once_per_module(make_vendor)


@pytest.fixture
def _vendor(_vendor_built_once):
    return copies(_vendor_built_once)


@pytest.fixture
def partner_owner(_vendor):
    return _vendor["partner_owner"]


@pytest.fixture
def partner(_vendor):
    return _vendor["partner"]


@pytest.fixture
def listing(_vendor):
    return _vendor["listing"]


def write(
    user, organisation, listing, rating=4, title="稳定好用", body="上线两周，全员都在用，客服响应也快。"
):
    return services.create_review(
        user=user, organisation=organisation, listing=listing, rating=rating, title=title, body=body
    )


def db_aggregate(listing):
    """The aggregate computed straight from the table, independently of the service."""
    published = Review.objects.filter(listing=listing, status=Review.Status.PUBLISHED)
    stats = published.aggregate(n=Count("pk"), avg=Avg("rating"))
    histogram = {str(star): published.filter(rating=star).count() for star in range(1, 6)}
    average = (
        Decimal(str(stats["avg"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if stats["n"] else None
    )
    return average, stats["n"], histogram


def stored_aggregate(listing):
    page = ListingPage.objects.get(pk=listing.pk)
    return page.rating_average, page.rating_count, page.rating_histogram


# --- eligibility ---
def test_customer_without_usage_is_refused_with_an_explanation(listing):
    user, organisation = buyer()
    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            write(user, organisation, listing)
        assert str(organisation) in exc.value.messages[0]
        assert "no trial or subscription" in exc.value.messages[0]
    assert not Review.objects.exists()


def test_customer_without_usage_sees_why_on_the_listing_page(client, listing):
    user, _organisation = buyer()
    client.force_login(user)
    response = client.get(url_of(listing, "en"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-review-gate" in html
    assert "has no trial or subscription of it yet" in html
    assert 'id="review-form"' not in html


def test_past_trial_allows_a_review_and_the_badge_says_how_long(client, listing, trial_customer):
    user, organisation = trial_customer
    review = write(user, organisation, listing)
    assert review.pk and review.status == Review.Status.PUBLISHED

    client.force_login(user)
    html = client.get(url_of(listing, "en")).content.decode()
    assert "Verified trial user · used for 14 days" in html


def test_subscriber_badge_counts_months(listing, subscriber):
    user, organisation = subscriber
    write(user, organisation, listing)
    span = selectors.usage_spans(listing_id=listing.pk, organisation_ids=[organisation.pk])[organisation.pk]
    assert span.subscribed
    with translation.override("en"):
        assert str(span.label) == "Verified customer · used for 8 months"


def test_overlapping_usages_are_counted_once(listing):
    _user, organisation = buyer()
    give_usage(listing, organisation, days_ago=100, ended_days_ago=86)  # 14-day trial
    give_usage(listing, organisation, kind="subscription", days_ago=90, ended_days_ago=30)  # overlaps it
    span = selectors.usage_spans(listing_id=listing.pk, organisation_ids=[organisation.pk])[organisation.pk]
    assert span.days == 70


def test_usage_starting_in_the_future_does_not_count(listing):
    user, organisation = buyer()
    give_usage(listing, organisation, days_ago=-5)
    with pytest.raises(ValidationError):
        write(user, organisation, listing)


def test_members_of_a_partner_organisation_cannot_review(listing, partner, partner_owner):
    give_usage(listing, partner.organisation)
    eligibility = selectors.review_eligibility(
        user=partner_owner, organisation=partner.organisation, listing=listing
    )
    assert not eligibility.allowed
    assert eligibility.reason == str(selectors.OWN_LISTING)


def test_anonymous_visitor_is_asked_to_log_in(client, listing):
    html = client.get(url_of(listing, "en")).content.decode()
    assert "Log in to review this listing." in html
    assert reverse("account_login") in html


# --- one review per organisation ---
def test_second_review_by_the_same_organisation_is_refused(listing, trial_customer):
    user, organisation = trial_customer
    write(user, organisation, listing)
    colleague = UserFactory()
    MembershipFactory(user=colleague, organisation=organisation, role=Role.MEMBER)
    with pytest.raises(ValidationError) as exc:
        write(colleague, organisation, listing, rating=1)
    assert exc.value.messages == [str(services.ALREADY_REVIEWED)]
    assert Review.objects.filter(listing=listing).count() == 1


def test_database_refuses_a_second_review_of_an_organisation(listing, trial_customer):
    user, organisation = trial_customer
    make_review(listing, organisation=organisation, author=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_review(listing, organisation=organisation, author=user, rating=2)


def test_write_url_of_an_already_reviewed_listing_edits_the_existing_review(client, listing, trial_customer):
    user, organisation = trial_customer
    review = write(user, organisation, listing, rating=3)
    client.force_login(user)
    response = client.post(
        en_reverse("marketplace:review-write", args=[listing.pk]),
        {"rating": "5", "title": "用久了更喜欢", "body": "三个月后再评价：报表越来越好用了，推荐。"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.rating, review.title) == (5, "用久了更喜欢")
    assert review.edited_at is not None
    assert Review.objects.filter(listing=listing).count() == 1


def test_posting_a_review_publishes_it_and_updates_the_listing(client, listing, trial_customer):
    user, _organisation = trial_customer
    client.force_login(user)
    response = client.post(
        en_reverse("marketplace:review-write", args=[listing.pk]),
        {
            "rating": "4",
            "title": "值得一试",
            "body": "试用两周，核心流程都跑通了，价格也合理。",
            "language": "zh-hans",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#reviews")
    assert stored_aggregate(listing) == (Decimal("4.00"), 1, {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0})


def test_invalid_review_form_explains_each_problem_and_saves_nothing(client, listing, trial_customer):
    user, _organisation = trial_customer
    client.force_login(user)
    response = client.post(
        en_reverse("marketplace:review-write", args=[listing.pk]),
        {"rating": "", "title": "", "body": "太短"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a rating from 1 to 5 stars." in html
    assert "Give your review a title." in html
    assert "at least 20 characters" in html
    assert not Review.objects.exists()


def test_htmx_review_errors_come_back_inline(client, listing, trial_customer):
    user, _organisation = trial_customer
    client.force_login(user)
    response = client.post(
        en_reverse("marketplace:review-write", args=[listing.pk]),
        {"rating": "9", "title": "x", "body": "这个产品真的非常非常好用，推荐给大家使用。"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<form")  # just the form, swapped in place
    assert 'id="review-form"' in html and "field-errors" in html


def test_htmx_review_success_reloads_the_page(client, listing, trial_customer):
    user, _organisation = trial_customer
    client.force_login(user)
    response = client.post(
        en_reverse("marketplace:review-write", args=[listing.pk]),
        {"rating": "5", "title": "很棒", "body": "这个产品真的非常非常好用，推荐给大家使用。"},
        headers={"HX-Request": "true"},
    )
    assert response["HX-Refresh"] == "true"
    assert Review.objects.count() == 1


# --- editing: author and organisation admins only; everyone else gets 404 ---
@pytest.fixture
def review_by_member(listing, trial_customer):
    """A review written by a plain member of an organisation that also has an owner."""
    _owner, organisation = trial_customer
    member = UserFactory()
    MembershipFactory(user=member, organisation=organisation, role=Role.MEMBER)
    return write(member, organisation, listing)


@pytest.mark.parametrize(
    "who, status",
    [
        ("author", 200),
        ("org_owner", 200),
        ("org_admin", 200),
        ("org_other_member", 404),
        ("other_customer", 404),
        ("partner_owner", 404),
        ("reviewer", 404),
    ],
)
def test_who_may_open_a_review_for_editing(
    client, review_by_member, trial_customer, partner_owner, reviewer, who, status
):
    organisation = review_by_member.organisation
    admin, other_member = UserFactory(), UserFactory()
    MembershipFactory(user=admin, organisation=organisation, role=Role.ADMIN)
    MembershipFactory(user=other_member, organisation=organisation, role=Role.MEMBER)
    users = {
        "author": review_by_member.author,
        "org_owner": trial_customer[0],
        "org_admin": admin,
        "org_other_member": other_member,
        "other_customer": buyer()[0],
        "partner_owner": partner_owner,
        "reviewer": reviewer,
    }
    client.force_login(users[who])
    url = en_reverse("marketplace:review-edit", args=[review_by_member.public_id])
    assert client.get(url).status_code == status
    response = client.post(
        url, {"rating": "1", "title": "改掉", "body": "别人的评价不能被改掉，这里只是尝试一下。"}
    )
    assert response.status_code == (302 if status == 200 else 404)
    review_by_member.refresh_from_db()
    assert (review_by_member.rating == 1) == (status == 200)


def test_anonymous_edit_goes_to_login(client, review_by_member):
    response = client.get(en_reverse("marketplace:review-edit", args=[review_by_member.public_id]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_deleting_someone_elses_review_is_404_and_keeps_it(client, review_by_member):
    client.force_login(buyer()[0])
    response = client.post(en_reverse("marketplace:review-delete", args=[review_by_member.public_id]))
    assert response.status_code == 404
    assert Review.objects.filter(pk=review_by_member.pk).exists()


# --- replies ---
def test_partner_replies_publicly_once(client, listing, trial_customer, partner_owner):
    review = write(*trial_customer, listing)
    client.force_login(partner_owner)
    url = en_reverse("marketplace:review-reply", args=[review.public_id])
    assert client.post(url, {"body": "感谢您的评价！"}).status_code == 302
    second = client.post(url, {"body": "再回复一次"})
    assert second.status_code == 400
    assert "already replied" in second.content.decode()
    assert ReviewReply.objects.filter(review=review).count() == 1
    assert "感谢您的评价！" in client.get(url_of(listing)).content.decode()


def test_htmx_reply_returns_the_review_with_its_reply(client, listing, trial_customer, partner_owner):
    review = write(*trial_customer, listing)
    client.force_login(partner_owner)
    response = client.post(
        en_reverse("marketplace:review-reply", args=[review.public_id]),
        {"body": "谢谢支持"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li class="review" id="review-{review.public_id}"')
    assert "Reply from" in html and "谢谢支持" in html


def test_database_allows_one_reply_per_review(listing, trial_customer, partner):
    review = make_review(listing, organisation=trial_customer[1])
    ReviewReply.objects.create(review=review, partner=partner, body="一")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewReply.objects.create(review=review, partner=partner, body="二")


@pytest.mark.parametrize("who", ["customer", "partner_member", "other_partner_owner"])
def test_only_the_listing_partners_owner_or_admin_can_reply(client, listing, trial_customer, partner, who):
    from tests.factories.partners import provisioned_partner

    review = write(*trial_customer, listing)
    member = UserFactory()
    MembershipFactory(user=member, organisation=partner.organisation, role=Role.MEMBER)
    other_owner = UserFactory()
    provisioned_partner(owner=other_owner)
    user = {"customer": trial_customer[0], "partner_member": member, "other_partner_owner": other_owner}[who]
    client.force_login(user)
    response = client.post(
        en_reverse("marketplace:review-reply", args=[review.public_id]), {"body": "冒名回复"}
    )
    assert response.status_code == 404
    assert not ReviewReply.objects.exists()


# --- reports and moderation ---
def test_anyone_logged_in_reports_a_review_once(client, listing, trial_customer):
    review = write(*trial_customer, listing)
    someone = UserFactory()
    client.force_login(someone)
    url = en_reverse("marketplace:review-report", args=[review.public_id])
    assert client.post(url, {"reason": "spam", "details": "广告"}).status_code == 302
    again = client.post(url, {"reason": "offensive"})
    assert again.status_code == 400 and "already reported" in again.content.decode()
    report = ReviewReport.objects.get()
    assert (report.reporter, report.reason) == (someone, "spam")
    assert "You reported this review." in client.get(url_of(listing, "en")).content.decode()


def test_report_needs_a_reason(client, listing, trial_customer):
    review = write(*trial_customer, listing)
    client.force_login(UserFactory())
    response = client.post(en_reverse("marketplace:review-report", args=[review.public_id]), {})
    assert response.status_code == 400 and "Choose a reason." in response.content.decode()
    assert not ReviewReport.objects.exists()


def test_anonymous_cannot_report(client, listing, trial_customer):
    review = write(*trial_customer, listing)
    response = client.post(
        en_reverse("marketplace:review-report", args=[review.public_id]), {"reason": "spam"}
    )
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not ReviewReport.objects.exists()


@pytest.mark.parametrize("staff", ["reviewer", "programme_manager", "superuser"])
def test_staff_hide_a_review_with_a_reason_and_it_leaves_page_and_aggregate(client, request, listing, staff):
    keep = write(*_eligible(listing), listing, rating=5, title="保留的评价")
    gone = write(*_eligible(listing), listing, rating=1, title="要隐藏的评价")
    ReviewReport.objects.create(review=gone, reporter=UserFactory(), reason="offensive")
    assert stored_aggregate(listing)[:2] == (Decimal("3.00"), 2)

    client.force_login(request.getfixturevalue(staff))
    response = client.post(
        en_reverse("marketplace:review-hide", args=[gone.public_id]), {"reason": "人身攻击"}
    )
    assert response.status_code == 302

    gone.refresh_from_db()
    assert gone.status == Review.Status.HIDDEN and gone.hidden_reason == "人身攻击"
    assert not gone.reports.filter(resolved_at__isnull=True).exists()
    assert stored_aggregate(listing) == (Decimal("5.00"), 1, {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1})
    html = client.get(url_of(listing)).content.decode()
    assert keep.title in html and "要隐藏的评价" not in html


def test_hiding_needs_a_reason(client, listing, reviewer):
    review = write(*_eligible(listing), listing)
    client.force_login(reviewer)
    response = client.post(en_reverse("marketplace:review-hide", args=[review.public_id]), {"reason": "  "})
    assert response.status_code == 400
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED


@pytest.mark.parametrize("who", ["customer", "partner_owner", "author"])
def test_non_staff_cannot_hide(client, listing, trial_customer, partner_owner, who):
    review = write(*trial_customer, listing)
    user = {"customer": buyer()[0], "partner_owner": partner_owner, "author": trial_customer[0]}[who]
    client.force_login(user)
    response = client.post(
        en_reverse("marketplace:review-hide", args=[review.public_id]), {"reason": "不喜欢"}
    )
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        services.hide_review(review=review, user=user, reason="不喜欢")
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED


def test_the_author_still_sees_their_hidden_review_with_the_reason(client, listing, trial_customer, reviewer):
    review = write(*trial_customer, listing)
    services.hide_review(review=review, user=reviewer, reason="包含个人电话号码")
    client.force_login(trial_customer[0])
    html = client.get(url_of(listing, "en")).content.decode()
    assert "Hidden by our moderators." in html and "包含个人电话号码" in html


def test_admin_moderation_queue_lists_reported_reviews_and_hides(client, listing, trial_customer, reviewer):
    review = write(*trial_customer, listing, title="被举报的评价")
    ReviewReport.objects.create(review=review, reporter=UserFactory(), reason="spam")
    client.force_login(reviewer)
    queue = client.get("/admin/review-moderation/")
    assert queue.status_code == 200 and "被举报的评价" in queue.content.decode()
    detail = client.get(f"/admin/review-moderation/{review.public_id}/")
    assert detail.status_code == 200
    response = client.post(f"/admin/review-moderation/{review.public_id}/hide/", {"reason": "垃圾广告"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.is_hidden and review.hidden_by == reviewer
    client.post(f"/admin/review-moderation/{review.public_id}/unhide/")
    review.refresh_from_db()
    assert not review.is_hidden
    assert stored_aggregate(listing)[1] == 1


def test_admin_moderation_is_404_for_others(client, listing, trial_customer):
    review = write(*trial_customer, listing)
    staff_without_role = UserFactory(is_staff=True)
    client.force_login(staff_without_role)
    assert client.get(f"/admin/review-moderation/{review.public_id}/").status_code in (302, 404)
    assert client.post(f"/admin/review-moderation/{review.public_id}/hide/", {"reason": "x"}).status_code in (
        302,
        404,
    )
    review.refresh_from_db()
    assert not review.is_hidden


# --- aggregates and facts ---
def _eligible(listing):
    user, organisation = buyer()
    give_usage(listing, organisation)
    return user, organisation


def test_aggregate_stays_exact_through_create_edit_hide_unhide_and_delete(listing, reviewer):
    reviews = [write(*_eligible(listing), listing, rating=r) for r in (5, 4, 4, 2, 1, 5, 3)]
    assert stored_aggregate(listing) == db_aggregate(listing)
    assert stored_aggregate(listing)[0] == Decimal("3.43")

    services.update_review(
        review=reviews[3], user=reviews[3].author, rating=5, title="改好评", body="问题解决了，现在很满意。"
    )
    assert stored_aggregate(listing) == db_aggregate(listing)

    services.hide_review(review=reviews[4], user=reviewer, reason="不相关")
    assert stored_aggregate(listing) == db_aggregate(listing)
    assert stored_aggregate(listing)[1] == 6

    services.unhide_review(review=reviews[4], user=reviewer)
    assert stored_aggregate(listing) == db_aggregate(listing)

    services.delete_review(review=reviews[0], user=reviews[0].author)
    assert stored_aggregate(listing) == db_aggregate(listing)
    assert stored_aggregate(listing)[1] == 6

    for review in reviews[1:]:
        services.delete_review(review=Review.objects.get(pk=review.pk), user=reviewer)
    assert stored_aggregate(listing) == (None, 0, {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0})


def test_aggregate_update_makes_no_page_revision(listing):
    revisions = listing.revisions.count()
    write(*_eligible(listing), listing)
    assert listing.revisions.count() == revisions


def test_publishing_a_new_revision_keeps_the_rating(listing):
    write(*_eligible(listing), listing, rating=2)
    page = ListingPage.objects.get(pk=listing.pk)
    page.tagline = "新的标语"
    page.save_revision().publish()
    assert stored_aggregate(listing)[:2] == (Decimal("2.00"), 1)


def test_batch_recompute_matches_the_single_one(partner):
    first, second = make_listing(partner), make_listing(partner)
    for listing, ratings in ((first, (5, 3)), (second, (1,))):
        for rating in ratings:
            make_review(listing, rating=rating)
    assert services.recompute_listing_ratings(listing_ids=[first.pk, second.pk]) == 2
    assert (
        stored_aggregate(first)
        == db_aggregate(first)
        == (Decimal("4.00"), 2, {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1})
    )
    assert stored_aggregate(second) == db_aggregate(second)


def test_rating_facts_are_reported_for_the_partner_across_its_listings(partner, reviewer):
    first, second = make_listing(partner), make_listing(partner)
    write(*_eligible(first), first, rating=5)
    write(*_eligible(first), first, rating=4)
    hidden = write(*_eligible(second), second, rating=1)
    month = timezone.localdate().replace(day=1)

    def fact(slug):
        return PartnerFact.objects.get(partner=partner, metric__slug=slug, month=month)

    assert fact("review_count").value == 3
    assert fact("avg_rating").value == Decimal("3.33")
    assert fact("avg_rating").source == "marketplace"

    services.hide_review(review=hidden, user=reviewer, reason="刷评")
    assert fact("review_count").value == 2
    assert fact("avg_rating").value == Decimal("4.50")


def test_facts_can_be_reported_for_a_given_month(listing):
    make_review(listing, rating=4)
    services.recompute_listing_rating(listing_id=listing.pk, month=date(2026, 3, 17))
    fact = PartnerFact.objects.get(partner=listing.partner, metric__slug="avg_rating", month=date(2026, 3, 1))
    assert fact.value == Decimal("4.00")


# --- output safety ---
def test_review_text_is_escaped(client, listing, trial_customer, partner_owner):
    review = write(
        *trial_customer,
        listing,
        title='<script>alert("t")</script>',
        body='<script>alert("b")</script><img src=x onerror=alert(1)> 这是一个测试评价内容',
    )
    services.reply_to_review(review=review, user=partner_owner, body="<b>谢谢</b><script>alert(3)</script>")
    html = client.get(url_of(listing)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;b&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;谢谢&lt;/b&gt;" in html


def test_customer_kind_is_required_even_with_usage(listing):
    user = UserFactory()
    organisation = OrganisationFactory(kind=Organisation.Kind.PARTNER)
    MembershipFactory(user=user, organisation=organisation, role=Role.OWNER)
    give_usage(listing, organisation)
    with pytest.raises(ValidationError) as exc:
        write(user, organisation, listing)
    assert exc.value.messages == [str(selectors.NOT_A_CUSTOMER)]
