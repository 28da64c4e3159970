"""Helpers of the catalogue editor tests:

- ``editor_form_data(client, url, page=None, **changes)`` — the page editor's form as the browser
  would post it (``querydict_from_html`` plus the StreamFields, which Wagtail renders in JS).
- ``edit_url(page)`` / ``add_url(parent)`` — the Wagtail editor's URLs.
"""

from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, rich_text, streamfield


def _stream_form_data(value):
    items = []
    for child in value or []:
        if child.block_type == "paragraph":
            items.append(("paragraph", rich_text(child.value.source)))
        elif child.block_type == "heading":
            items.append(("heading", child.value))
    return streamfield(items)


def editor_form_data(client, url, page=None, **changes):
    """What the page editor at ``url`` posts; ``page`` supplies the StreamFields' current blocks."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    streams = nested_form_data(
        {
            "description": _stream_form_data(page.description if page else None),
            "description_en": _stream_form_data(page.description_en if page else None),
        }
    )
    for key, value in {**streams, **changes}.items():
        if isinstance(value, list | tuple):
            data.setlist(key, [str(v) for v in value])
        else:
            data[key] = value
    return data


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def add_url(parent):
    return reverse("wagtailadmin_pages:add", args=["catalog", "listingpage", parent.pk])
