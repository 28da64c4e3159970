"""Category and industry pages: the catalogue search (``catalog.search.search``) scoped to a
category (with its subcategories) or an industry, under the page's own header."""

from django.http import Http404
from django.shortcuts import render

from catalog.models import Category
from core.anonymous_pages import shared_anonymous_page
from marketplace.selectors import listings as selectors
from marketplace.views.search import SearchView, serve
from partners.models import Industry

BROWSE_TEMPLATE = "marketplace/browse.html"


def category_index(request):
    categories = list(Category.objects.filter(parent__isnull=True).prefetch_related("children"))
    return render(
        request,
        "marketplace/category_index.html",
        {"categories": categories, "canonical_url": request.build_absolute_uri(request.path)},
    )


@shared_anonymous_page
def category_detail(request, slug):
    category = selectors.category_with_children(slug)
    if category is None:
        raise Http404
    view = SearchView(
        scope={"category": category.slug},
        base_url=request.path,
        heading=category.t_name,
        extra={"category": category, "kind": "category", "hide_header_search": False},
        log=False,
        template=BROWSE_TEMPLATE,
    )
    return serve(request, view)


@shared_anonymous_page
def industry_detail(request, slug):
    industry = Industry.objects.filter(slug=slug).first()
    if industry is None:
        raise Http404
    view = SearchView(
        scope={"industry": industry.slug},
        base_url=request.path,
        heading=industry.t_name,
        extra={
            "industry": industry,
            "kind": "industry",
            "industries": list(Industry.objects.all()),
            "hide_header_search": False,
        },
        log=False,
        template=BROWSE_TEMPLATE,
    )
    return serve(request, view)
