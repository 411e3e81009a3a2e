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
    Submission,
    get_checks,
    screen,
)
from comments.screening.config import build_checks
from comments.screening.hate import HateCheck
from comments.screening.insults import InsultCheck
from comments.screening.language import LanguageCheck
from comments.screening.shouting import ShoutingCheck
from comments.screening.signals import SignalsCheck
from comments.screening.spam import SpamCheck, find_contacts, find_links
from comments.screening.terms import TermCheck
from comments.screening.topic import TopicCheck

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


@pytest.mark.parametrize(
    "text",
    [
        "Chinese people are all liars and thieves, never trust them.",
        "Russians are drunk savages, what do you expect from that race.",
        "Asians are vermin multiplying like rats.",
        "Kazakhs are subhuman and should know their place.",
        "Muslims in Central Asia are all terrorists, the SCO should lock them up.",
        "The Jews control both governments anyway.",
        "Uzbeks should be wiped out.",
        "All Tajiks are thieves.",
        "Never trust a Russian.",
    ],
)
def test_hate_removes(text):
    findings = run(HateCheck(), text)
    assert [(f.decision, f.code) for f in findings] == [(REMOVE, "hate")]


@pytest.mark.parametrize(
    "text",
    [
        "Russians and Chinese students should have more exchange programmes.",
        "As someone from Almaty, SCO cooperation matters to us.",
        "My university hosted Chinese teachers that year.",
        "Lavrov is lying.",
        "The Russian government overstates the friendship.",
        "Beijing's policy is wrong.",
        "Chinese officials are liars when it comes to trade figures.",
        "Russians I know are sceptical of Chinese investment.",
        "Muslims in Xinjiang are rarely mentioned in SCO security talks.",
        "The Russians treated the border issue as a priority.",
    ],
)
def test_neutral_mentions_and_criticism_of_governments_publish(text):
    assert run(HateCheck(), text) == []


def test_hate_spans_cover_the_group_and_the_predicate():
    text = "Honestly, Asians are vermin."
    [finding] = run(HateCheck(), text)
    assert marked(text, finding.spans) == ["Asians", "are vermin"]


def test_quoted_hate_is_held():
    assert decision(HateCheck(), "Someone called Russians 'savages' here. Shameful.") is HOLD


# --- insults ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("You idiot.", ["idiot"]),
        ("Lavrov is a moron.", ["moron"]),
        ("Anyone who believes this is a moron.", ["moron"]),
        ("What an imbecile.", ["imbecile"]),
        ("Go to hell.", ["Go to hell"]),
        ("Shut up.", ["Shut up"]),
        ("F*** you.", ["F*** you"]),
        ("u r a st00pid 1d10t", ["st00pid", "1d10t"]),
        ("Worthless scum.", ["Worthless", "scum"]),
        ("What a clueless author.", ["clueless"]),
    ],
)
def test_directed_insults_remove_and_mark_the_words(text, words):
    findings = [f for f in run(InsultCheck(), text) if f.decision is REMOVE]
    assert findings and findings[0].code == "insult"
    assert marked(text, findings[0].spans) == words


def test_threats_remove():
    [finding] = run(InsultCheck(), "I hope the editor chokes.")
    assert (finding.decision, finding.code) == (REMOVE, "threat")
    assert decision(InsultCheck(), "I hope the deal doesn't die in committee.") is PUBLISH


def test_undirected_insult_holds_and_mild_profanity_is_only_noted():
    assert decision(InsultCheck(), "I felt like an idiot after reading the figures.") is HOLD
    [mild] = run(InsultCheck(), "Damn, 80 billion is a lot.")
    assert (mild.decision, mild.code, mild.detail) == (PUBLISH, "profanity", "damn")
    assert decision(InsultCheck(), "This is bullsh*t.") is HOLD


@pytest.mark.parametrize(
    "text",
    [
        "Stupid question maybe, but what is a strategic partnership?",
        "Dumb luck or strategy? Both sides benefit.",
        "He's no fool, Lavrov.",
        "It's a bloody shame.",
        "Hell of a claim.",
        "The idea is absurd and the figures are wrong.",
        "This is a clown show of a summit.",
    ],
)
def test_fair_comments_are_not_insults(text):
    assert decision(InsultCheck(), text) is PUBLISH


