"""Is this the same customer? Normalising Chinese and English company names, blocking keys and
a score.

A Chinese company name is *region + brand (字号) + industry + legal form*:
``深圳市 腾讯 计算机系统 有限公司``. We convert Traditional to Simplified (OpenCC), drop the legal
form and bracketed parts, the region prefix and the industry words, and keep the **brand** (腾讯)
and the **core** (腾讯计算机系统). English names lose their legal suffixes, region and descriptor
words the same way (``Tencent Holdings Ltd.`` → ``tencent``). The brand also gets a pinyin key,
so ``海尔`` meets ``Haier`` and ``用友`` meets ``Yonyou``.

Strong keys: the unified social credit code (validated with ``stdnum.cn.uscc``), the registrable
web domain (tldextract with its bundled public-suffix snapshot, never the network; free mail
providers are ignored) and the phone number.

:func:`blocking_keys` are what the database indexes and looks candidates up by;
:func:`score` compares two companies (0–1) and :data:`THRESHOLD` decides a match.

One module because normalising, blocking keys and scoring share the same word lists and must change
together (a key built one way is compared the same way).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from rapidfuzz import fuzz
from stdnum.cn import uscc as uscc_std
from stdnum.exceptions import ValidationError as StdnumError

THRESHOLD = 0.85

LEGAL_SUFFIXES_ZH = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团股份",
    "集团公司",
    "集团",
    "控股",
    "分公司",
    "总公司",
    "公司",
    "股份",
    "有限合伙",
    "合伙企业",
    "工作室",
    "事务所",
)
REGIONS_ZH = (
    "中华人民共和国",
    "中国",
    "内蒙古自治区",
    "广西壮族自治区",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "西藏自治区",
    "香港特别行政区",
    "澳门特别行政区",
    "黑龙江",
    "北京",
    "上海",
    "天津",
    "重庆",
    "深圳",
    "广州",
    "杭州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "西安",
    "厦门",
    "宁波",
    "青岛",
    "大连",
    "济南",
    "郑州",
    "长沙",
    "合肥",
    "福州",
    "沈阳",
    "长春",
    "哈尔滨",
    "石家庄",
    "太原",
    "南昌",
    "南宁",
    "昆明",
    "贵阳",
    "兰州",
    "海口",
    "珠海",
    "东莞",
    "佛山",
    "无锡",
    "常州",
    "温州",
    "绍兴",
    "嘉兴",
    "香港",
    "澳门",
    "台湾",
    "广东",
    "江苏",
    "浙江",
    "山东",
    "河南",
    "河北",
    "湖南",
    "湖北",
    "四川",
    "福建",
    "安徽",
    "江西",
    "辽宁",
    "吉林",
    "山西",
    "陕西",
    "云南",
    "贵州",
    "广西",
    "海南",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
    "西藏",
    "内蒙古",
    "惠州",
    "中山",
    "汕头",
    "江门",
    "泉州",
    "漳州",
    "烟台",
    "潍坊",
    "徐州",
    "扬州",
    "南通",
    "金华",
    "台州",
    "湖州",
    "芜湖",
    "洛阳",
    "宜昌",
    "株洲",
    "绵阳",
    "柳州",
    "桂林",
    "三亚",
    "包头",
    "唐山",
    "保定",
    "廊坊",
)
REGION_UNITS = ("省", "市", "区", "县", "自治区")
# Industry words between the brand and the legal form, longest first.
INDUSTRY_ZH = tuple(
    sorted(
        (
            "计算机系统",
            "信息技术",
            "信息科技",
            "信息系统",
            "网络技术",
            "网络科技",
            "网络信息",
            "数字科技",
            "智能科技",
            "电子商务",
            "云计算",
            "大数据",
            "人工智能",
            "科技",
            "技术",
            "软件",
            "网络",
            "信息",
            "数字",
            "数据",
            "智能",
            "电子",
            "通信",
            "通讯",
            "系统",
            "贸易",
            "商贸",
            "实业",
            "投资",
            "咨询",
            "管理",
            "服务",
            "发展",
            "制造",
            "电器",
            "传媒",
            "文化",
            "教育",
            "医疗",
            "医药",
            "生物",
            "物流",
            "供应链",
            "食品",
            "餐饮",
            "工程",
            "建筑",
            "能源",
            "环保",
            "新材料",
            "材料",
            "化工",
            "机械",
            "设备",
            "家居",
            "数码",
            "国际",
            "企业",
            "云",
            "在线",
            "速运",
            "快递",
            "乳业",
            "体育用品",
            "用品",
            "汽车",
            "保险",
            "创新",
            "产业",
            "工程机械",
            "新能源",
            "光电",
            "计算机",
            "世纪",
            "网",
            "终端",
            "娱乐",
            "集团",
            "控股",
            "股份",
        ),
        key=len,
        reverse=True,
    )
)
LEGAL_WORDS_EN = {
    "co",
    "company",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "llc",
    "plc",
    "gmbh",
    "sa",
    "ag",
    "group",
    "holdings",
    "holding",
    "the",
    "of",
    "and",
}
REGION_WORDS_EN = {
    "china",
    "prc",
    "beijing",
    "shanghai",
    "shenzhen",
    "guangzhou",
    "hangzhou",
    "nanjing",
    "suzhou",
    "chengdu",
    "wuhan",
    "xian",
    "xiamen",
    "tianjin",
    "chongqing",
    "hong",
    "kong",
    "hk",
    "macau",
    "taiwan",
    "asia",
    "pacific",
}
DESCRIPTOR_WORDS_EN = {
    "technology",
    "technologies",
    "tech",
    "software",
    "network",
    "networks",
    "information",
    "systems",
    "system",
    "solutions",
    "services",
    "service",
    "science",
    "computer",
    "electronics",
    "electronic",
    "digital",
    "data",
    "cloud",
    "intelligent",
    "international",
    "intl",
    "trading",
    "consulting",
    "industrial",
    "industries",
    "development",
    "enterprise",
    "enterprises",
    "ecommerce",
    "commerce",
    "media",
}
FREE_MAIL_DOMAINS = {
    "qq.com",
    "163.com",
    "126.com",
    "yeah.net",
    "sina.com",
    "sina.cn",
    "sohu.com",
    "aliyun.com",
    "139.com",
    "189.cn",
    "foxmail.com",
    "gmail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "protonmail.com",
}

_CJK = re.compile(r"[\u3400-\u9fff]")
_BRACKETS = re.compile(r"[(\[【（][^)\]】）]*[)\]】）]")
_NOT_WORD_ZH = re.compile(r"[^\w]|_", re.UNICODE)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# English legal words written after a Chinese name (华星 Co., Ltd.).
_LATIN_LEGAL = re.compile(r"(?i)\b(?:co|company|ltd|limited|inc|corp|corporation|llc|group|holdings)\b\.?")


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@cache
def _extract():
    import tldextract

    # Bundled public-suffix snapshot only: no download, no cache directory written.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text or ""))


def simplify(text: str) -> str:
    """NFKC (full-width → half-width) and Traditional → Simplified."""
    return _t2s().convert(unicodedata.normalize("NFKC", text or ""))


def _strip_region(name: str) -> str:
    changed = True
    while changed:
        changed = False
        for region in REGIONS_ZH:
            if name.startswith(region):
                rest = name[len(region) :]
                for unit in REGION_UNITS:
                    if rest.startswith(unit):
                        rest = rest[len(unit) :]
                        break
                if len(rest) >= 2:
                    name, changed = rest, True
                    break
    return name


def _strip_suffixes(name: str, suffixes: tuple[str, ...], *, keep: int = 2) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in suffixes:
            if name.endswith(suffix) and len(name) - len(suffix) >= keep:
                name, changed = name[: -len(suffix)], True
                break
    return name


def chinese_keys(name: str) -> tuple[str, str]:
    """(core, brand) of a Chinese company name; both empty when there is none."""
    text = _LATIN_LEGAL.sub(" ", _BRACKETS.sub("", simplify(name)))
    text = _NOT_WORD_ZH.sub("", text).lower()
    if not text:
        return "", ""
    text = _strip_suffixes(text, LEGAL_SUFFIXES_ZH)
    text = _strip_region(text)
    core = _strip_suffixes(text, LEGAL_SUFFIXES_ZH)
    brand = _strip_suffixes(core, INDUSTRY_ZH)
    return core, brand


def english_keys(name: str) -> tuple[str, str]:
    """(core, brand) of an English name: core keeps descriptor words, brand is the first
    distinctive words run together (``tencent``, ``bytedance``)."""
    text = unicodedata.normalize("NFKC", name or "").lower().replace("&", " and ")
    text = _BRACKETS.sub(" ", text)
    words = [w for w in _NOT_ALNUM.split(text) if w]
    words = [w for w in words if w not in LEGAL_WORDS_EN] or words
    core_words = [w for w in words if w not in REGION_WORDS_EN] or words
    brand_words = [w for w in core_words if w not in DESCRIPTOR_WORDS_EN] or core_words
    return " ".join(core_words), "".join(brand_words)


def pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text)).lower()


def clean_uscc(value: str) -> str:
    """The compact code when valid, else ''."""
    if not value:
        return ""
    try:
        return uscc_std.validate(value)
    except StdnumError:
        return ""


def registrable_domain(value: str) -> str:
    """``https://www.Foo.com.cn/x`` or ``a@mail.foo.com.cn`` → ``foo.com.cn``; '' when unknown."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    if "@" in value and "://" not in value:
        value = value.rsplit("@", 1)[1]
    parts = _extract()(value)
    if not parts.suffix or not parts.domain:
        return ""
    return f"{parts.domain}.{parts.suffix}"


