"""Image uploads go through Wagtail's validation: an oversized file or one that is not an image is
refused with a clear message and nothing is saved."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images import get_image_model

from tests.factories.catalog import png_bytes

pytestmark = pytest.mark.django_db


def big_png() -> bytes:
    """A real PNG above WAGTAILIMAGES_MAX_UPLOAD_SIZE (5 MB): incompressible noise."""
    side = 1400
    image = PILImage.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=0)
    return buffer.getvalue()


def upload(client, name, content, content_type):
    return client.post(
        reverse("wagtailimages:add"),
        {"title": "Screenshot", "file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def test_oversized_image_is_refused_and_nothing_saved(client, member_a, partner_a, settings):
    client.force_login(member_a)
    content = big_png()
    assert len(content) > settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE

    response = upload(client, "huge.png", content, "image/png")

    assert response.status_code == 200
    assert "This file is too big" in response.content.decode()
    assert "Maximum filesize 5.0" in response.content.decode()
    assert not get_image_model().objects.exists()


def test_a_file_that_is_not_an_image_is_refused_and_nothing_saved(client, member_a, partner_a):
    client.force_login(member_a)

    response = upload(client, "brochure.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")

    assert response.status_code == 200
    assert "Upload a valid image. The file you uploaded was either not an image" in response.content.decode()
    assert not get_image_model().objects.exists()


def test_an_image_with_an_extension_not_allowed_is_refused(client, member_a, partner_a):
    client.force_login(member_a)
    response = upload(client, "logo.bmp", png_bytes(), "image/bmp")
    assert response.status_code == 200
    assert "Not a supported image format" in response.content.decode()
    assert not get_image_model().objects.exists()


def test_a_png_disguised_with_the_wrong_extension_is_refused(client, member_a, partner_a):
    client.force_login(member_a)
    response = upload(client, "logo.gif", png_bytes(), "image/gif")
    assert response.status_code == 200
    assert "The extension does not match the file format" in response.content.decode()
    assert not get_image_model().objects.exists()


def test_a_valid_image_lands_in_the_partners_collection(client, member_a, partner_a):
    client.force_login(member_a)
    response = upload(client, "logo.png", png_bytes(), "image/png")
    assert response.status_code == 302
    assert get_image_model().objects.get().collection == partner_a.workspace.collection
