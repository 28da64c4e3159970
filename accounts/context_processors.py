def organisations(request):
    """The active organisation and the others the user may switch to (set by the middleware)."""
    return {
        "active_organisation": getattr(request, "organisation", None),
        "active_membership": getattr(request, "membership", None),
    }
