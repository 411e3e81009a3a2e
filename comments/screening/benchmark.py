"""A micro-benchmark of screening: p50/p99/max milliseconds per comment over a realistic mix."""

from __future__ import annotations

import os
import random
import statistics
import time

from .base import Signals, Submission
from .config import DEFAULT_CHECKS, build_checks
from .context import ArticleContext
from .embedding import Encoder
from .model import ARTIFACT, Model
from .normalize import analyse
from .pipeline import screen

ARTICLE = (
    "Relations between Russia and China have reached unprecedented high levels, Russian Foreign "
    "Minister Sergei Lavrov said in an interview ahead of President Vladimir Putin's visit. "
    "The two countries set a goal for bilateral trade of 100 billion U.S. dollars in 2015 and "
    "200 billion in 2020, and cooperate in the Shanghai Cooperation Organization (SCO)."
)

SAMPLES = (
    "Good to see trade passing 80 billion dollars. The 2015 target looks reachable.",
    "Lavrov always says relations are at an all-time high. I'd like to see concrete numbers.",
    "This reads like a press release. Both governments have reasons to overstate the friendship.",
    "As someone from Almaty, SCO cooperation on border inspections matters a lot to us.",
    "Lavrov is a lying idiot and anyone who believes this garbage is a moron.",
    "F*** you and f*** your propaganda website.",
    "u r a st00pid 1d10t lol",
    "Russians are drunk savages, what do you expect from that race.",
    "The Jews control both governments anyway.",
    "Cheap Rolex replicas, free shipping! Visit www.cheap-watches-4u.example now",
    "Need a loan? Instant approval, no credit check. Call +1 800 555 0199 today!",
    "My cat just had five kittens, does anyone want one?",
    "hahahahaha",
    "Это всё пропаганда, никто не верит Лаврову.",
    "THIS IS THE MOST IMPORTANT BILATERAL RELATIONSHIP IN ASIA AND NOBODY IS PAYING ATTENTION",
    "f u c k this site, іdіоt authоr, ｉｄｉｏｔ",
)


def _long_comment(rng: random.Random, length: int) -> str:
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < length:
        parts.append(rng.choice(SAMPLES))
    return " ".join(parts)[:length]


def _adversarial(rng: random.Random, length: int) -> str:
    pieces = ("a" * 50, "f u c k ", "1d10t", "www.", "@", "$$$", "*" * 20, "a.b.c.d.e.", "9" * 30)
    return "".join(rng.choice(pieces) for _ in range(length // 8))[:length]


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def model_footprint() -> dict:
    """How long loading the model takes and how much resident memory it adds (run in a fresh
    process for a true figure: `python -m comments.screening.benchmark`)."""
    before = _resident_mb()
    start = time.perf_counter()
    Model.load(ARTIFACT)
    load_ms = (time.perf_counter() - start) * 1000
    loaded = _resident_mb()
    start = time.perf_counter()
    Encoder()
    encoder_ms = (time.perf_counter() - start) * 1000
    return {
        "load_ms": round(load_ms, 1),
        "model_mb": round(loaded - before, 1),
        "encoder_load_ms": round(encoder_ms, 1),
        "encoder_mb": round(_resident_mb() - loaded, 1),
    }


def run(n: int = 2000, seed: int = 12) -> dict:
    """Screen `n` comments (one in ten up to 3,000 characters, a few adversarial) with the
    default checks; return timing percentiles in milliseconds."""
    rng = random.Random(seed)
    article = ArticleContext.build(headline="China-Russia ties", text=ARTICLE, topics=["SCO"])
    checks = build_checks(DEFAULT_CHECKS)
    screen(Submission("Warm-up.", article=article), checks)  # loads the models, once
    timings: list[float] = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.1:
            text = _long_comment(rng, rng.randint(1000, 3000))
        elif roll < 0.12:
            text = _adversarial(rng, 3000)
        else:
            text = rng.choice(SAMPLES)
        text = f"{text} #{i}"  # every comment is new to the analysis cache
        submission = Submission(text, user_name="reader", article=article, signals=Signals())
        start = time.perf_counter()
        screen(submission, checks)
        timings.append((time.perf_counter() - start) * 1000)
        analyse.cache_clear()
    timings.sort()
    return {
        "n": n,
        "p50_ms": round(statistics.median(timings), 3),
        "p99_ms": round(timings[int(0.99 * (n - 1))], 3),
        "max_ms": round(timings[-1], 3),
    }


if __name__ == "__main__":
    print(model_footprint() | run())
