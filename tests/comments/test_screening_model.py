"""The learned screening model: what the policy needs of it on comments it never saw, how its
artifact is kept, and how it learns from moderators.

The comments below were written for these tests, not taken from the corpus or any labelled
file, and the model was not tuned on them."""

import gzip
import json
import re

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from comments import services
from comments.models import Comment, ModerationDecision
from comments.overrules import overrules
from comments.screening import Decision, screen, training
from comments.screening import corpus as corpus_module
from comments.screening.classifier import ModelCheck
from comments.screening.embedding import ENCODER, FEATURES
from comments.screening.model import ARTIFACT, LABELS, Model, current_model
from comments.training_data import moderator_examples

from .screening_helpers import on_seed

PUBLISH = Decision.PUBLISH

# Each a family: one idea written several ways, none of it in the training corpus.
NOT_PUBLISHED = {
    "a threat against a named politician": [
        "Someone ought to put a bullet in Lavrov before he reaches the summit.",
        "I hope a sniper is waiting for Putin in Beijing.",
        "Lavrov deserves a bullet, not a microphone.",
    ],
    "a group called vermin to be driven out": [
        "These migrants breed like rats, send every last one of them back.",
        "Central Asian workers are vermin infesting Moscow, clear them out.",
        "Muslims are a plague on Europe and should be thrown out.",
    ],
    "a personal attack without a swear word": [
        "@Oleg your IQ must be room temperature, go back to school.",
        "Whoever wrote this has the brain of a goldfish.",
    ],
    "advertising with the link written out": [
        "Earn 300 dollars a day from home, details at quickcash dot net",
        "Cheap meds without prescription, order today at w w w . medsdirect . com",
    ],
}
PUBLISHED = [
    "Calling migrants 'vermin' is disgusting, and the commenter above should be ashamed.",
    "Assad's forces treat Syrians like animals, and Moscow keeps shielding him at the UN.",
    "Lavrov is spinning the trade numbers again; 80 billion is mostly oil and gas.",
    "Interesting interview, thanks.",
    "Лавров как всегда говорит красиво, но цифры торговли впечатляют.",
    "中俄能源合作对两国都有好处。",
]


# Known misses of the shipped model (README, "How it does"): kept as strict expected
# failures, so the day a model gets them right the suite says so and the mark goes.
KNOWN_MISS = pytest.mark.xfail(strict=True, reason="a known miss of the shipped model")
MISSED = {
    # Held: the embedding reads a quoted slur as near the slur (the words-only model
    # published it, and missed the sniper threat and the Assad comment, which this one gets).
    "Calling migrants 'vermin' is disgusting, and the commenter above should be ashamed.",
}


def _marked(values, text_of):
    return [
        pytest.param(*value, marks=KNOWN_MISS) if text_of(value) in MISSED else value
        for value in values
    ]


@pytest.mark.parametrize(
    ("idea", "text"),
    _marked(
        [(idea, text) for idea, texts in NOT_PUBLISHED.items() for text in texts],
        lambda value: value[1],
    ),
)
def test_unseen_harm_is_not_published(idea, text):
    screening = screen(on_seed(text))
    assert screening.decision is not PUBLISH, (idea, screening.reasons)


@pytest.mark.parametrize(
    "text",
    [pytest.param(text, marks=KNOWN_MISS) if text in MISSED else text for text in PUBLISHED],
)
def test_unseen_legitimate_hard_cases_publish(text):
    screening = screen(on_seed(text))
    assert screening.decision is PUBLISH, screening.reasons


def test_the_reasons_name_the_label_its_probability_and_the_weightiest_words():
    text = "Ukrainians are subhuman parasites and deserve nothing."
    screening = screen(on_seed(text))
    [finding] = [f for f in screening.findings if f.code == "hate"]
    assert re.match(r"hate [01]\.\d\d: ", finding.detail)
    assert finding.score == pytest.approx(float(finding.detail.split()[1].rstrip(":")), abs=0.01)
    marked = {text[start:end] for start, end in finding.spans}
    assert marked & {"subhuman", "parasites"}


def test_the_model_never_publishes_what_it_is_unsure_of():
    # The decision policy is a setting: a stricter min_ok holds what the default publishes.
    text = "Lavrov and Putin keep the SCO at the centre of ties with Beijing."
    assert list(ModelCheck()(on_seed(text))) == []
    [finding] = ModelCheck(min_ok=0.999)(on_seed(text))
    assert (finding.decision, finding.code) == (Decision.HOLD, "unsure")


