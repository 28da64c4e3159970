import pytest

from tests.factories.accounts import UserFactory
from tests.unit.accounts.helpers import STRONG_PASSWORD


@pytest.fixture
def signup_data():
    return {
        "display_name": "Ada Lovelace",
        "email": "ada@example.com",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        "organisation_name": "Analytical Engines Ltd",
    }


@pytest.fixture
def user(db):
    return UserFactory()
