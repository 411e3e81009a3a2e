"""The screening checks one by one, and the pipeline that combines them."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from comments.screening import (
    DEFAULT_CHECKS,
    ArticleContext,
    Decision,
    Finding,
    Screening,
    Signals,
    get_checks,
    screen,
)
from comments.screening.config import build_checks
from comments.screening.language import LanguageCheck
from comments.screening.shouting import ShoutingCheck
from comments.screening.signals import SignalsCheck
from comments.screening.spam import SpamCheck, find_contacts, find_links
from comments.screening.terms import TermCheck

from .screening_helpers import marked, on_seed

PUBLISH, HOLD, REMOVE = Decision.PUBLISH, Decision.HOLD, Decision.REMOVE


def run(check, text: str, **fields) -> list[Finding]:
    return list(check(on_seed(text, **fields)))


def decision(check, text: str, **fields) -> Decision:
    return max((f.decision for f in run(check, text, **fields)), default=PUBLISH)


# --- the types --------------------------------------------------------------------------


def test_the_strictest_decision_wins():
    assert PUBLISH < HOLD < REMOVE
    assert max([HOLD, REMOVE, PUBLISH]) is REMOVE


def test_finding_as_dict_is_json_serialisable():
    finding = Finding(REMOVE, "banned_term", 1.0, ((3, 8),), "idiot")
    as_dict = finding.as_dict()
    assert as_dict == {
        "decision": "remove",
        "code": "banned_term",
        "score": 1.0,
        "spans": [[3, 8]],
        "detail": "idiot",
    }
    assert json.loads(json.dumps(as_dict)) == as_dict


def test_screening_reasons_and_score():
    findings = (Finding(HOLD, "a", 0.4), Finding(HOLD, "b", 0.7), Finding(PUBLISH, "c", 0.9))
    screening = Screening(HOLD, findings)
    assert screening.score == 0.7
    assert [r["code"] for r in screening.reasons] == ["a", "b", "c"]
    assert Screening(PUBLISH, ()).score == 0.0


# --- terms ------------------------------------------------------------------------------


def test_banned_term_removes_with_span_on_the_original_word():
    text = "Send all the Ch1nks back."
    [finding] = run(TermCheck(), text)
    assert (finding.decision, finding.code) == (REMOVE, "banned_term")
    assert marked(text, finding.spans) == ["Ch1nks"]
    assert finding.detail == "chink"


def test_suspect_term_holds():
    [finding] = run(TermCheck(), "Typical ruskies again.")
    assert (finding.decision, finding.code) == (HOLD, "suspect_term")


def test_quoted_slur_is_held_not_removed():
    assert decision(TermCheck(), 'He called them "chinks", which is disgraceful.') is HOLD


def test_term_lists_can_be_extended_and_trimmed_from_options():
    check = TermCheck(extra_banned=["badword"], extra_suspect=["meh thing"], allow=["ruskie"])
    assert decision(check, "what a b4dw0rd") is REMOVE
    assert decision(check, "a meh thing") is HOLD
    assert decision(check, "ruskie") is PUBLISH
    assert decision(TermCheck(banned=["only"]), "chink") is PUBLISH


def test_banned_term_in_user_name_removes():
    [finding] = run(TermCheck(), "Fine comment.", user_name="n1gg3r")
    assert finding.decision is REMOVE and "user name" in finding.detail


@pytest.mark.parametrize(
    "text", ["Greetings from Scunthorpe and Middlesex", "the specialist's assessment"]
)
def test_terms_leave_innocent_words_alone(text):
    assert run(TermCheck(), text) == []


# --- hate -------------------------------------------------------------------------------


# --- spam -------------------------------------------------------------------------------


def test_links_and_contacts_are_found():
    text = "See http://a.example/x, www.b.com and pills.example or me@mail.example"
    assert marked(text, find_links(text)) == ["http://a.example/x,", "www.b.com", "pills.example"]
    phone = "Call +1 800 555 0199 today"
    assert marked(phone, find_contacts(phone)) == ["+1 800 555 0199"]
    assert find_contacts("the years 1969 1991 2001 and 80 billion") == []
    assert find_links("U.S. dollars, e.g. 5.5 billion, i.e. a lot") == []


def test_links_written_out_in_words_are_links():
    for text, link in [
        ("Best prices at cheap-watches dot com, hurry", "cheap-watches dot com"),
        ("go to w w w . pills . net today", "w w w . pills . net"),
        ("my shop: replicas (dot) ru", "replicas (dot) ru"),
    ]:
        assert marked(text, find_links(text)) == [link]
    assert find_links("The SCO. Com-\npletely new. Lavrov dot points") == []


def test_spam_rules_hold_many_links_and_contact_details_only():
    assert decision(SpamCheck(), "Sources: http://a.example http://b.example") is HOLD
    assert decision(SpamCheck(), "Write to me at me@mail.example") is HOLD
    assert decision(SpamCheck(), "Call +1 800 555 0199 today") is HOLD
    # One link is a reader citing a source; what surrounds it is the model's to judge.
    assert decision(SpamCheck(), "China.org.cn carried the interview too.") is PUBLISH
    assert decision(SpamCheck(), "Russia sells weapons and China buys them.") is PUBLISH
    assert decision(SpamCheck(), "Fine.", user_name="pills.example") is HOLD


def test_spam_options_are_validated():
    with pytest.raises(ValueError):
        SpamCheck(max_links=-1)


# --- the article ------------------------------------------------------------------------


def test_article_context_is_plain_facts():
    context = ArticleContext.build(
        headline="Grain deal", text="<p>Wheat <b>exports</b> rise</p>", topics=["Agriculture"]
    )
    assert (context.headline, context.topics) == ("Grain deal", ("Agriculture",))
    assert " ".join(context.text.split()) == "Wheat exports rise"


# --- language, shouting, signals --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Me gusta mucho este artículo, gracias por la información.",
        "Das ist wirklich ein sehr guter Artikel über die Beziehungen.",
        "C'est un partenariat de façade, rien de plus entre ces deux pays.",
        "Bu ilişki sadece ekonomik çıkarlara dayanıyor, dostluk değil.",
    ],
)
def test_languages_the_model_does_not_cover_are_held(text):
    [finding] = run(LanguageCheck(), text)
    assert (finding.decision, finding.code) == (HOLD, "language")


@pytest.mark.parametrize(
    "text",
    [
        "Это всё пропаганда, никто не верит Лаврову.",
        "中俄关系非常重要，希望两国继续合作。",
        "Good read.",
        "Agreed, totally.",
    ],
)
def test_covered_languages_and_short_comments_are_left_to_the_model(text):
    assert run(LanguageCheck(), text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Xi Jinping and Hu Jintao met Putin; Wang Yi and Li Na were there too.",
        "As someone from Almaty, I say: c'est la vie.",
        "\u0456d\u0456\u043et auth\u043er",
        "The de facto alliance is real.",
    ],
)
def test_english_with_foreign_names_is_not_held_for_language(text):
    assert run(LanguageCheck(), text) == []


def test_shouting():
    assert decision(ShoutingCheck(), "THIS IS ALL PROPAGANDA FROM BEIJING AND MOSCOW") is HOLD
    assert decision(ShoutingCheck(), "The SCO, BRICS, G20 and UN all matter.") is PUBLISH
    assert decision(ShoutingCheck(), "NO WAY") is PUBLISH


@pytest.mark.parametrize(
    ("signals", "code", "expected"),
    [
        (Signals(recent_by_client=9), "flood", HOLD),
        (Signals(recent_by_name=9), "flood", HOLD),
        (Signals(duplicate_elsewhere=True), "duplicate", HOLD),
    ],
)
def test_signals(signals, code, expected):
    [finding] = run(SignalsCheck(), "Fine comment on trade.", signals=signals)
    assert (finding.code, finding.decision) == (code, expected)
    assert run(SignalsCheck(), "Fine.", signals=Signals(recent_by_client=2)) == []


# --- the pipeline -----------------------------------------------------------------------


def test_strictest_decision_wins_and_all_findings_are_kept():
    submission = on_seed(
        "YOU STUPID FAGGOT, BUY CHEAP PILLS AT PILLS.EXAMPLE AND WWW.PILLS.EXAMPLE",
        signals=Signals(duplicate_elsewhere=True),
    )
    screening = screen(submission, build_checks(DEFAULT_CHECKS))
    assert screening.decision is REMOVE
    codes = {f.code for f in screening.findings}
    assert {"banned_term", "spam_links", "duplicate", "shouting"} <= codes
    assert codes & {"abusive", "spam"}  # and the model's own verdict
    assert screening.findings[0].decision is REMOVE  # strictest first
    assert screening.score == max(f.score for f in screening.findings if f.decision is REMOVE)


def test_clean_comment_publishes_with_no_findings_and_names_the_model():
    screening = screen(on_seed("Lavrov and Putin keep the SCO at the centre of ties with Beijing."))
    assert (screening.decision, screening.findings, screening.reasons) == (PUBLISH, (), [])
    assert screening.model_version.startswith("m")


def test_custom_checks_and_a_failing_check_holds():
    def boom(submission):
        raise RuntimeError("bug")

    screening = screen(on_seed("Fine comment."), [boom, ShoutingCheck()])
    assert screening.decision is HOLD
    assert "check_error" in {f.code for f in screening.findings}


def test_default_checks_are_used_without_the_setting(settings):
    del settings.COMMENT_SCREENING_CHECKS
    assert [type(c).__name__ for c in get_checks()] == [
        entry["NAME"].rsplit(".", 1)[1] for entry in DEFAULT_CHECKS
    ]


def test_checks_come_from_settings_and_a_change_clears_the_cache(settings):
    settings.COMMENT_SCREENING_CHECKS = [
        {"NAME": "comments.screening.shouting.ShoutingCheck", "OPTIONS": {"min_letters": 3}}
    ]
    [check] = get_checks()
    assert get_checks()[0] is check
    assert screen(on_seed("NO WAY")).decision is HOLD
    settings.COMMENT_SCREENING_CHECKS = []
    assert get_checks() == []
    assert screen(on_seed("you idiot")).decision is PUBLISH


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ([{"NAME": "comments.screening.nope.Nope"}], "cannot import"),
        ([{"NAME": "comments.screening.spam.SpamCheck", "OPTIONS": {"bogus": 1}}], "bad OPTIONS"),
        ([{"NAME": "comments.screening.spam.SpamCheck", "OPTIONS": {"max_links": -1}}], "bad"),
        ([{"OPTIONS": {}}], "'NAME'"),
        (["comments.screening.spam.SpamCheck"], "'NAME'"),
        ([{"NAME": "comments.screening.spam.SpamCheck", "OPTION": {}}], "unknown keys"),
        ([{"NAME": "comments.screening.spam.SpamCheck", "OPTIONS": []}], "must be a dict"),
        ([{"NAME": "comments.screening.DEFAULT_CHECKS"}], "not callable"),
    ],
)
def test_bad_configuration_is_improperly_configured(settings, config, message):
    settings.COMMENT_SCREENING_CHECKS = config
    with pytest.raises(ImproperlyConfigured, match=message):
        get_checks()


def test_the_form_alone_refuses_bots_so_screening_has_no_speed_option():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="min_seconds"):
        build_checks(
            [{"NAME": "comments.screening.signals.SignalsCheck", "OPTIONS": {"min_seconds": 3}}]
        )
