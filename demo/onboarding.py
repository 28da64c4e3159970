"""Demo onboarding: a partner page, group and collection for every demo partner, and
applications in every state for the review queue.

``seed(ctx)`` runs after ``demo.partners`` (which makes partners without pages) and before
``demo.catalog`` (whose listings become children of the partner pages). Idempotent: pages
and workspaces are only added where missing; applications are keyed by their applicant.
Decision emails are marked sent, so seeding never mails anyone.

Registry key set here: ``partners.applications`` — ``{state: application id}``.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone
from wagtail.models import Collection, Page

from accounts.models import User
from demo.accounts import PersonSpec, demo_login, upsert_users
from demo.base import SeedContext
from partners.models import (
    ApplicationDecision,
    Industry,
    Partner,
    PartnerApplication,
    PartnerKind,
    PartnerPage,
    PartnerWorkspace,
    Region,
)
from partners.services import onboarding, workspace

APPLICANT_DOMAIN = "applicants.example"  # removed by demo.accounts.reset with other demo people

# state, applicant (email local part, Chinese name), language, company (zh, en), kind, web slug
APPLICATIONS = (
    (
        "submitted",
        ("hu.yutong", "胡雨桐"),
        "zh-hans",
        ("杭州数智云科技有限公司", "Hangzhou DataWise Cloud"),
        PartnerKind.ISV,
        "datawise-cloud",
    ),
    (
        "more_info",
        ("luo.haifeng", "罗海峰"),
        "zh-hans",
        ("成都锦程实施服务有限公司", "Chengdu Jincheng Services"),
        PartnerKind.SERVICE,
        "jincheng-services",
    ),
    (
        "resubmitted",
        ("song.jiaqi", "宋佳琪"),
        "en",
        ("深圳极光开发者工作室", "Shenzhen Aurora Dev Studio"),
        PartnerKind.DEVELOPER,
        "aurora-dev",
    ),
    (
        "approved",
        ("tang.chenxi", "唐晨曦"),
        "en",
        ("苏州云帆渠道有限公司", "Suzhou Cloudsail Channel"),
        PartnerKind.CHANNEL,
        "cloudsail-channel",
    ),
    (
        "rejected",
        ("feng.mengqi", "冯梦琪"),
        "zh-hans",
        ("某某贸易公司", "Mouxiang Trading"),
        PartnerKind.SERVICE,
        "mouxiang-trading",
    ),
)
MESSAGES = {
    "more_info": (
        "请补充营业执照扫描件，以及两个近期的实施案例。\n"
        "Please add your business licence and two recent implementation references."
    ),
    "resubmitted": "Please describe your SDK support policy.",
    "approved": "欢迎加入 Symbio 合作伙伴计划！Welcome aboard.",
    "rejected": "你们的业务范围与本计划不符。Your business does not match the programme's scope.",
}
DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def seed(ctx: SeedContext) -> None:
    with ctx.section("Partner pages, groups and collections") as counts:
        counts.update(workspace.provision_workspaces(on_progress=ctx.progress))
    with ctx.section("Partner applications") as counts:
        ids = seed_applications(ctx)
        ctx.registry["partners.applications"] = ids
        counts["applications"] = len(ids)


def reset(ctx: SeedContext) -> None:
    """Remove demo partners' pages, groups and collections (before their organisations go)."""
    with ctx.section("Reset: partner pages and workspaces") as counts:
        demo = Partner.objects.filter(organisation__website__endswith=".example.com")
        workspaces = PartnerWorkspace.objects.filter(partner__in=demo)
        group_ids = list(workspaces.values_list("group_id", flat=True))
        collection_ids = list(workspaces.values_list("collection_id", flat=True))
        workspaces.delete()
        Group.objects.filter(pk__in=group_ids).delete()
        counts["groups"] = len(group_ids)
        Collection.objects.filter(pk__in=collection_ids).delete()
        page_ids = list(
            PartnerPage.objects.filter(Q(partner__in=demo) | Q(partner__isnull=True)).values_list(
                "pk", flat=True
            )
        )
        Page.objects.filter(pk__in=page_ids).delete()
        counts["pages"] = len(page_ids)


def _reviewer() -> User | None:
    return User.objects.filter(email=demo_login("reviewer").email).first()


