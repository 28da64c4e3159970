"""Normalisation and matching on the labelled bilingual fixture (data/company_pairs.json).

Each pair is two records of a customer company as partners type them (full legal name, short
name, English name, Traditional characters, with or without the credit code, a website or a
contact's e-mail) labelled ``same`` or not. A pair is matched the way the conflict check
matches: the two share a blocking key *and* score at or above the threshold.
"""

import json
from pathlib import Path

import pytest

from cosell.matching import (
    Company,
    blocking_keys,
    chinese_keys,
    clean_phone,
    clean_uscc,
    company_keys,
    english_keys,
    is_match,
    registrable_domain,
)

PAIRS = json.loads((Path(__file__).parent / "data" / "company_pairs.json").read_text(encoding="utf-8"))


def matched(pair) -> bool:
    a, b = company_keys(Company(**pair["a"])), company_keys(Company(**pair["b"]))
    return bool(set(blocking_keys(a)) & set(blocking_keys(b))) and is_match(a, b)


def test_fixture_is_large_and_bilingual():
    assert len(PAIRS) >= 200
    assert sum(p["same"] for p in PAIRS) >= 100 and sum(not p["same"] for p in PAIRS) >= 80
    assert any("name_en" in p["a"] or "name_en" in p["b"] for p in PAIRS)


def test_recall_and_precision_on_the_labelled_pairs():
    tp = fp = fn = 0
    for pair in PAIRS:
        got = matched(pair)
        tp += got and pair["same"]
        fp += got and not pair["same"]
        fn += (not got) and pair["same"]
    recall, precision = tp / (tp + fn), tp / (tp + fp)
    print(f"\ncompany pairs: {len(PAIRS)}  recall {recall:.3f}  precision {precision:.3f}")
    assert recall >= 0.95
    assert precision >= 0.90


@pytest.mark.parametrize(
    ("name", "brand"),
    [
        ("深圳市腾讯计算机系统有限公司", "腾讯"),
        ("騰訊控股有限公司", "腾讯"),
        ("阿里巴巴(中国)网络技术有限公司", "阿里巴巴"),
        ("阿里巴巴（中国）网络技术有限公司", "阿里巴巴"),
        ("广东省深圳市华为技术有限公司", "华为"),
        ("用友网络科技股份有限公司", "用友"),
    ],
)
def test_chinese_names_lose_region_industry_and_legal_form(name, brand):
    assert chinese_keys(name)[1] == brand


def test_english_names_lose_legal_suffixes_and_descriptors():
    assert english_keys("Tencent Holdings Ltd.")[1] == "tencent"
    assert english_keys("Huawei Technologies Co., Ltd.")[1] == "huawei"
    assert english_keys("Kingdee Software (China) Co., Ltd.")[1] == "kingdee"


def test_pinyin_meets_an_english_brand():
    haier = company_keys(Company(name_en="Haier Group Corp."))
    assert is_match(company_keys(Company(name_zh="海尔集团")), haier)
    assert not is_match(company_keys(Company(name_zh="海信集团")), haier)


def test_registrable_domain_from_url_or_email_with_the_bundled_list():
    assert registrable_domain("https://www.Alibaba.com.cn/about") == "alibaba.com.cn"
    assert registrable_domain("buyer@mail.example.co.uk") == "example.co.uk"
    assert registrable_domain("not a domain") == ""
    # Free mail providers say nothing about the company.
    assert company_keys(Company(name_zh="某公司", email="boss@qq.com")).domains == frozenset()


def test_credit_code_and_phone_are_cleaned():
    assert clean_uscc("91110000802100433B") == "91110000802100433B"
    assert clean_uscc("911100008021004330") == ""  # bad check digit
    assert clean_phone("+86 (010) 8888-6666") == clean_phone("010-88886666") == "1088886666"
    assert clean_phone("123") == ""


def test_two_credit_codes_are_two_customers_whatever_the_names():
    a = company_keys(Company(name_zh="华为技术有限公司", uscc="91110000802100433B"))
    b = company_keys(Company(name_zh="华为技术有限公司上海分公司", uscc="91310000MA1FL0000N"))
    assert b.uscc and not is_match(a, b)
    same = company_keys(Company(name_en="Anything", uscc="91110000802100433B"))
    assert is_match(a, same)
