"""The screen_comments and eval_moderation management commands (against the seeded article)."""

import json

import pytest
from django.core.management import CommandError, call_command

from comments.management.commands import eval_moderation
from comments.screening import corpus

ROWS = [
    {"id": "a", "username": "Wang", "text": "Interesting interview, thanks."},
    {"id": "b", "username": "x", "text": "You idiot."},
    {"id": "c", "username": "y", "text": "Cheap pills at pills.example, free shipping!"},
    {"id": "d", "username": "z", "text": "My cat had kittens.", "label": "ignored"},
]


def write_jsonl(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def comments_file(tmp_path):
    return write_jsonl(tmp_path / "comments.jsonl", [json.dumps(row) for row in ROWS])


def test_screen_comments_prints_one_json_line_per_comment(db, comments_file, capsys):
    call_command("screen_comments", str(comments_file))
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in out] == ["a", "b", "c", "d"]
    assert {r["decision"] for r in out} <= {"publish", "hold", "remove"}
    assert (out[0]["decision"], out[0]["reasons"]) == ("publish", [])
    assert out[1]["decision"] != "publish"
    assert {"decision", "code", "score", "spans", "detail"} == set(out[1]["reasons"][0])
    text = ROWS[1]["text"]
    for reason in out[1]["reasons"]:
        assert all(0 <= start < end <= len(text) for start, end in reason["spans"])


def test_screen_comments_saves_nothing(db, comments_file, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the article and its topics, nothing written
        call_command("screen_comments", str(comments_file))


def test_screen_comments_uses_the_given_article(db, make_article, tmp_path, capsys):
    article = make_article(headline="Cat show", body="<p>Kittens and cats at the show.</p>")
    path = write_jsonl(tmp_path / "c.jsonl", [json.dumps(ROWS[3])])
    call_command("screen_comments", str(path), article=article.slug)
    assert json.loads(capsys.readouterr().out)["id"] == "d"


def test_unknown_article_is_a_command_error(db, comments_file):
    with pytest.raises(CommandError, match="No article with slug 'nope'"):
        call_command("screen_comments", str(comments_file), article="nope")


def test_bad_lines_are_reported_skipped_and_fail_the_command(db, tmp_path, capsys):
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [json.dumps(ROWS[0]), "{not json", "", json.dumps({"id": "n"}), json.dumps(ROWS[1])],
    )
    with pytest.raises(CommandError, match="2 bad lines skipped") as error:
        call_command("screen_comments", str(path))
    assert error.value.returncode == 1
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == ["a", "b"]
    assert "line 2: not valid JSON" in captured.err
    assert 'line 4: expected a JSON object with a string "text"' in captured.err


def test_missing_file_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("screen_comments", str(tmp_path / "none.jsonl"))


def test_eval_moderation_prints_the_table_and_passes(db, tmp_path, capsys):
    rows = [{"id": "g1", "text": "Interesting interview, thanks.", "label": "ok"}]
    call_command("eval_moderation", str(write_jsonl(tmp_path / "g.jsonl", map(json.dumps, rows))))
    out = capsys.readouterr().out
    assert "label" in out and "published" in out
    assert any(line.startswith("ok") and "pass" in line for line in out.splitlines())


def test_eval_moderation_fails_and_lists_misclassified(db, tmp_path, capsys):
    rows = [{"id": "x1", "text": "You idiot.", "label": "ok"}, {**ROWS[0], "label": "ok"}]
    path = write_jsonl(tmp_path / "l.jsonl", [json.dumps(row) for row in rows])
    with pytest.raises(CommandError, match="targets failed"):
        call_command("eval_moderation", str(path))
    out = capsys.readouterr().out
    assert "FAIL" in out
    assert "x1 [ok -> " in out and "abusive" in out


def test_eval_moderation_needs_labels_and_an_existing_file(db, tmp_path):
    path = write_jsonl(tmp_path / "nolabel.jsonl", [json.dumps(ROWS[0])])
    with pytest.raises(CommandError, match="has no label"):
        call_command("eval_moderation", str(path))
    with pytest.raises(CommandError, match="No labelled comments at .*none.jsonl"):
        call_command("eval_moderation", str(tmp_path / "none.jsonl"))


def test_eval_moderation_runs_on_the_sealed_split_dev_and_fresh_sets(db, capsys, monkeypatch):
    # make eval-moderation runs it without an argument, on a clone with nothing beside it.
    # The figures are reported in the README, not asserted here; screening all 4,000 comments
    # takes over a minute (the encoder reads each), so this runs on the first 30 sealed
    # comments and the first fresh set.
    split = corpus.split
    monkeypatch.setattr(
        eval_moderation.corpus, "split", lambda examples: tuple(p[:30] for p in split(examples))
    )
    monkeypatch.setattr(eval_moderation, "FRESH_FILES", eval_moderation.FRESH_FILES[:1])
    try:
        call_command("eval_moderation", "--quiet")
    except CommandError as error:
        assert "targets failed" in str(error)
    out = capsys.readouterr().out
    assert "corpus, sealed split (30 comments)" in out
    assert "comments/evaluation/dev-comments.jsonl (55 comments)" in out
    assert "comments/evaluation/fresh-" in out
