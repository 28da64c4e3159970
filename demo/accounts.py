"""Demo people and organisations: the one-per-role demo logins, staff, customer organisations.

``DEMO_LOGINS`` is the single list of demo logins; ``seed_demo`` creates them, ``demo_logins``
prints them and the README documents them. The bulk helpers (``upsert_users``,
``upsert_organisations``, ``upsert_memberships``) are what higher apps' demo modules use to
make their own organisations and people.

Registry keys set here:
``accounts.customers`` — list of dicts ``{"id", "slug", "industry"}`` of customer organisations
(the demo customer's first); ``accounts.logins`` — ``{role: user id}``.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils.text import slugify

from accounts.mfa import enrol_totp
from accounts.models import Membership, Organisation, Role, User
from accounts.roles import STAFF_GROUPS
from demo.base import SeedContext, chunked, shuffled


class DemoLogin(NamedTuple):
    role: str  # "customer", "partner", or a key of accounts.roles.STAFF_GROUPS
    label: str  # English
    label_zh: str
    email: str
    display_name: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("customer", "Customer (organisation owner)", "客户（组织所有者）",
              "customer@symbio.demo", "陈静"),
    DemoLogin("partner", "Partner owner (Gold service partner)", "伙伴所有者（金牌服务伙伴）",
              "partner@symbio.demo", "林浩然"),
    DemoLogin("reviewer", "Reviewer", "审核员", "reviewer@symbio.demo", "赵敏"),
    DemoLogin("programme_manager", "Programme manager", "伙伴计划经理", "pm@symbio.demo", "周文博"),
    DemoLogin("finance", "Finance", "财务", "finance@symbio.demo", "孙丽华"),
    DemoLogin("admin", "Admin (superuser)", "管理员（超级用户）", "admin@symbio.demo", "吴志强"),
)  # fmt: skip


# The demo staff and the demo partner owner must use two-factor login (accounts.mfa); seeding
# enrols them with this TOTP secret, which `demo_logins` prints with the current code. It lives in
# the demo app only: no setting, nothing production reads.
DEMO_TOTP_SECRET = "SYMBIODEMOTOTPSECRETAAAAAAAAAAAA"  # base32
DEMO_MFA_ROLES = ("partner", *STAFF_GROUPS)


def demo_totp_code(at: float | None = None) -> str:
    """The demo authenticator's code now (or at ``at``)."""
    import time

    from allauth.mfa import app_settings as mfa_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    moment = time.time() if at is None else at
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(moment) // mfa_settings.TOTP_PERIOD))


def demo_login(role: str) -> DemoLogin:
    return next(login for login in DEMO_LOGINS if login.role == role)


def demo_password() -> str:
    return settings.SYMBIO_DEMO_PASSWORD


@functools.cache
def _password_hash(password: str, hasher: str) -> str:
    return make_password(password)


def demo_password_hash() -> str:
    """Hashed once per run and shared by every demo user (hashing 30,000 times would take hours)."""
    return _password_hash(demo_password(), settings.PASSWORD_HASHERS[0])


