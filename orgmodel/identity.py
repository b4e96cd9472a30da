"""A person's public id: what the registry, the API and every export call a person.

A roster may key its people by 身份证号 (formats.md §2). Such an id is personal data, and its
masked form (first 6 + last 4 digits) is no id at all: 320602198001011234 and
320602199505051234 both mask to 320602********1234. So a person whose id holds a number that
masking would hide is called by a pseudonym instead — a keyed hash (HMAC-SHA256) of the id,
written in letters only so that no masking ever touches it — and the masked id is shown beside
it, never in its place. Any other id (P001) is its own public id.

The key is what keeps the pseudonym from being reversed: the hidden digits of a resident ID
number are mostly a birth date, a few tens of thousands of guesses, so an unkeyed hash of it
would be no protection at all.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from orgmodel.masking import mask_text

PSEUDONYM_PREFIX = "pid-"
_LETTERS = 20  # 26**20 ≈ 2**94
_CONTEXT = b"orgmodel.person-id/1\x00"


def needs_pseudonym(person_id: str) -> bool:
    """The id holds an ID or mobile number that masking would hide."""
    return mask_text(person_id) != person_id


def pseudonym(person_id: str, secret: bytes) -> str:
    """`pid-` and 20 lower-case letters: the same id and secret always give the same pseudonym."""
    digest = hmac.new(secret, _CONTEXT + person_id.encode("utf-8"), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")
    letters = []
    for _ in range(_LETTERS):
        number, index = divmod(number, 26)
        letters.append(chr(ord("a") + index))
    return PSEUDONYM_PREFIX + "".join(letters)


def public_id(person_id: str, secret: bytes) -> str:
    """The id a person is shown and looked up by."""
    return pseudonym(person_id, secret) if needs_pseudonym(person_id) else person_id


def masked_id(person_id: str) -> str | None:
    """What is shown of an id that has a pseudonym (320602********1234); None for an id shown as it is."""
    return mask_text(person_id) if needs_pseudonym(person_id) else None


def new_secret() -> str:
    """A fresh key for `pseudonym` (256 random bits, as hex)."""
    return secrets.token_hex(32)
