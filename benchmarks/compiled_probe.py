"""Would a compiled core pay? A probe of numba on the run's hottest mechanism.

Issue 11 asks for one flagship run in at most 20 ms (about 100-130 ms today)
and says to compile the innermost loops with numba "if profiling shows it
pays; add a dependency only with a measured gain". A run is about 2,250
process steps, each a few dozen numpy calls on arrays of 1 to 50 elements:
the per-call overhead is the cost, so what decides is what a call into
compiled code costs, and whether the random streams can stay the same (the
seed contract).

This script measures, on the core of an invitation batch (draw candidates
from a pool, keep the fresh ones, draw each invitee's acceptance, delay and
view; the same operations as :func:`ssisim.sim.mechanisms.invitations.invite`
on synthetic arrays, 20,000 members):

- the numpy version, as ssisim writes it;
- the same in one numba kernel given the two ``numpy.random.Generator``
  objects: numba's distributions are ports of numpy's, so the draws are the
  same to the bit (checked on 4,000 calls), but numba unboxes a Generator at
  every call;
- the same kernel given the bit generators' C entry points
  (``BitGenerator.ctypes``): the uniforms are numpy's, bit for bit; the
  exponential delays are drawn by inversion (a different stream, so the
  records would change within noise);
- what a call costs: one array, nine arrays, one Generator.

numba is not a dependency of ssisim: ``pip install numba`` first (the
script says so in one line and exits with status 2 otherwise).

    python benchmarks/compiled_probe.py
    python benchmarks/compiled_probe.py --calls 50000

The machine's load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

try:
    import numba as nb
except ImportError:  # pragma: no cover - the probe's one requirement
    print("benchmarks/compiled_probe.py needs numba: pip install numba", file=sys.stderr)
    sys.exit(2)

MEMBERS = 20_000
BATCH = 5  # invitations a call: open bar's 100 a week over 5 working days is 20; 5 is typical
NOTE_SHARE, NOTE_LIFT, MUTUAL_LIFT, SATURATION = 0.5, 0.05, 0.3, 10
PROFILE, MEAN_DELAY, EXPIRY, VIEW_RATE = 0.9, 3.0, 21.0, 0.3


def _population(seed: int = 1) -> dict[str, np.ndarray]:
    rs = np.random.default_rng(seed)
    return {
        "pool": np.flatnonzero(rs.random(MEMBERS) < 0.2).astype(np.int64),
        "base": rs.random(MEMBERS).astype(np.float32),
        "seniority": rs.random(MEMBERS) * 0.5 + 0.5,
        "mutual": rs.integers(0, 12, MEMBERS).astype(np.int32),
    }


def numpy_batch(
    rng: np.random.Generator,
    arng: np.random.Generator,
    invited: np.ndarray,
    contact: np.ndarray,
    k: int,
    pop: dict[str, np.ndarray],
) -> tuple[np.ndarray, ...]:
    """The batch as ssisim writes it: numpy calls on small arrays."""
    pool = pop["pool"]
    cand = pool[(rng.random(3 * k) * pool.size).astype(np.intp)]
    taken = invited[cand]
    taken |= contact[cand]
    cand = cand[~taken]
    cand = np.fromiter(dict.fromkeys(cand.tolist()), dtype=np.int64, count=-1)[:k]
    invited[cand] = True
    n = cand.size
    note = rng.random(n) < NOTE_SHARE
    mutual = np.minimum(pop["mutual"][cand], SATURATION) / SATURATION
    p = (
        pop["base"][cand]
        * (1 + NOTE_LIFT * note)
        * (1 + MUTUAL_LIFT * mutual)
        * PROFILE
        * pop["seniority"][cand]
    )
    accept = arng.random(n) < np.minimum(p, 1.0)
    delays = arng.exponential(MEAN_DELAY, size=n)
    accept &= delays < EXPIRY
    looks = arng.random(n) < VIEW_RATE
    return cand, accept, delays, looks


@nb.njit(cache=False)
def _fresh(u, pool, invited, contact, k):  # type: ignore[no-untyped-def]
    out = np.empty(k, np.int64)
    n = 0
    for i in range(u.size):
        j = pool[int(u[i] * pool.size)]
        if invited[j] or contact[j]:
            continue
        invited[j] = True  # a repeat further on is then skipped: first occurrences
        out[n] = j
        n += 1
        if n == k:
            break
    return out[:n]


@nb.njit(cache=False)
def _answers(cand, note_u, accept_u, delays, look_u, base, seniority, mutual):  # type: ignore[no-untyped-def]
    n = cand.size
    accept = np.empty(n, np.bool_)
    looks = np.empty(n, np.bool_)
    for i in range(n):
        j = cand[i]
        m = min(mutual[j], SATURATION) / SATURATION
        note = 1.0 if note_u[i] < NOTE_SHARE else 0.0
        p = np.float64(base[j]) * (1 + NOTE_LIFT * note) * (1 + MUTUAL_LIFT * m)
        p = p * PROFILE * seniority[j]
        accept[i] = accept_u[i] < min(p, 1.0) and delays[i] < EXPIRY
        looks[i] = look_u[i] < VIEW_RATE
    return accept, looks


@nb.njit(cache=False)
def generator_batch(rng, arng, invited, contact, k, pool, base, seniority, mutual):  # type: ignore[no-untyped-def]
    """One kernel given the Generators: numpy's draws, to the bit."""
    cand = _fresh(rng.random(3 * k), pool, invited, contact, k)
    n = cand.size
    note_u = rng.random(n)
    accept_u = arng.random(n)
    delays = arng.exponential(MEAN_DELAY, n)
    look_u = arng.random(n)
    accept, looks = _answers(cand, note_u, accept_u, delays, look_u, base, seniority, mutual)
    return cand, accept, delays, looks