# --- names -----------------------------------------------------------------------------------
SURNAMES = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
    ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
    ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("林", "Lin"),
    ("高", "Gao"), ("罗", "Luo"), ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"),
    ("唐", "Tang"), ("许", "Xu"), ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"), ("曹", "Cao"),
)  # fmt: skip
GIVEN_NAMES = (
    ("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("磊", "Lei"),
    ("洋", "Yang"), ("婷", "Ting"), ("强", "Qiang"), ("军", "Jun"), ("杰", "Jie"), ("涛", "Tao"),
    ("明", "Ming"), ("超", "Chao"), ("秀英", "Xiuying"), ("晓东", "Xiaodong"), ("文博", "Wenbo"),
    ("思远", "Siyuan"), ("雨桐", "Yutong"), ("子涵", "Zihan"), ("浩然", "Haoran"), ("嘉怡", "Jiayi"),
    ("志强", "Zhiqiang"), ("丽华", "Lihua"), ("建国", "Jianguo"), ("欣怡", "Xinyi"), ("俊杰", "Junjie"),
    ("梦琪", "Mengqi"), ("宇航", "Yuhang"), ("佳琪", "Jiaqi"), ("海峰", "Haifeng"), ("晨曦", "Chenxi"),
)  # fmt: skip


@dataclass(frozen=True)
class PersonSpec:
    email: str
    display_name: str
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class OrganisationSpec:
    slug: str
    name: str
    name_en: str
    kind: str
    website: str = ""
    country: str = "CN"


def people_for(rng, domain: str, count: int) -> list[PersonSpec]:
    """``count`` distinct people with Chinese names and ``given.surname@domain`` addresses.

    The name pairs are distinct, but their romanisations need not be: 徐 and 许 are both
    "Xu", so 徐杰 and 许杰 would both be ``jie.xu@``. A repeated address gets a number
    (``jie.xu2@``) — without drawing from ``rng``, so every other choice stays the same.
    """
    pairs = rng.sample(range(len(SURNAMES) * len(GIVEN_NAMES)), count)
    people = []
    taken: set[str] = set()
    for n in pairs:
        (sur_zh, sur_en), (giv_zh, giv_en) = (
            SURNAMES[n // len(GIVEN_NAMES)],
            GIVEN_NAMES[n % len(GIVEN_NAMES)],
        )
        local = f"{giv_en}.{sur_en}".lower()
        email, suffix = f"{local}@{domain}", 1
        while email in taken:
            suffix += 1
            email = f"{local}{suffix}@{domain}"
        taken.add(email)
        people.append(
            PersonSpec(
                email=email,
                display_name=f"{sur_zh}{giv_zh}",
                first_name=giv_en,
                last_name=sur_en,
            )
        )
    return people


def website_for(slug: str) -> str:
    return f"https://{slug}.example.com"


def mail_domain_for(slug: str) -> str:
    return f"{slug}.example"


# --- bulk upserts (used by every demo module that makes organisations or people) ------------
def upsert_users(ctx: SeedContext, people: Sequence[PersonSpec], *, label: str = "users") -> dict[str, int]:
    """Create or refresh users by email, each with a verified primary address; email → id.

    New users get the demo password; existing users keep theirs.
    """
    _refuse_duplicates([p.email for p in people], "user email")
    password = demo_password_hash()
    ids: dict[str, int] = {}
    done = 0
    for batch in chunked(people):
        User.objects.bulk_create(
            [
                User(
                    username=p.email,
                    email=p.email,
                    display_name=p.display_name,
                    first_name=p.first_name,
                    last_name=p.last_name,
                    password=password,
                )
                for p in batch
            ],
            update_conflicts=True,
            unique_fields=["email"],
            update_fields=["display_name", "first_name", "last_name"],
        )
        batch_ids = dict(User.objects.filter(email__in=[p.email for p in batch]).values_list("email", "id"))
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user_id=batch_ids[p.email], email=p.email, verified=True, primary=True)
                for p in batch
            ],
            update_conflicts=True,
            unique_fields=["user", "email"],
            update_fields=["verified", "primary"],
        )
        ids.update(batch_ids)
        done += len(batch)
        ctx.progress(label, done, len(people))
    return ids


def _refuse_duplicates(keys: Sequence, what: str) -> None:
    """A key twice in one upsert makes PostgreSQL refuse the batch ("ON CONFLICT DO UPDATE
    command cannot affect row a second time") while SQLite silently keeps the last row; say
    which key it was instead, on every engine."""
    seen, repeated = set(), []
    for key in keys:
        if key in seen:
            repeated.append(key)
        seen.add(key)
    if repeated:
        raise ValueError(f"Demo data names the same {what} more than once: {repeated[:5]!r}")


def upsert_organisations(
    ctx: SeedContext, specs: Sequence[OrganisationSpec], *, label: str = "organisations"
) -> dict[str, int]:
    """Create or refresh organisations by slug; slug → id."""
    _refuse_duplicates([s.slug for s in specs], "organisation slug")
    ids: dict[str, int] = {}
    done = 0
    for batch in chunked(specs):
        Organisation.objects.bulk_create(
            [
                Organisation(
                    slug=s.slug,
                    name=s.name,
                    name_en=s.name_en,
                    kind=s.kind,
                    website=s.website,
                    country=s.country,
                )
                for s in batch
            ],
            update_conflicts=True,
            unique_fields=["slug"],
            update_fields=["name", "name_en", "kind", "website", "country"],
        )
        ids.update(Organisation.objects.filter(slug__in=[s.slug for s in batch]).values_list("slug", "id"))
        done += len(batch)
        ctx.progress(label, done, len(specs))
    return ids


def upsert_memberships(ctx: SeedContext, rows: Sequence[tuple[int, int, str]], *, label="memberships") -> int:
    """Rows of (user id, organisation id, role); the role of an existing membership is refreshed."""
    _refuse_duplicates([(u, o) for u, o, _ in rows], "(user, organisation) pair")
    done = 0
    for batch in chunked(rows):
        Membership.objects.bulk_create(
            [Membership(user_id=u, organisation_id=o, role=r) for u, o, r in batch],
            update_conflicts=True,
            unique_fields=["user", "organisation"],
            update_fields=["role"],
        )
        done += len(batch)
        ctx.progress(label, done, len(rows))
    return len(rows)


