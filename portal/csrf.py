"""CSRF protection for the forms on pages a shared cache keeps (portal.http_cache).

Those pages carry no CSRF token (it would be one reader's, handed to all), so the views
their forms post to are checked by where the request comes from instead, as browsers say
it: `Sec-Fetch-Site` same-origin (or none: typed by the user) is accepted; cross-site or
same-site is accepted only with an `Origin` of this site or of CSRF_TRUSTED_ORIGINS; an
`Origin` that is not ours is refused without Sec-Fetch-Site too. A request with neither
header (a non-browser client, or a browser too old to send them) is accepted: every browser
that runs a cross-site attack sends one or the other on a POST. Refusals get
CSRF_FAILURE_VIEW's 403. The admin and the staff's forms keep Django's token.
"""

from collections.abc import Callable

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from modern_csrf.decorators import csrf_protect as origin_protect


def origin_checked[V: Callable[..., HttpResponse]](view: V) -> V:
    """Check `view`'s unsafe requests by Sec-Fetch-Site and Origin instead of the token."""
    return csrf_exempt(origin_protect(view))
