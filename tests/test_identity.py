"""Issue 14, identity in the library: a person keyed by a resident ID number is called by a keyed
pseudonym, never by the masked number; the Popolo export keeps two such people apart."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from orgmodel import identity
from orgmodel.cli import main
from orgmodel.input import normalize
from orgmodel.input.readers.json_yaml import read_document
from orgmodel.masking import mask_text
from orgmodel.popolo import to_popolo
from tests.helpers.paths import EXAMPLES

EXAMPLE = json.loads((EXAMPLES / "hongqiao.json").read_text(encoding="utf-8"))
ID_A, ID_B = "320602198001011234", "320602199505051234"


def _keyed(numbers: dict[str, str]) -> dict:
    roster = copy.deepcopy(EXAMPLE)
    community = roster["communities"][0]
    for person in community["people"]:
        person["id"] = numbers.get(person["id"], person["id"])
    for appointment in community["appointments"]:
        appointment["person"] = numbers.get(appointment["person"], appointment["person"])
    return roster


def _popolo(roster: dict, secret: str | None = None) -> dict:
    loaded, _ = normalize.load(read_document(roster, "roster.json"))
    return to_popolo(loaded, secret)


@pytest.mark.parametrize(("person_id", "needs"), [
    (ID_A, True), ("32060219800101123x", True), ("13912345678", True), ("+86 139 1234 5678", True),
    ("P001", False), ("320602001001", False), ("pid-abc", False)])
def test_which_ids_need_a_pseudonym(person_id: str, needs: bool) -> None:
    assert identity.needs_pseudonym(person_id) is needs
    assert (identity.public_id(person_id, b"k") == person_id) is not needs


@given(st.text(min_size=1, max_size=40), st.binary(min_size=1, max_size=64))
def test_a_pseudonym_is_stable_and_never_masked(person_id: str, secret: bytes) -> None:
    made = identity.pseudonym(person_id, secret)
    assert made == identity.pseudonym(person_id, secret)
    assert mask_text(made) == made and not identity.needs_pseudonym(made)
    assert made.startswith(identity.PSEUDONYM_PREFIX) and made[4:].isalpha() and len(made) == 24


def test_the_pseudonym_depends_on_the_secret_and_the_whole_number() -> None:
    assert identity.pseudonym(ID_A, b"one") != identity.pseudonym(ID_A, b"two")
    assert identity.pseudonym(ID_A, b"one") != identity.pseudonym(ID_B, b"one")
    assert mask_text(ID_A) == mask_text(ID_B)  # what the old ids were, and why they collided


@pytest.mark.parametrize("secret", [None, "a secret"])
def test_popolo_keeps_two_people_whose_numbers_mask_alike_apart(secret: str | None) -> None:
    doc = _popolo(_keyed({"P022": ID_A, "P001": ID_B}), secret)
    persons = {p["id"]: p for p in doc["persons"]}
    assert len(persons) == len(doc["persons"])  # unique ids
    numbered = [p for p in persons.values() if p.get("identifiers")]
    assert len(numbered) == 2 and {p["id"] for p in numbered}.isdisjoint({f"person/{mask_text(ID_A)}"})
    assert all(p["identifiers"] == [{"scheme": "masked_id", "identifier": "320602********1234"}] for p in numbered)
    assert all(m["person_id"] in persons for m in doc["memberships"])
    text = json.dumps(doc, ensure_ascii=False)
    assert ID_A not in text and ID_B not in text
    if secret is not None:
        assert {p["id"] for p in numbered} == {f"person/{identity.pseudonym(n, b'a secret')}" for n in (ID_A, ID_B)}


def test_popolo_ids_with_a_secret_stay_when_people_are_added() -> None:
    first = {p["id"] for p in _popolo(_keyed({"P022": ID_A}), "k")["persons"]}
    roster = _keyed({"P022": ID_A, "P001": ID_B})
    second = {p["id"] for p in _popolo(roster, "k")["persons"]}
    assert f"person/{identity.pseudonym(ID_A, b'k')}" in first & second


def test_popolo_without_a_secret_numbers_people_in_roster_order() -> None:
    doc = _popolo(_keyed({"P022": ID_A, "P001": ID_B}))
    assert sorted(p["id"] for p in doc["persons"] if p.get("identifiers")) == ["person/pid-1", "person/pid-2"]
    assert doc == _popolo(_keyed({"P022": ID_A, "P001": ID_B}))  # the same roster, the same export


def test_the_export_command_reads_orgmodel_id_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "roster.json"
    path.write_text(json.dumps(_keyed({"P022": ID_A}), ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("ORGMODEL_ID_SECRET", "from the environment")
    text = CliRunner().invoke(main, ["export", str(path)]).stdout
    assert f'"person/{identity.pseudonym(ID_A, b"from the environment")}"' in text and ID_A not in text
