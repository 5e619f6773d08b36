from functools import wraps

from django.shortcuts import render


def customer_required(view):
    """Pass the signed-in user's ``Customer`` to the view; explain when the user has none yet."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        customer = getattr(request.user, "customer", None)
        if customer is None:
            return render(request, "portal/unlinked_page.html", status=403)
        return view(request, customer, *args, **kwargs)

    return wrapper