def test_a_few_words_are_held_for_a_moderator_never_removed_by_the_machine():
    sure = {"ok": 0.0001, "abusive": 0.9999, "hate": 0.0, "spam": 0.0, "off_topic": 0.0}
    policy = ModelCheck(min_words_to_remove=6)
    assert policy.decision(sure, words=3) == Decision.HOLD
    assert policy.decision(sure, words=6) == Decision.REMOVE
    # Through the shipped model: a short insult waits for a moderator; a long one is removed.
    assert screen(on_seed("You are a moron.")).decision == Decision.HOLD
    long = "You are a moron and a liar, and everybody on this page knows you are a paid troll."
    assert screen(on_seed(long)).decision == Decision.REMOVE


def test_the_artifact_is_plain_data_loaded_once():
    with gzip.open(ARTIFACT, "rt", encoding="utf-8") as file:
        data = json.load(file)
    assert data["labels"] == list(LABELS)
    assert len(data["vocabulary"]) == len(data["coef"]) == len(data["idf"])
    # What the comment means weighs in too: one weight per meaning feature and label.
    assert data["embedding"]["encoder"] == ENCODER
    assert len(data["embedding"]["coef"]) == FEATURES
    assert {len(row) for row in data["embedding"]["coef"]} == {len(LABELS)}
    assert current_model() is current_model()
    assert current_model().version == data["version"]
    assert ARTIFACT.stat().st_size < 8 * 1024 * 1024


def test_the_comment_records_the_model_that_screened_it(seed_article, admin_client):
    comment = services.submit_comment(
        article=seed_article, user_name="Reader", text="The SCO summit matters for Central Asia."
    ).comment
    assert comment.screening_model == current_model().version
    page = admin_client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert current_model().version in page


# --- training -----------------------------------------------------------------------------


def write_corpus(folder, families):
    lines = []
    for family, (label, texts) in families.items():
        for text in texts:
            lines.append(json.dumps({"family": family, "label": label, "text": text}))
    (folder / "tiny.jsonl").write_text("\n".join(lines), encoding="utf-8")


TINY = {
    f"{label}-{n}": (label, [f"{word} {n} {tail}" for tail in ("one", "two", "three", "four")])
    for label, word in [
        ("ok", "trade summit treaty"),
        ("abusive", "idiot moron clown"),
        ("hate", "vermin parasites subhuman"),
        ("spam", "cheap pills casino"),
        ("off_topic", "recipe kitten football"),
    ]
    for n in range(12)
}


@pytest.fixture
def tiny_corpus(tmp_path, monkeypatch):
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_corpus(folder, TINY)
    monkeypatch.setattr(corpus_module, "CORPUS_DIR", folder)
    return folder


def test_comments_written_under_another_article_are_read_with_its_words(tiny_corpus):
    (tiny_corpus / "articles").mkdir()
    (tiny_corpus / "articles" / "night-buses.json").write_text(
        json.dumps(
            {"headline": "Night buses reach the suburbs", "topics": ["Transport"], "body": "Fares"}
        )
    )
    row = {"family": "f", "label": "ok", "text": "Finally, buses after midnight."}
    (tiny_corpus / "tiny.jsonl").write_text(json.dumps(row | {"article": "night-buses"}))
    [example] = corpus_module.read()
    assert example.article_slug == "night-buses"
    assert {"buses", "suburbs", "transport", "fares"} <= example.article
    assert corpus_module.rows([example])[0]["article"] == "night-buses"

    (tiny_corpus / "tiny.jsonl").write_text(json.dumps(row | {"article": "no-such-article"}))
    with pytest.raises(corpus_module.CorpusError, match="no article 'no-such-article'"):
        corpus_module.read()


def test_what_is_learned_of_one_word_carries_to_others_of_its_kind(tiny_corpus):
    """The tiny corpus calls groups "vermin", "parasites" and "subhuman"; a comment using a
    degrading word that no training comment used is still read as hate, and a group the
    corpus never named is still a group."""
    model = training.as_model(training.train(corpus_module.read()).artifact)
    assert model.predict("maggots 3").label == "hate"
    assert model.predict("cockroaches 5").label == "hate"
    assert model.predict("imbecile 2").label == "abusive"


