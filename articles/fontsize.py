"""The reader's text-size preference: the steps, the cookie, and moving between steps."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

COOKIE_NAME = "fontsize"
COOKIE_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Step:
    name: str
    rem: float
    percent: int


# In rem so the browser's own zoom and default font size still apply on top.
# static/css/site.css has one `html.fs-<name>` rule per step.
STEPS = (
    Step("xs", 0.875, 78),
    Step("s", 1.0, 89),
    Step("m", 1.125, 100),
    Step("l", 1.3125, 117),
    Step("xl", 1.5, 133),
    Step("xxl", 1.75, 156),
)
DEFAULT = STEPS[2]
_BY_NAME = {step.name: step for step in STEPS}


def get_step(name: str | None) -> Step | None:
    return _BY_NAME.get(name or "")


def from_request(request: HttpRequest) -> Step:
    return get_step(request.COOKIES.get(COOKIE_NAME)) or DEFAULT


def smaller(step: Step) -> Step | None:
    index = STEPS.index(step)
    return STEPS[index - 1] if index > 0 else None


def larger(step: Step) -> Step | None:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def remember(response: HttpResponse, step: Step, *, secure: bool) -> None:
    response.set_cookie(
        COOKIE_NAME,
        step.name,
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=secure,
    )
