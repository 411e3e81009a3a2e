"""Argument and opinion words, comments that answer a reader or the article, and rude
phrases inside an argument (topic.py, context.py, insults.py)."""

import pytest

from comments.screening.base import Decision
from comments.screening.insults import InsultCheck
from comments.screening.normalize import analyse
from comments.screening.topic import TopicCheck, engages

from .screening_helpers import on_seed, seed_context

PUBLISH, HOLD, REMOVE = Decision.PUBLISH, Decision.HOLD, Decision.REMOVE


def topic(text: str) -> list:
    return list(TopicCheck()(on_seed(text)))


def insult_decisions(text: str) -> list:
    return [f.decision for f in InsultCheck()(on_seed(text))]


def test_opinion_words_weigh_less_than_news_and_article_words():
    context = seed_context()
    assert context.weight("ashamed") == 0.5
    assert context.weight("propaganda") == 0.6
    assert context.weight("banana") == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "Sorry, but that makes no sense.",
        "They should be ashamed of this propaganda.",
        "Ridiculous headline.",
        "Pathetic reporting. Not a single tough question.",
        "I can't believe anyone still falls for this kind of spin.",
        "Who actually believes this?",
        "That's a very naive take.",
        "Never going to happen.",
        "Hardly an unbiased source, is it?",
    ],
)
def test_short_opinions_sharing_no_article_word_are_on_topic(text):
    assert topic(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Lol, 'no ideological differences'. Sure.",
        "@Marta your point ignores the sanctions history completely.",
    ],
)
def test_comments_answering_a_reader_or_quoting_are_on_topic(text):
    assert topic(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "I can't believe the weather this week, my garden is flooded.",
        "Recipe tip: add soy sauce to your borscht, trust me.",
        "Your cat is adorable, what breed is it?",
        "Can anyone recommend a cheap pizza place in Moscow?",
        "The traffic this morning was ridiculous.",
    ],
)
def test_opinion_words_do_not_carry_comments_about_something_else(text):
    [finding] = topic(text)
    assert (finding.decision, finding.code) == (HOLD, "off_topic")


def test_engages_recognises_address_quotes_and_the_article():
    assert engages(analyse("You are wrong"))
    assert engages(analyse("The author forgot Syria"))
    assert engages(analyse('So "friendship" now means this'))
    assert not engages(analyse("My cat likes fish"))


@pytest.mark.parametrize(
    "text",
    [
        "Grow up, this is diplomacy, not a football match.",
        "Get a life and read the trade figures before posting about the pipeline.",
    ],
)
def test_a_rude_phrase_inside_an_argument_publishes_with_a_note(text):
    assert insult_decisions(text) == [PUBLISH]


@pytest.mark.parametrize("text", ["Grow up.", "Oh, get lost.", "Nobody asked you, mate."])
def test_a_bare_rude_brush_off_is_still_held(text):
    assert HOLD in insult_decisions(text)


def test_rude_phrase_with_an_insult_is_still_removed():
    assert REMOVE in insult_decisions("You're such a loser, get a life.")