def test_training_is_reproducible_and_refuses_a_silent_downgrade(tiny_corpus, tmp_path, capsys):
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    call_command("train_screening", "--output", str(first))
    call_command("train_screening", "--output", str(second), "--force")
    assert first.read_bytes() == second.read_bytes()
    assert "sealed split" in capsys.readouterr().out

    # Training families that teach the opposite make a model that does worse on the sealed
    # ones (labelled as before), and it must not replace the better model unasked.
    swapped = {
        family: (
            label if corpus_module.is_sealed(family) else ("ok" if label != "ok" else "abusive"),
            texts,
        )
        for family, (label, texts) in TINY.items()
    }
    write_corpus(tiny_corpus, swapped)
    with pytest.raises(CommandError, match="does worse"):
        call_command("train_screening", "--output", str(first))
    assert first.read_bytes() == second.read_bytes()


def test_moderators_decisions_become_weighted_examples(seed_article, django_user_model):
    moderator = django_user_model.objects.create_user("mod.eva", is_staff=True)
    kept = Comment.objects.create(
        article=seed_article, user_name="A", text="A sharp but fair point.", content_hash="a"
    )
    gone = Comment.objects.create(
        article=seed_article, user_name="B", text="Buy gold coins now.", content_hash="b"
    )
    by_portal = Comment.objects.create(
        article=seed_article, user_name="C", text="Reported a lot.", content_hash="c"
    )
    services.remove(comment=kept, moderator=moderator)
    services.approve(comment=kept, moderator=moderator)  # the latest decision counts
    services.remove(comment=gone, moderator=moderator, action=ModerationDecision.Action.REMOVE_SPAM)
    services.moderate(
        comment=by_portal, moderator=None, action=ModerationDecision.Action.HOLD_REPORTED
    )
    examples = {e.text: (e.label, e.weight) for e in moderator_examples(weight=3)}
    assert examples == {
        "A sharp but fair point.": ("ok", 3),
        "Buy gold coins now.": ("spam", 3),
    }


def test_overrules_are_reported_per_label(seed_article, django_user_model):
    moderator = django_user_model.objects.create_user("mod.ida", is_staff=True)
    wrongly_held = services.submit_comment(
        article=seed_article, user_name="D", text="You moron, nobody believes your numbers."
    ).comment
    services.approve(comment=wrongly_held, moderator=moderator)
    rows = {row.label: row for row in overrules(days=30)}
    label = max(
        (r["score"], r["code"]) for r in wrongly_held.screening_reasons if r["code"] in LABELS
    )[1]
    assert (rows[label].reviewed, rows[label].overruled, rows[label].rate) == (1, 1, 1.0)
    assert rows["ok"].overruled == 0


def test_loading_refuses_what_is_not_a_screening_model():
    with pytest.raises(ValueError):
        Model({"format": 99, "labels": list(LABELS)})
    with gzip.open(ARTIFACT, "rt", encoding="utf-8") as file:
        data = json.load(file)
    data["embedding"]["encoder"] = "some-other-encoder"
    with pytest.raises(ValueError, match="another encoder"):
        Model(data)


@pytest.mark.retrains
def test_the_committed_artifact_is_what_the_committed_corpus_trains(retrained_artifact):
    """train_screening on a fresh clone gives the shipped model (started at collection, in a
    process of its own: tests/retraining.py). On the machine that trained it the bytes are
    the same; on another CPU the linear algebra adds its products in another order, which
    moves the last digits of some weights, so the weights are compared to within 0.002 (a
    weight of that size moves a probability by well under a thousandth)."""
    retrained = json.loads(gzip.decompress(retrained_artifact))
    shipped = json.loads(gzip.decompress(ARTIFACT.read_bytes()))
    assert retrained["vocabulary"] == shipped["vocabulary"]
    assert retrained["idf"] == shipped["idf"]
    assert retrained["metadata"] == shipped["metadata"]
    assert retrained["temperature"] == pytest.approx(shipped["temperature"], abs=0.05)
    for retrained_weights, shipped_weights in [
        (retrained["coef"], shipped["coef"]),
        (retrained["intercept"], shipped["intercept"]),
        (retrained["embedding"]["coef"], shipped["embedding"]["coef"]),
    ]:
        assert np.abs(np.array(retrained_weights) - np.array(shipped_weights)).max() < 0.002
