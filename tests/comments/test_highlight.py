"""The moderators' highlighting: the one place reader text is marked safe."""

import pytest

from comments.highlight import highlight
from comments.models import Comment

TEXT = 'Hi <script>alert("x")</script> & <b onclick="steal()">idiot</b> &amp; more'


def test_markup_around_highlighted_words_is_escaped():
    start = TEXT.index("idiot")
    assert highlight(TEXT, [(start, start + 5)]) == (
        "Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; "
        "&lt;b onclick=&quot;steal()&quot;&gt;<mark>idiot</mark>&lt;/b&gt; &amp;amp; more"
    )


def test_markup_inside_a_highlighted_span_is_escaped():
    start = TEXT.index("<script>")
    html = highlight(TEXT, [(start, start + len("<script>alert"))])
    assert "<mark>&lt;script&gt;alert</mark>(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<script" not in html and "<b " not in html


@pytest.mark.django_db
def test_the_queue_shows_markup_in_a_comment_as_text(admin_client, make_comment):
    start = TEXT.index("idiot")
    make_comment(
        text=TEXT,
        status=Comment.Status.HELD,
        screening_reasons=[{"code": "insult", "spans": [[start, start + 5]]}],
    )
    html = admin_client.get("/admin/comments/moderationqueue/").content.decode()
    assert "&lt;b onclick=&quot;steal()&quot;&gt;<mark>idiot</mark>&lt;/b&gt;" in html
    assert 'onclick="steal()"' not in html and '<script>alert("x")' not in html
