"""Test data for every test, one module per domain (factory_boy factories and builders that go
through the same paths the app uses: services where a test is not about them, Wagtail pages
added with ``add_child`` and published through revisions):

- ``accounts`` — users, organisations, memberships, invitations; ``buyer()``, ``staff_member()``.
- ``partners`` — taxonomy, tiers, partners, ``provisioned_partner()`` (page, group, collection,
  owner), ``owner_of()``, applications, uploads; ``programme`` — tier criteria and facts.
- ``catalog`` — complete listings, plans, images, the review workflow's ``submit()``.
- ``marketplace`` — live listings with plans, usages, reviews; ``search`` — indexed listings.
- ``billing`` — a shop of plans, purchases with a localstripe card, invoices, entitlements.
- ``health``, ``demand``, ``cosell``, ``incentives`` — their apps' records.
- ``api`` — a partner's API "world", keys and API clients.

Import from the domain module (``from tests.factories.billing import shop``) or from here
(``from tests.factories import shop``): this package re-exports every module's ``__all__``.
"""

from tests.factories.accounts import *  # noqa: F403
from tests.factories.api import *  # noqa: F403
from tests.factories.billing import *  # noqa: F403
from tests.factories.catalog import *  # noqa: F403
from tests.factories.cosell import *  # noqa: F403
from tests.factories.demand import *  # noqa: F403
from tests.factories.health import *  # noqa: F403
from tests.factories.incentives import *  # noqa: F403
from tests.factories.marketplace import *  # noqa: F403
from tests.factories.partners import *  # noqa: F403
from tests.factories.programme import *  # noqa: F403
from tests.factories.search import *  # noqa: F403
