"""Honest outcomes: published, held, refused with the reasons in plain words, and the nudge
before a comment the screening would remove is stored."""

import pytest

from articles.models import Article
from comments import outcomes, services
from comments.models import Comment
from comments.screening import Code
from tests.comments.conftest import timestamp_for

pytestmark = pytest.mark.django_db

ABUSIVE = "Lavrov is a lying idiot, and anyone who believes this is a brain-dead moron."
JSON = {"Accept": "application/json"}


def post_url(article) -> str:
    return f"/comments/post/{article.pk}/"


def send_json(client, article, data):
    return client.post(post_url(article), data, headers=JSON)


def reason(code, decision="remove", score=0.999):
    return {"code": str(code), "decision": decision, "score": score, "spans": [], "detail": ""}


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (Code.ABUSIVE, "a personal attack"),
        (Code.HATE, "hateful towards a group of people"),
        (Code.SPAM, "advertising or carries links"),
        (Code.OFF_TOPIC, "not seem to be about this article"),
        (Code.LANGUAGE, "a language our moderators do not read yet"),
        (Code.BANNED_TERM, "words we do not allow"),
    ],
)
def test_reasons_are_said_in_plain_words_never_scores(code, words):
    said = outcomes.why([reason(code, score=0.987)])
    assert words in said
    assert "0.987" not in said and "98" not in said and "%" not in said


def test_only_the_reasons_for_the_strictest_decision_are_given():
    said = outcomes.why(
        [reason(Code.SHOUTING, decision="hold"), reason(Code.HATE), reason(Code.ABUSIVE)]
    )
    assert said == (
        "it may be hateful towards a group of people and it reads as a personal attack or abuse"
    )
    assert outcomes.why([{"code": "something_new", "decision": "remove"}]) == (
        "it may break the rules for comments"
    )


def test_the_service_nudges_without_storing_and_stores_once_confirmed(seed_article):
    with pytest.raises(services.MayBreakRules) as nudged:
        services.submit_comment(article=seed_article, user_name="Troll", text=ABUSIVE, nudge=True)
    assert Comment.objects.count() == 0
    assert any(r["code"] == "abusive" for r in nudged.value.reasons)
    submitted = services.submit_comment(article=seed_article, user_name="Troll", text=ABUSIVE)
    assert submitted.refused and submitted.comment.status == Comment.Status.REMOVED


def test_a_clean_comment_is_never_nudged(seed_article):
    submitted = services.submit_comment(
        article=seed_article,
        user_name="Wang Lei",
        text="Lavrov and Putin keep the SCO at the centre of ties with Beijing.",
        nudge=True,
    )
    assert submitted.published


def test_first_send_of_a_removable_comment_is_a_nudge_and_stores_nothing(
    client, seed_article, comment_data
):
    response = send_json(client, seed_article, comment_data(user_name="Troll", text=ABUSIVE))
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "nudge"
    assert data["message"] == (
        "This comment may break our rules: it reads as a personal attack or abuse. Edit it, "
        "or send it again as it is and it will be recorded for a moderator."
    )
    assert data["message"] in data["form"]
    assert ABUSIVE in data["form"]  # the text is kept for editing
    assert 'name="nudge" value="' in data["form"]
    assert Comment.objects.count() == 0


def nudge_marker(form_html: str) -> str:
    return form_html.split('name="nudge" value="', 1)[1].split('"', 1)[0]


def form_token(form_html: str) -> str:
    return form_html.split('name="timestamp" value="', 1)[1].split('"', 1)[0]


def test_sending_the_nudged_text_again_records_it_and_says_it_was_refused(
    client, seed_article, comment_data
):
    data = comment_data(user_name="Troll", text=ABUSIVE)
    form = send_json(client, seed_article, data).json()["form"]
    assert form_token(form) == data["timestamp"]  # nothing was stored: the token is unused
    response = send_json(client, seed_article, {**data, "nudge": nudge_marker(form)})
    assert response.status_code == 201
    answer = response.json()
    assert answer["status"] == "refused"
    assert answer["message"] == (
        "Your comment was not published: it reads as a personal attack or abuse. It has been "
        "recorded, and a moderator may restore it. Your text is still in the form if you want "
        "to edit it."
    )
    assert ABUSIVE in answer["form"]
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.REMOVED
    assert comment.reason_codes.get("abusive")
    assert comment.review_since is None  # the machine's removals: the workspace's tab, not ours
    # The kept form gets a new token (the old one sent this comment) and no marker.
    assert form_token(answer["form"]) != data["timestamp"]
    assert 'name="nudge" value="' not in answer["form"]


@pytest.mark.parametrize(
    "make_marker",
    [
        lambda article: "",
        lambda article: "forged",
        lambda article: outcomes.sign_nudge(article.pk + 1, services.content_hash(ABUSIVE)),
        lambda article: outcomes.sign_nudge(article.pk, services.content_hash("another text")),
    ],
    ids=["none", "forged", "other-article", "other-text"],
)
def test_a_marker_for_another_article_or_text_nudges_again(
    client, seed_article, comment_data, make_marker
):
    data = comment_data(user_name="Troll", text=ABUSIVE, nudge=make_marker(seed_article))
    assert send_json(client, seed_article, data).json()["status"] == "nudge"
    assert Comment.objects.count() == 0


def test_an_edited_text_is_screened_afresh(client, seed_article, comment_data):
    data = comment_data(user_name="Troll", text=ABUSIVE)
    marker = nudge_marker(send_json(client, seed_article, data).json()["form"])
    edited = "Lavrov's answer on the SCO convinced me less than his answer on energy."
    answer = send_json(client, seed_article, {**data, "text": edited, "nudge": marker}).json()
    assert answer["status"] == "published"
    assert Comment.objects.get().text == edited


def test_a_held_comment_says_a_moderator_will_read_it(client, seed_article, comment_data):
    Article.objects.filter(pk=seed_article.pk).update(comment_mode="premoderated")
    answer = send_json(client, seed_article, comment_data()).json()
    assert answer == {
        "status": "held",
        "message": "Thank you. A moderator will read your comment before it appears.",
        "timestamp": answer["timestamp"],
    }
    assert Comment.objects.get().status == Comment.Status.HELD


def test_sending_a_refused_comment_again_answers_refused_and_stores_it_once(
    client, seed_article, comment_data
):
    data = comment_data(user_name="Troll", text=ABUSIVE)
    marker = nudge_marker(send_json(client, seed_article, data).json()["form"])
    send_json(client, seed_article, {**data, "nudge": marker})
    again = send_json(
        client, seed_article, {**data, "timestamp": timestamp_for(seed_article), "nudge": ""}
    )
    assert again.status_code == 200
    assert again.json()["status"] == "refused"
    assert Comment.objects.count() == 1
