"""Demo partner API key: the demo partner owner's organisation gets a key with every scope, whose
token is derived from the demo password (so ``manage.py demo_logins`` can print it and a fresh
seed gives the same one). Idempotent."""

import hashlib

from accounts.models import User
from api.models import ApiKey, Scope, hash_secret
from demo.accounts import demo_password
from partners.models import Partner

DEMO_KEY_PREFIX = "demo0001"
DEMO_KEY_OWNER = "partner@symbio.demo"


def demo_api_token() -> str:
    secret = hashlib.sha256(f"symbio-demo-api:{demo_password()}".encode()).hexdigest()[:40]
    return f"symb_{DEMO_KEY_PREFIX}_{secret}"


def seed(ctx) -> None:
    user = User.objects.filter(email=DEMO_KEY_OWNER).first()
    partner = Partner.objects.filter(organisation__memberships__user=user).first() if user else None
    if partner is None:
        ctx.log("  api: no demo partner owner; no demo API key")
        return
    ApiKey.objects.update_or_create(
        prefix=DEMO_KEY_PREFIX,
        defaults={
            "partner": partner,
            "name": "Demo key / 演示密钥",
            "secret_hash": hash_secret(demo_api_token()),
            "scopes": list(Scope.values),
            "created_by": user,
            "revoked_at": None,
            "expires_at": None,
        },
    )
    ctx.log(f"  api: demo API key for {partner.organisation.name}")
