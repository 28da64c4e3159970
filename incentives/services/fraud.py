"""Checks against fraud, run on every claim. Each flag explains itself (:func:`explain`)
in the reviewer's language from the parameters stored with it.

* the same invoice (code + number) in another claim;
* the same file (SHA-256) in another claim;
* the same photo re-encoded or resized (perceptual hash within a Hamming distance);
* a photo whose EXIF date lies outside the activity window;
* a deterministic random audit sample (default 10 %, seedable);
* (on submission) a partner under sanction.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

import imagehash
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives import conf
from incentives.models import ClaimDocument, DocumentKind, FraudCheck, FraudFlag

MESSAGES = {
    FraudCheck.DUPLICATE_INVOICE: lambda: _(
        "Invoice %(code)s / %(number)s (“%(name)s”) was already claimed in “%(other)s”."
    ),
    FraudCheck.DUPLICATE_FILE: lambda: _(
        "“%(name)s” is byte for byte the same file as “%(other_name)s” in “%(other)s” (SHA-256 %(sha)s…)."
    ),
    FraudCheck.SIMILAR_PHOTO: lambda: _(
        "Photo “%(name)s” looks like “%(other_name)s” in “%(other)s” re-encoded or resized "
        "(perceptual hash distance %(distance)s, threshold %(threshold)s)."
    ),
    FraudCheck.PHOTO_DATE: lambda: _(
        "Photo “%(name)s” was taken on %(taken)s, outside the activity (%(start)s – %(end)s)."
    ),
    FraudCheck.AUDIT_SAMPLE: lambda: _(
        "Picked for the random audit sample (%(rate)s %% of claims): check the proof in detail."
    ),
    FraudCheck.SANCTIONED: lambda: _(
        "The partner is under sanction since %(since)s (%(reason)s): every new request is held for review."
    ),
}


def explain(flag: FraudFlag) -> str:
    try:
        return MESSAGES[flag.check_name]() % flag.params
    except (KeyError, TypeError, ValueError):
        return flag.get_check_name_display()


def _flag(request, check, *, document=None, other_request=None, **params):
    return FraudFlag.objects.create(
        request=request, check_name=check, document=document, other_request=other_request, params=params
    )


def in_audit_sample(request, *, rate: Decimal | None = None, seed: str | None = None) -> bool:
    """Deterministic: the same request, seed and rate always give the same answer."""
    rate = conf.get("AUDIT_RATE") if rate is None else rate
    seed = conf.get("AUDIT_SEED") if seed is None else seed
    digest = hashlib.sha256(f"{seed}:{request.public_id}".encode()).digest()
    return Decimal(int.from_bytes(digest[:8], "big")) / Decimal(2**64) < Decimal(rate)


def run_claim_checks(request, documents: list[ClaimDocument]) -> list[FraudFlag]:
    flags = []
    others = ClaimDocument.objects.exclude(request=request).select_related("request")
    for document in documents:
        if document.kind == DocumentKind.INVOICE and document.invoice_number:
            twin = others.filter(
                kind=DocumentKind.INVOICE,
                invoice_code=document.invoice_code,
                invoice_number=document.invoice_number,
            ).first()
            if twin:
                flags.append(
                    _flag(
                        request,
                        FraudCheck.DUPLICATE_INVOICE,
                        document=document,
                        other_request=twin.request,
                        code=document.invoice_code,
                        number=document.invoice_number,
                        name=document.original_name,
                        other=twin.request.title,
                    )
                )
        same = others.filter(sha256=document.sha256).first()
        if same:
            flags.append(
                _flag(
                    request,
                    FraudCheck.DUPLICATE_FILE,
                    document=document,
                    other_request=same.request,
                    name=document.original_name,
                    other_name=same.original_name,
                    other=same.request.title,
                    sha=document.sha256[:12],
                )
            )
        if document.kind == DocumentKind.PHOTO and document.phash:
            flags += _similar_photos(request, document, others)
            flags += _photo_date(request, document)
    if in_audit_sample(request):
        flags.append(_flag(request, FraudCheck.AUDIT_SAMPLE, rate=f"{conf.get('AUDIT_RATE') * 100:.0f}"))
    return flags


def _similar_photos(request, document, others) -> list[FraudFlag]:
    threshold = conf.get("PHASH_DISTANCE")
    mine = imagehash.hex_to_hash(document.phash)
    candidates = others.filter(kind=DocumentKind.PHOTO).exclude(phash="").exclude(sha256=document.sha256)
    for other in candidates:
        distance = mine - imagehash.hex_to_hash(other.phash)
        if distance <= threshold:
            return [
                _flag(
                    request,
                    FraudCheck.SIMILAR_PHOTO,
                    document=document,
                    other_request=other.request,
                    name=document.original_name,
                    other_name=other.original_name,
                    other=other.request.title,
                    distance=int(distance),
                    threshold=threshold,
                )
            ]
    return []


def _photo_date(request, document) -> list[FraudFlag]:
    if document.taken_at is None:
        return []
    slack = timedelta(days=conf.get("PHOTO_DATE_SLACK_DAYS"))
    taken = timezone.localdate(document.taken_at)
    if request.start_date - slack <= taken <= request.end_date + slack:
        return []
    return [
        _flag(
            request,
            FraudCheck.PHOTO_DATE,
            document=document,
            name=document.original_name,
            taken=taken.isoformat(),
            start=request.start_date.isoformat(),
            end=request.end_date.isoformat(),
        )
    ]