# --- spam -------------------------------------------------------------------------------


def test_links_and_contacts_are_found():
    text = "See http://a.example/x, www.b.com and pills.example or me@mail.example"
    assert marked(text, find_links(text)) == ["http://a.example/x,", "www.b.com", "pills.example"]
    phone = "Call +1 800 555 0199 today"
    assert marked(phone, find_contacts(phone)) == ["+1 800 555 0199"]
    assert find_contacts("the years 1969 1991 2001 and 80 billion") == []
    assert find_links("U.S. dollars, e.g. 5.5 billion, i.e. a lot") == []


def test_spam_rules():
    assert decision(SpamCheck(), "Sources: http://a.example http://b.example") is HOLD
    assert decision(SpamCheck(), "Cheap replicas at www.watches.example") is REMOVE
    assert decision(SpamCheck(), "Instant approval loans, call +1 800 555 0199") is REMOVE
    assert decision(SpamCheck(), "Write to me at me@mail.example") is HOLD
    assert decision(SpamCheck(), "Viagra, cialis, lowest prices, free shipping!") is REMOVE
    assert decision(SpamCheck(), "Russia sells weapons and China buys them.") is PUBLISH
    [single] = run(SpamCheck(), "China.org.cn carried the interview too.")
    assert (single.decision, single.detail) == (PUBLISH, "1 link")


def test_spam_options_are_validated():
    with pytest.raises(ValueError):
        SpamCheck(hold_weight=5, remove_weight=2)


# --- topic ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "This reads like a press release.",
        "Nothing new here. Same statements every year.",
        "I disagree with the article.",
        "Energy cooperation is the key.",
        "Thanks for the article.",
    ],
)
def test_on_topic_comments_pass(text):
    assert run(TopicCheck(), text) == []


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("First!", "no substance"),
        ("hahahahaha", "no substance"),
        ("lol", "no substance"),
        ("My cat just had five kittens, does anyone want one?", "relevance"),
    ],
)
def test_off_topic_comments_are_held_never_removed(text, detail):
    [finding] = run(TopicCheck(), text)
    assert (finding.decision, finding.code) == (HOLD, "off_topic")
    assert finding.detail.startswith(detail)


def test_topic_check_needs_an_article():
    assert list(TopicCheck()(Submission("My cat had kittens"))) == []


def test_article_context_strips_html_and_uses_topics():
    context = ArticleContext.build(
        headline="Grain deal", text="<p>Wheat <b>exports</b> rise</p>", topics=["Agriculture"]
    )
    assert context.weight("exports") == 1.0
    assert context.weight("agriculture") == 1.0
    assert context.weight("b") == 0.0
    assert list(TopicCheck()(Submission("Wheat exports matter", article=context))) == []


# --- language, shouting, signals --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Это всё пропаганда, никто не верит Лаврову.",
        "中俄关系非常重要，希望两国继续合作。",
        "Me gusta mucho este artículo, gracias por la información.",
        "Das ist wirklich ein sehr guter Artikel über die Beziehungen.",
        "Eto vse propaganda, nikto ne verit Lavrovu.",
    ],
)
def test_other_languages_are_held(text):
    [finding] = run(LanguageCheck(), text)
    assert (finding.decision, finding.code) == (HOLD, "language")


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
        "YOU IDIOT, BUY CHEAP PILLS AT PILLS.EXAMPLE", signals=Signals(duplicate_elsewhere=True)
    )
    screening = screen(submission, build_checks(DEFAULT_CHECKS))
    assert screening.decision is REMOVE
    codes = {f.code for f in screening.findings}
    assert {"insult", "spam_links", "duplicate", "shouting"} <= codes
    assert screening.findings[0].decision is REMOVE  # strictest first
    assert screening.score == max(f.score for f in screening.findings if f.decision is REMOVE)


def test_clean_comment_publishes_with_no_findings():
    screening = screen(on_seed("Energy cooperation is the key to these relations."))
    assert (screening.decision, screening.findings, screening.reasons) == (PUBLISH, (), [])


def test_custom_checks_and_a_failing_check_holds():
    def boom(submission):
        raise RuntimeError("bug")

    screening = screen(on_seed("Fine comment."), [boom, TopicCheck()])
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
