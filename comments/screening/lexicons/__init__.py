"""Loading the screening word lists shipped as text files in this folder."""

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=64)
def read(name: str) -> str:
    return resources.files(__package__).joinpath(f"{name}.txt").read_text(encoding="utf-8")


@lru_cache(maxsize=64)
def terms(name: str) -> tuple[str, ...]:
    """One entry (a word or a phrase) per line; "#" starts a comment."""
    lines = (line.split("#", 1)[0].strip() for line in read(name).splitlines())
    return tuple(line for line in lines if line)


@lru_cache(maxsize=64)
def words(name: str) -> frozenset[str]:
    """Whitespace-separated words; "#" starts a comment."""
    return frozenset(word for line in terms(name) for word in line.split())
