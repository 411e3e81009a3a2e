"""Screening fixes: short reactions, Latin-script languages, hate without a group name,
reported and condemned speech, place names in off-topic requests, and the fast paths."""

import pytest

from comments.screening import Decision, screen
from comments.screening.config import DEFAULT_CHECKS, build_checks
from comments.screening.hate import HateCheck
from comments.screening.insults import InsultCheck
from comments.screening.language import LanguageCheck
from comments.screening.normalize import analyse, fold
from comments.screening.spam import find_links
from comments.screening.topic import TopicCheck

from .screening_helpers import marked, on_seed

PUBLISH, HOLD, REMOVE = Decision.PUBLISH, Decision.HOLD, Decision.REMOVE
CHECKS = build_checks(DEFAULT_CHECKS)


def decision(check, text: str) -> Decision:
    return max((f.decision for f in check(on_seed(text))), default=PUBLISH)


def pipeline(text: str) -> Decision:
    return screen(on_seed(text), CHECKS).decision


# --- 1. short reactions -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Great article!",
        "Agreed.",
        "Well said",
        "Good point",
        "Thank you for this",
        "Interesting read",
        "Very informative",
        "I agree with Paul",
        "Couldn't agree more.",
        "Spot on.",
        "Excellent reporting as always.",
        "Well put, Olga.",
    ],
)
def test_short_praise_agreement_and_thanks_publish(text):
    assert run_topic(text) == []
    assert pipeline(text) is PUBLISH


@pytest.mark.parametrize(
    "text", ["First!", "lol", "hahahaha", "😂😂😂", "banana", "nice", "Hello John", "Great!"]
)
def test_noise_and_single_words_are_still_held(text):
    assert pipeline(text) is HOLD


def test_a_reaction_with_unrelated_words_is_judged_on_relevance():
    assert decision(TopicCheck(), "Great recipe, my cat loved it, thanks!") is HOLD


def run_topic(text: str) -> list:
    return list(TopicCheck()(on_seed(text)))


# --- 2. Latin-script languages ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "La coopération sino-russe est très importante pour l'Asie centrale.",
        "La relación entre Rusia y China es una alianza de conveniencia.",
        "Russland braucht China viel mehr als umgekehrt.",
        "Secondo me la Russia dipende troppo dalla Cina ormai.",
        "A parceria entre a Rússia e a China é muito importante.",
        "Dit is een heel interessant artikel over Rusland.",
        "Rosja i Chiny nigdy nie będą prawdziwymi sojusznikami.",
        "Bu makale çok iyi yazılmış.",
        "Hubungan Rusia dan Tiongkok sangat penting untuk dunia.",
        "Quan hệ Nga Trung ngày càng tốt đẹp hơn.",
        "Rossiya i Kitai vsegda budut druzyami, eto fakt.",
        "Zhong E guanxi feichang hao, women yinggai jiaqiang hezuo.",
    ],
)
def test_latin_script_languages_are_held_never_removed(text):
    [finding] = list(LanguageCheck()(on_seed(text)))
    assert (finding.decision, finding.code) == (HOLD, "language")
    assert pipeline(text) is HOLD


@pytest.mark.parametrize(
    "text",
    [
        "Erdoğan and Nazarbayev would both love to be at this summit.",
        "Lavrov likes to say 'mnogopolyarny mir' but never defines it.",
        "Putin's motto seems to be 'si vis pacem, para bellum'.",
        "The joint communiqué will be signed in Beijing.",
        "Great piece on Sino-Russian détente.",
        "The UN's central role is a fait accompli for the SCO.",
        "Li Keqiang and Wen Jiabao met Medvedev in Moscow in 2011.",
    ],
)
def test_english_with_foreign_names_and_quoted_phrases_is_not_held_for_language(text):
    assert list(LanguageCheck()(on_seed(text))) == []


