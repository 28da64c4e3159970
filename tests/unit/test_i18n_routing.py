import pytest

pytestmark = pytest.mark.django_db


def test_home_is_served_in_chinese_without_a_prefix(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode().lower()


def test_home_is_served_in_english_under_en_prefix(client):
    response = client.get("/en/")
    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode().lower()


def test_unprefixed_url_stays_chinese_even_for_an_english_browser(client_en):
    response = client_en.get("/")
    assert 'lang="zh-hans"' in response.content.decode().lower()


def test_allauth_pages_exist_in_both_languages(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/en/accounts/login/").status_code == 200