@nb.njit(cache=False)
def _uniforms(next_double, state, n):  # type: ignore[no-untyped-def]
    out = np.empty(n)
    for i in range(n):
        out[i] = next_double(state)
    return out


@nb.njit(cache=False)
def ctypes_batch(next_double, rstate, astate, invited, contact, k, pool, base, seniority, mutual):  # type: ignore[no-untyped-def]
    """One kernel given the bit generators' C entry points: numpy's uniforms,
    exponential delays by inversion (another stream)."""
    cand = _fresh(_uniforms(next_double, rstate, 3 * k), pool, invited, contact, k)
    n = cand.size
    note_u = _uniforms(next_double, rstate, n)
    accept_u = _uniforms(next_double, astate, n)
    delays = -MEAN_DELAY * np.log1p(-_uniforms(next_double, astate, n))
    look_u = _uniforms(next_double, astate, n)
    accept, looks = _answers(cand, note_u, accept_u, delays, look_u, base, seniority, mutual)
    return cand, accept, delays, looks


def _same_draws(pop: dict[str, np.ndarray], trials: int = 200, steps: int = 20) -> bool:
    """numpy and the Generator kernel give the same batches, call after call."""
    contact = np.random.default_rng(7).random(MEMBERS) < 0.02
    for trial in range(trials):
        routine, answers = np.random.SeedSequence(trial).spawn(2)
        a = (np.random.default_rng(routine), np.random.default_rng(answers))
        b = (np.random.default_rng(routine), np.random.default_rng(answers))
        inv_a, inv_b = np.zeros(MEMBERS, bool), np.zeros(MEMBERS, bool)
        for _ in range(steps):
            x = numpy_batch(*a, inv_a, contact, BATCH, pop)
            y = generator_batch(
                *b, inv_b, contact, BATCH, pop["pool"], pop["base"], pop["seniority"], pop["mutual"]
            )
            if not all(np.array_equal(p, q) for p, q in zip(x, y, strict=True)):
                return False
    return True


def _per_call(run: Callable[[np.ndarray], Any], calls: int) -> float:
    """Microseconds a call, best of three rounds (the invited flags reset every 2,000 calls)."""
    best = float("inf")
    for _ in range(3):
        invited = np.zeros(MEMBERS, bool)
        started = time.perf_counter()
        for i in range(calls):
            if i % 2000 == 0:
                invited[:] = False
            run(invited)
        best = min(best, (time.perf_counter() - started) / calls * 1e6)
    return best


@nb.njit(cache=False)
def _one(a):  # type: ignore[no-untyped-def]
    return a[0]


@nb.njit(cache=False)
def _nine(a, b, c, d, e, f, g, h, i):  # type: ignore[no-untyped-def]
    return a[0]


@nb.njit(cache=False)
def _generator(rng):  # type: ignore[no-untyped-def]
    return rng.random()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000, help="calls per variant and round")
    calls = parser.parse_args().calls
    pop = _population()
    contact = np.zeros(MEMBERS, bool)
    arrays = (pop["pool"], pop["base"], pop["seniority"], pop["mutual"])
    rng, arng = np.random.default_rng(0), np.random.default_rng(1)
    rbits, abits = np.random.PCG64(0), np.random.PCG64(1)
    next_double = rbits.ctypes.next_double
    rstate, astate = rbits.ctypes.state_address, abits.ctypes.state_address

    print(f"load average {os.getloadavg()[0]:.2f}; numba {nb.__version__}, numpy {np.__version__}")
    started = time.perf_counter()
    same = _same_draws(pop)
    x = np.zeros(4)
    _one(x), _nine(*(x,) * 9), _generator(rng)
    ctypes_batch(next_double, rstate, astate, np.zeros(MEMBERS, bool), contact, BATCH, *arrays)
    print(f"compiling and the equality check: {time.perf_counter() - started:.1f} s")
    print(f"numpy and the Generator kernel give the same draws (4,000 batches): {same}")
    rows = [
        (
            "numpy, as ssisim writes it",
            lambda inv: numpy_batch(rng, arng, inv, contact, BATCH, pop),
        ),
        (
            "numba kernel, Generators passed (same draws)",
            lambda inv: generator_batch(rng, arng, inv, contact, BATCH, *arrays),
        ),
        (
            "numba kernel, bit generators' C entry points",
            lambda inv: ctypes_batch(next_double, rstate, astate, inv, contact, BATCH, *arrays),
        ),
        ("a call: one array", lambda inv: _one(inv)),
        ("a call: nine arrays", lambda inv: _nine(*(inv,) * 9)),
        ("a call: one Generator", lambda inv: _generator(rng)),
    ]
    print(f"\n{'us a call (best of 3 x ' + format(calls, ',') + ')':<48} {'':>8}")
    for name, run in rows:
        print(f"{name:<48} {_per_call(run, calls):8.2f}")


if __name__ == "__main__":
    main()