# --- 3. hate without a listed group name ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "These people are cockroaches and should be exterminated.",
        "They are rats. They should all be gassed.",
        "Those vermin should be driven out of Siberia.",
        "Serbs should be exterminated.",
        "The Serbs must be wiped out.",
        "Immigrants are a disease and should be exterminated.",
        "Russians should be wiped off the map, every last one of them.",
    ],
)
def test_dehumanising_or_eliminationist_language_removes(text):
    [finding] = list(HateCheck()(on_seed(text)))
    assert (finding.decision, finding.code) == (REMOVE, "hate")


@pytest.mark.parametrize(
    "text",
    [
        "Corruption must be wiped out in both countries.",
        "Terrorism should be eradicated, and the SCO claims to do that.",
        "These tariffs should be eliminated.",
    ],
)
def test_eliminating_things_is_not_hate(text):
    assert list(HateCheck()(on_seed(text))) == []


def test_dehumanising_without_a_call_to_harm_or_a_known_target_is_held():
    assert decision(HateCheck(), "They are animals.") is HOLD
    assert decision(HateCheck(), "Mosquitoes should be exterminated.") is HOLD


# --- 4. reported and condemned speech ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Critics were told to shut up by the Kremlin",
        "The Kremlin told journalists to shut up about the pipeline.",
        "Protesters in Almaty were ordered to go to hell, apparently.",
    ],
)
def test_reported_commands_are_not_directed_insults(text):
    assert decision(InsultCheck(), text) is PUBLISH


def test_commands_to_the_reader_still_remove():
    assert decision(InsultCheck(), "I told you to shut up.") is REMOVE
    assert decision(InsultCheck(), "Shut up, you were told to shut up.") is REMOVE


@pytest.mark.parametrize(
    "text",
    [
        "Calling Russians animals is disgusting",
        "Calling Chinese people rats is racist and has no place here.",
        "Comparing Kazakhs to animals, as one commenter did above, is vile.",
        "Someone in the comments called Russians 'savages' - that has no place here.",
    ],
)
def test_condemned_hateful_words_publish(text):
    assert list(HateCheck()(on_seed(text))) == []


@pytest.mark.parametrize(
    "text", ["Calling Russians animals is fine by me.", "He called Russians animals."]
)
def test_reported_hateful_words_are_held_not_removed(text):
    assert decision(HateCheck(), text) is HOLD


# --- 5. relevance: a place name alone ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Does anyone know a good plumber in Shanghai?",
        "Can anyone recommend a cheap pizza place in Moscow?",
    ],
)
def test_a_place_name_alone_does_not_make_a_request_on_topic(text):
    assert decision(TopicCheck(), text) is HOLD


@pytest.mark.parametrize(
    "text",
    [
        "As someone from Almaty, SCO cooperation on border inspections matters",
        "I lived in Shanghai for six years and rarely met Russian business people there.",
        "Beijing holds every card here.",
        "The Uzbeks and Tajiks must be wondering what this means for water.",
    ],
)
def test_places_and_peoples_in_on_topic_comments_still_count(text):
    assert run_topic(text) == []


# --- 6. rude disagreement ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "You clearly have no idea what you are talking about.",
        "You obviously haven't read past the headline.",
    ],
)
def test_rude_disagreement_publishes(text):
    assert pipeline(text) is PUBLISH


# --- 7. fast paths keep their answers ---------------------------------------------------


def test_fold_without_changes_in_length_keeps_offsets():
    text = "Іdiot ｉｄｉｏｔ très"
    folded, index = fold(text)
    assert index is None and len(folded) == len(text)
    assert folded == "idiot idiot tres"
    zero_width = "id\u200biot"
    folded, index = fold(zero_width)
    assert folded == "idiot" and index == [0, 1, 3, 4, 5]


def test_a_long_run_of_single_letters_still_finds_a_spelled_out_word():
    text = " ".join("abcdefghijklmnopqrstuvwxyz" * 3) + " . f u c k"
    a = analyse(text)
    assert "fuck" in {t.canon for t in a.tokens}


def test_domains_are_found_anywhere_in_a_long_text():
    text = "word " * 600 + "see cheap-pills.example/buy now " + "word " * 10 + "www.x.com"
    found = marked(text, sorted(find_links(text)))
    assert found == ["cheap-pills.example/buy", "www.x.com"]