def clean_phone(value: str) -> str:
    """Digits only, country code 86 and trunk 0 dropped; '' when too short to identify anyone."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) >= 12:
        digits = digits[2:]
    digits = digits.lstrip("0")
    return digits if len(digits) >= 7 else ""


@dataclass(frozen=True)
class Company:
    """What is known about a customer company (any field may be empty)."""

    name_zh: str = ""
    name_en: str = ""
    uscc: str = ""
    domain: str = ""  # a domain, a URL or an e-mail address
    phone: str = ""
    email: str = ""  # a contact's e-mail: its domain counts when it is not a free mail domain


@dataclass(frozen=True)
class Keys:
    zh: tuple[tuple[str, str], ...] = ()  # (core, brand) per Chinese name
    en: tuple[tuple[str, str], ...] = ()  # (core, brand) per English name
    uscc: str = ""
    domains: frozenset[str] = field(default_factory=frozenset)
    phone: str = ""

    @property
    def pinyins(self) -> set[str]:
        return {pinyin(brand) for _core, brand in self.zh if brand}


def company_keys(company: Company) -> Keys:
    zh, en = [], []
    for name in (company.name_zh, company.name_en):
        if not (name or "").strip():
            continue
        if has_cjk(name):
            keys = chinese_keys(name)
            if keys[1]:
                zh.append(keys)
        else:
            keys = english_keys(name)
            if keys[1]:
                en.append(keys)
    domains = {registrable_domain(company.domain), registrable_domain(company.email)} - {""}
    return Keys(
        zh=tuple(dict.fromkeys(zh)),
        en=tuple(dict.fromkeys(en)),
        uscc=clean_uscc(company.uscc),
        domains=frozenset(d for d in domains if d not in FREE_MAIL_DOMAINS),
        phone=clean_phone(company.phone),
    )


def blocking_keys(keys: Keys) -> list[str]:
    """Index keys: two companies that may match share at least one."""
    out = set()
    if keys.uscc:
        out.add(f"uscc:{keys.uscc}")
    for domain in keys.domains:
        out.add(f"dom:{domain}")
    if keys.phone:
        out.add(f"tel:{keys.phone}")
    for _core, brand in keys.zh:
        out.add(f"zh:{brand}")
        out.add(f"py:{pinyin(brand)}")  # 海尔 meets Haier, TCL科技 meets TCL
    for _core, brand in keys.en:
        out.add(f"en:{brand}")
        out.add(f"py:{brand}")
    return sorted(k[:120] for k in out)


def _ratio(a: str, b: str) -> float:
    return fuzz.ratio(a, b) / 100 if a and b else 0.0


def name_score(a: Keys, b: Keys) -> float:
    best = 0.0
    for core_a, brand_a in a.zh:
        for core_b, brand_b in b.zh:
            if core_a == core_b:
                return 1.0
            if brand_a == brand_b and len(brand_a) >= 2:
                # 神州数码 / 神州信息: one brand, two different businesses named in full.
                both_full = core_a not in core_b and core_b not in core_a
                best = max(best, 0.8 if both_full else 0.95)
                continue
            # Industry words are shared by strangers (徐工集团工程机械 / 柳工集团工程机械):
            # only the brands are compared by similarity.
            best = max(best, _ratio(brand_a, brand_b))
            # A brand inside a longer one (腾讯 / 腾讯音乐): a hint, not a match on its own.
            short, long_ = sorted((brand_a, brand_b), key=len)
            if len(short) >= 2 and short in long_:
                best = max(best, 0.8)
    for core_a, brand_a in a.en:
        for core_b, brand_b in b.en:
            if core_a == core_b:
                return 1.0
            if brand_a == brand_b:
                best = max(best, 0.95)
                continue
            best = max(best, _ratio(brand_a, brand_b), fuzz.token_sort_ratio(core_a, core_b) / 100 * 0.95)
    # Across languages: the pinyin of a Chinese brand against an English brand (海尔 / Haier).
    for x, y in ((a, b), (b, a)):
        for py in x.pinyins:
            for _core, brand in y.en:
                best = max(best, _ratio(py, brand) * 0.95)
    return best


def score(a: Keys, b: Keys) -> float:
    """0–1: how sure we are that two companies are the same customer."""
    if a.uscc and b.uscc:
        if a.uscc == b.uscc:
            return 1.0
        return min(name_score(a, b), 0.6)  # two registered legal entities
    result = name_score(a, b)
    if a.domains & b.domains:
        result = max(result, 0.97)
    if a.phone and a.phone == b.phone:
        result = max(result, 0.9)
    return result


def is_match(a: Keys, b: Keys) -> bool:
    return score(a, b) >= THRESHOLD