def _fields(company, kind, web_slug, email, name, regions, industries, *, flagged_name=None):
    zh, en = company
    return {
        "company_name": flagged_name or zh,
        "company_name_en": en,
        "kind": kind,
        "contact_name": name,
        "contact_email": f"{email.split('@')[0]}@{web_slug}.example.com",
        "contact_phone": "+86 400 800 1234",
        "website": f"https://{web_slug}.example.com",
        "description": f"{zh}希望加入 Symbio 合作伙伴计划，为平台客户提供产品与服务。",
        "description_en": f"{en} would like to join the Symbio partner programme.",
        "regions": regions,
        "industries": industries,
    }


def _document(name="营业执照.pdf"):
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def _mark_emailed(application):
    # The seed never mails anyone: decision emails count as sent.
    ApplicationDecision.objects.filter(application=application, emailed_at=None).update(
        emailed_at=timezone.now()
    )


def seed_applications(ctx: SeedContext) -> dict[str, int]:
    rng = ctx.rng("partners.applications")
    people = [PersonSpec(f"{local}@{APPLICANT_DOMAIN}", name) for _s, (local, name), *_r in APPLICATIONS]
    people.append(PersonSpec(f"wei.zhang@{APPLICANT_DOMAIN}", "张伟"))  # the duplicate's applicant
    user_ids = upsert_users(ctx, people, label="applicants")
    reviewer = _reviewer()
    regions = list(Region.objects.order_by("position", "code")[:7])
    industries = list(Industry.objects.order_by("position", "slug"))
    ids = {}

    for state, (local, name), language, company, kind, web_slug in APPLICATIONS:
        email = f"{local}@{APPLICANT_DOMAIN}"
        applicant = User.objects.get(pk=user_ids[email])
        existing = PartnerApplication.objects.filter(applicant=applicant).first()
        if existing is not None:
            ids[state] = existing.pk
            continue
        fields = _fields(
            company,
            kind,
            web_slug,
            email,
            name,
            rng.sample(regions, min(2, len(regions))),
            rng.sample(industries, min(2, len(industries))),
        )
        application = onboarding.submit_application(
            applicant=applicant, language=language, documents=[_document()], **fields
        )
        if state in ("more_info", "resubmitted"):
            onboarding.request_more_information(
                application=application, reviewer=reviewer, message=MESSAGES[state]
            )
        if state == "resubmitted":
            fields["description_en"] += " We support our SDK for three years after each release."
            onboarding.resubmit_application(
                application=application,
                applicant=applicant,
                documents=[_document("SDK support policy.pdf")],
                **fields,
            )
        if state == "approved":
            onboarding.approve_application(
                application=application, reviewer=reviewer, message=MESSAGES[state]
            )
        if state == "rejected":
            onboarding.reject_application(application=application, reviewer=reviewer, message=MESSAGES[state])
        _mark_emailed(application)
        ids[state] = application.pk

    ids["duplicate"] = _seed_duplicate(ctx, user_ids[f"wei.zhang@{APPLICANT_DOMAIN}"], regions, industries)
    return ids


def _seed_duplicate(ctx, user_id, regions, industries) -> int:
    """A new application whose company name matches an existing partner (case and spaces aside)."""
    applicant = User.objects.get(pk=user_id)
    existing = PartnerApplication.objects.filter(applicant=applicant).first()
    if existing is not None:
        return existing.pk
    flagship_id = ctx.registry.get("partners.flagship")
    partner = Partner.objects.select_related("organisation").filter(pk=flagship_id).first() or (
        Partner.objects.select_related("organisation").order_by("pk").first()
    )
    name = partner.organisation.name if partner else "重复测试公司"
    name_en = (partner.organisation.name_en if partner else "Duplicate Test Co").upper()
    fields = _fields(
        (name, f"  {name_en}  "),
        PartnerKind.SERVICE,
        "duplicate-check",
        f"wei.zhang@{APPLICANT_DOMAIN}",
        "张伟",
        regions[:1],
        industries[:1],
        flagged_name=f" {name} ",
    )
    application = onboarding.submit_application(
        applicant=applicant, language="zh-hans", documents=[_document()], **fields
    )
    return application.pk
