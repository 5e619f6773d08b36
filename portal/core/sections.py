"""Pages of sections whose provider integration has not been connected yet.

Each section's app replaces its entry with real views as its integration lands; until then the
page says plainly what will appear there, so the navigation never leads to an error.
"""
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def pending_section(title: str, system: str, description: str):
    def view(request: HttpRequest) -> HttpResponse:
        context = {"title": title, "system": system, "description": description}
        return render(request, "portal/section_pending.html", context)

    view.__name__ = f"pending_{title.lower().replace(' ', '_')}"
    return view
