from django import template

from incentives.services import stars

register = template.Library()


@register.simple_tag
def delivery_rating(partner):
    """The partner's latest star rating with its explanation rows, or None."""
    rating = stars.latest_rating(partner)
    if rating is None:
        return None
    return {"rating": rating, "rows": stars.describe(rating)}
