"""Logs who opened which casus: after a 200 response of a casus page, one ``CasusAccess`` row."""

from . import services

LOGGED_VIEWS = {"casussen:detail"}


class CasusAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            match is not None
            and match.view_name in LOGGED_VIEWS
            and request.method == "GET"
            and response.status_code == 200
            and request.user.is_authenticated
        ):
            services.access_record(casus_id=match.kwargs["casus_id"], user=request.user, view=match.view_name)
        return response
