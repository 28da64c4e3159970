"""Category and industry pages: subcategories, listing cards, filters, sort and pagination."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from catalog.models import Category
from marketplace.forms import ListingBrowseFilter
from marketplace.selectors import listings as selectors
from partners.models import Industry

PAGE_SIZE = 24


def _browse(request, *, base, template, context):
    filterset = ListingBrowseFilter(request.GET or None, queryset=base)
    page_obj = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    active_filters = sum(len(request.GET.getlist(name)) for name in ("type", "pricing", "deployment"))
    context.update(
        filterset=filterset,
        facets=selectors.facet_counts(base),
        page_obj=page_obj,
        listings=page_obj.object_list,
        querystring=query.urlencode(),
        sort=filterset.sort_value,
        active_filters=active_filters,
        canonical_url=request.build_absolute_uri(request.path),
    )
    if request.htmx and request.htmx.target == "browse-results":
        template = "marketplace/includes/browse_results.html"
    return render(request, template, context)


def category_index(request):
    categories = list(Category.objects.filter(parent__isnull=True).prefetch_related("children"))
    return render(
        request,
        "marketplace/category_index.html",
        {"categories": categories, "canonical_url": request.build_absolute_uri(request.path)},
    )


def category_detail(request, slug):
    category = selectors.category_with_children(slug)
    if category is None:
        raise Http404
    base = selectors.in_categories(selectors.card_listings(), category)
    return _browse(
        request,
        base=base,
        template="marketplace/browse.html",
        context={"category": category, "heading": category.t_name, "kind": "category"},
    )


def industry_detail(request, slug):
    industry = Industry.objects.filter(slug=slug).first()
    if industry is None:
        raise Http404
    base = selectors.in_industry(selectors.card_listings(), industry)
    return _browse(
        request,
        base=base,
        template="marketplace/browse.html",
        context={
            "industry": industry,
            "heading": industry.t_name,
            "kind": "industry",
            "industries": list(Industry.objects.all()),
        },
    )
