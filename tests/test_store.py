"""Chunk files: deterministic bytes, round trips, atomic writes, damaged files."""

import math

from ssisim.engine.codec import chunk_bytes, chunk_records
from ssisim.engine.driver import run_replications
from ssisim.engine.plan import Plan
from ssisim.experiments.store import ResultStore, plan_document
from ssisim.scenario.loading import parse_scenario

TEXT = "name: store-test\nseed: 2\nweeks: 2\nreplications: 3\npopulation: {size: 300}\nstrategies: [open-bar]\n"


def same(a, b):
    return all(
        x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))
        for x, y in zip(a, b, strict=True)
    )


def test_chunk_bytes_are_deterministic_and_round_trip():
    records = run_replications(parse_scenario(TEXT))
    data = chunk_bytes(records, [("x", "int", 3), ("y", "str", "a")])
    assert data == chunk_bytes(records, [("x", "int", 3), ("y", "str", "a")])
    back = chunk_records(data)
    assert len(back) == len(records)
    assert all(same(a, b) for a, b in zip(back, records, strict=True))
    assert chunk_records(chunk_bytes([], ())) == []


def test_store_writes_atomically_and_drops_damaged_files(tmp_path):
    sc = parse_scenario(TEXT)
    plan = Plan.single(sc, chunk_runs=1)
    store = ResultStore.create(
        tmp_path / "o", plan, plan_document("run", sc.model_dump(mode="json"), plan)
    )
    records = run_replications(sc)
    chunks = plan.chunks()
    for c in chunks:
        store.write(c, chunk_bytes([r for r in records if r.replication in c.replications]))
    assert store.done() == set(chunks)
    assert not list((tmp_path / "o").rglob(".*"))
    store.chunk_path(chunks[1]).write_bytes(b"broken")
    (store.chunk_path(chunks[0]).parent / ".x.parquet.tmp-1").write_bytes(b"partial")
    assert store.done() == {chunks[0], chunks[2]}
    assert not store.chunk_path(chunks[1]).exists()
    assert not list((tmp_path / "o").rglob(".*"))
    frame = store.read_point(0)
    assert sorted(set(frame.replication)) == [0, 2]


def test_a_folder_made_by_another_since_the_check_is_never_removed(tmp_path, monkeypatch):
    """The folder appears between the check and the mkdir (another program): refused as
    existing, and left as it is (the clean-up of a failed create used to remove it)."""
    import pathlib

    import pytest

    from ssisim.errors import DataError

    sc = parse_scenario(TEXT)
    plan = Plan.single(sc, chunk_runs=1)
    root = tmp_path / "o"
    root.mkdir()
    (root / "theirs.txt").write_text("keep me")
    exists = pathlib.Path.exists
    monkeypatch.setattr(pathlib.Path, "exists", lambda p: False if p == root else exists(p))
    with pytest.raises(DataError, match="already exists"):
        ResultStore.create(root, plan, plan_document("run", sc.model_dump(mode="json"), plan))
    monkeypatch.undo()
    assert (root / "theirs.txt").read_text() == "keep me"