def team_for(rng, slug: str, *, owner_email: str | None, admins: int, members: int):
    """People of one organisation and their roles: an owner, then admins, then members."""
    domain = mail_domain_for(slug)
    named = people_for(rng, domain, 1 + admins + members)
    owner = named[0]
    owner = PersonSpec(
        owner_email or f"owner@{domain}", owner.display_name, owner.first_name, owner.last_name
    )
    roles = [Role.OWNER] + [Role.ADMIN] * admins + [Role.MEMBER] * members
    return list(zip([owner, *named[1:]], roles, strict=True))


def attach_teams(ctx: SeedContext, teams: Iterable[tuple[int, list[tuple[PersonSpec, str]]]], *, label: str):
    """Upsert the people of each (organisation id, team) and their memberships; returns user count."""
    teams = list(teams)
    people = [person for _, team in teams for person, _ in team if not _is_demo_login(person.email)]
    ids = upsert_users(ctx, people, label=f"{label} users")
    ids.update(
        User.objects.filter(email__in=[login.email for login in DEMO_LOGINS]).values_list("email", "id")
    )
    rows = [(ids[person.email], org_id, role) for org_id, team in teams for person, role in team]
    upsert_memberships(ctx, rows, label=f"{label} memberships")
    return len(people)


def _is_demo_login(email: str) -> bool:
    return any(login.email == email for login in DEMO_LOGINS)


# --- customers --------------------------------------------------------------------------------
PROVINCES = (
    ("浙江", "Zhejiang"), ("江苏", "Jiangsu"), ("广东", "Guangdong"), ("山东", "Shandong"),
    ("四川", "Sichuan"), ("湖北", "Hubei"), ("湖南", "Hunan"), ("河南", "Henan"), ("河北", "Hebei"),
    ("福建", "Fujian"), ("安徽", "Anhui"), ("辽宁", "Liaoning"), ("陕西", "Shaanxi"), ("云南", "Yunnan"),
    ("江西", "Jiangxi"), ("广西", "Guangxi"), ("山西", "Shanxi"), ("黑龙江", "Heilongjiang"),
    ("内蒙古", "Inner Mongolia"), ("贵州", "Guizhou"), ("甘肃", "Gansu"), ("海南", "Hainan"),
)  # fmt: skip
CUSTOMER_BRANDS = (
    ("恒远", "Hengyuan"), ("华康", "Huakang"), ("永泰", "Yongtai"), ("新元", "Xinyuan"), ("宏达", "Hongda"),
    ("金盛", "Jinsheng"), ("瑞丰", "Ruifeng"), ("安澜", "Anlan"), ("长兴", "Changxing"),
    ("中远", "Zhongyuan"),
    ("顺和", "Shunhe"), ("嘉禾", "Jiahe"), ("天和", "Tianhe"), ("东升", "Dongsheng"), ("润达", "Runda"),
    ("万隆", "Wanlong"), ("鸿泰", "Hongtai"), ("国信", "Guoxin"), ("泰康", "Taikang"), ("博远", "Boyuan"),
    ("信和", "Xinhe"), ("九州", "Jiuzhou"), ("华晟", "Huasheng"), ("联创", "Lianchuang"), ("海天", "Haitian"),
    ("卓信", "Zhuoxin"), ("汇丰源", "Huifengyuan"), ("明德", "Mingde"), ("通达", "Tongda"),
    ("兴邦", "Xingbang"),
)  # fmt: skip
# industry slug (demo.partners.INDUSTRIES) → what such a customer calls itself
CUSTOMER_TRADES = (
    ("manufacturing", "精密制造", "Precision Manufacturing"),
    ("manufacturing", "机械装备", "Machinery"),
    ("manufacturing", "汽车零部件", "Auto Parts"),
    ("retail", "连锁商业", "Retail Chain"),
    ("retail", "食品", "Foods"),
    ("finance", "金融控股", "Financial Holdings"),
    ("finance", "融资租赁", "Financial Leasing"),
    ("healthcare", "医药", "Pharmaceutical"),
    ("healthcare", "医疗器械", "Medical Devices"),
    ("education", "教育科技", "Education Technology"),
    ("government", "城市发展投资", "Urban Development Investment"),
    ("energy", "新能源", "New Energy"),
    ("energy", "电力", "Power"),
    ("logistics", "物流", "Logistics"),
    ("logistics", "供应链管理", "Supply Chain Management"),
    ("construction", "建工", "Construction Engineering"),
    ("construction", "置业", "Property"),
    ("professional-services", "管理咨询", "Management Consulting"),
    ("hospitality", "文旅", "Culture & Tourism"),
    ("agriculture", "农业发展", "Agricultural Development"),
)
LEGAL_FORMS = (("集团有限公司", "Group"), ("股份有限公司", "Corporation"), ("有限公司", "Co., Ltd."))

