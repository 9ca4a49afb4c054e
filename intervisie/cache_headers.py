"""``Cache-Control: private, no-store`` on every answer to a logged-in user.

What a logged-in user sees is theirs or their group's (casussen, the queue, reflections, exports, a session's
``.ics``): no shared cache may keep it, and the browser keeps no copy on disk or in its back/forward cache, so
nothing of it can be read on the device after logging out. Directives a view set itself are kept (the live
guide's ``no-cache`` with its ETag); ``no-store`` and ``private`` are added to them.

Left alone: answers without a body (204, 304: nothing to store, and the live guide's unchanged poll is
answered without loading the login, which reading ``request.user`` here would undo), and answers to requests
without a login. The calendar feed is one of those: calendar apps do not log in (the token in its URL is the
key); its ``private, no-cache`` and ETag let them revalidate (a 304 costs one cache read), and ``private``
keeps it out of shared caches. The app stores the calendar anyway, so ``no-store`` would only take away the
304s of clients that revalidate through an HTTP cache.
"""

from django.utils.cache import patch_cache_control

BODILESS = (204, 304)


class PrivateNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if response.status_code not in BODILESS and user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