DEMO_CUSTOMER = ("浙江", "Zhejiang", "恒远", "Hengyuan", CUSTOMER_TRADES[0], LEGAL_FORMS[0])


def _customer_spec(province, brand, trade, form) -> tuple[OrganisationSpec, str]:
    (prov_zh, prov_en), (brand_zh, brand_en), (industry, trade_zh, trade_en), (form_zh, form_en) = (
        province,
        brand,
        trade,
        form,
    )
    slug = slugify(f"{prov_en} {brand_en} {trade_en}")[:80]
    spec = OrganisationSpec(
        slug=slug,
        name=f"{prov_zh}{brand_zh}{trade_zh}{form_zh}",
        name_en=f"{prov_en} {brand_en} {trade_en} {form_en}",
        kind=Organisation.Kind.CUSTOMER,
        website=website_for(slug),
    )
    return spec, industry


def customer_specs(ctx: SeedContext) -> list[tuple[OrganisationSpec, str]]:
    """(organisation, industry slug) of every demo customer; the demo customer's first."""
    count = ctx.pick(small=14, large=1000)
    rng = ctx.rng("accounts.customers")
    first = _customer_spec(
        (DEMO_CUSTOMER[0], DEMO_CUSTOMER[1]), (DEMO_CUSTOMER[2], DEMO_CUSTOMER[3]), *DEMO_CUSTOMER[4:]
    )
    specs, seen = [first], {first[0].slug}
    combos = shuffled(
        itertools.product(range(len(PROVINCES)), range(len(CUSTOMER_BRANDS)), range(len(CUSTOMER_TRADES))),
        rng,
    )
    for p, b, t in combos:
        if len(specs) >= count:
            break
        spec = _customer_spec(PROVINCES[p], CUSTOMER_BRANDS[b], CUSTOMER_TRADES[t], rng.choice(LEGAL_FORMS))
        if spec[0].slug not in seen:
            seen.add(spec[0].slug)
            specs.append(spec)
    return specs


# --- seed -------------------------------------------------------------------------------------
def seed_logins(ctx: SeedContext) -> dict[str, User]:
    """The one-per-role demo logins: demo password, verified primary email, groups, superuser."""
    users = {}
    for login in DEMO_LOGINS:
        user, _ = User.objects.update_or_create(
            email=login.email,
            defaults={
                "username": login.email,
                "display_name": login.display_name,
                "is_active": True,
                "is_superuser": login.role == "admin",
                "is_staff": login.role == "admin",
            },
        )
        user.password = demo_password_hash()
        user.save(update_fields=["password"])
        EmailAddress.objects.filter(user=user).exclude(email=login.email).update(primary=False)
        EmailAddress.objects.update_or_create(
            user=user, email=login.email, defaults={"verified": True, "primary": True}
        )
        group_key = "admin" if login.role == "admin" else login.role
        if group_key in STAFF_GROUPS:
            group, _ = Group.objects.get_or_create(name=STAFF_GROUPS[group_key].name)
            user.groups.add(group)
        if login.role in DEMO_MFA_ROLES:
            enrol_totp(user, secret=DEMO_TOTP_SECRET)
        users[login.role] = user
    return users


def seed(ctx: SeedContext) -> None:
    with ctx.section("Demo logins and staff") as counts:
        users = seed_logins(ctx)
        ctx.registry["accounts.logins"] = {role: user.pk for role, user in users.items()}
        counts["logins"] = len(users)

    with ctx.section("Customer organisations") as counts:
        rng = ctx.rng("accounts.customer-teams")
        specs = customer_specs(ctx)
        org_ids = upsert_organisations(ctx, [spec for spec, _ in specs], label="customers")
        teams = []
        for i, (spec, _industry) in enumerate(specs):
            owner = demo_login("customer").email if i == 0 else None
            team = team_for(rng, spec.slug, owner_email=owner, admins=1, members=rng.randint(1, 2))
            teams.append((org_ids[spec.slug], team))
        counts["customers"] = len(specs)
        counts["users"] = attach_teams(ctx, teams, label="customer")
        ctx.registry["accounts.customers"] = [
            {"id": org_ids[spec.slug], "slug": spec.slug, "industry": industry} for spec, industry in specs
        ]


def reset(ctx: SeedContext) -> None:
    """Remove demo organisations (example.com websites) and demo users (demo/example addresses)."""
    with ctx.section("Reset: demo organisations and people") as counts:
        _, deleted = Organisation.objects.filter(website__endswith=".example.com").delete()
        counts["organisations"] = deleted.get(Organisation._meta.label, 0)
        demo_users = User.objects.filter(
            Q(email__endswith=".example") | Q(email__in=[login.email for login in DEMO_LOGINS])
        )
        _, deleted = demo_users.delete()
        counts["users"] = deleted.get(User._meta.label, 0)
