#!/usr/bin/env python3
"""Golden vectors for maxwell-risk from a high-precision reference (mpmath==1.3.0, 50 digits).

Run from the crate directory:  python3 golden/gen.py
Writes golden/normal.csv and golden/black76.csv. Inputs are written as the exact integers the
Rust code receives (Q52 raw values, quote native prices, seconds), and the reference is computed
at exactly those inputs, so the comparison measures the implementation, not input rounding.
Reference outputs are integers in Q80 (round(value * 2^80)), compared in integer space by
tests/golden.rs.

Black-76 conventions (undiscounted, on the forward; T = secs / 31_536_000; sigma = raw / 2^52):
  v = sigma sqrt(T), d1 = (ln(F/K) + v^2/2) / v, d2 = d1 - v
  call/F = N(d1) - (K/F) N(d2); put/F = (K/F) N(-d2) - N(-d1)
  delta_call = N(d1); delta_put = -N(-d1)
  gamma = F d2C/dF2 = phi(d1) / v
  vega = (dC/dsigma) / F = phi(d1) sqrt(T)              (per 1.00 of vol)
  theta = (dC/dt) / F = -phi(d1) sigma / (2 sqrt(T))    (per year)
"""
import os
import random
import mpmath
from mpmath import mp, mpf

assert mpmath.__version__ == "1.3.0", mpmath.__version__
mp.dps = 50
HERE = os.path.dirname(os.path.abspath(__file__))
YEAR = 31_536_000
Q52 = 2 ** 52
Q80 = mpf(2) ** 80


def q80(x):
    return int(mpmath.nint(x * Q80))


def N(x):
    return mpmath.erfc(-x / mpmath.sqrt(2)) / 2


def phi(x):
    return mpmath.exp(-x * x / 2) / mpmath.sqrt(2 * mpmath.pi)


def normal_rows():
    rng = random.Random(20261121)
    xs = set()
    for i in range(-320, 321):  # every node and midpoint in [-10, 10] at 1/32
        xs.add(i * Q52 // 32)
        xs.add(i * Q52 // 32 + Q52 // 64)
    for _ in range(4000):
        xs.add(rng.randrange(-10 * Q52, 10 * Q52))
    for x in sorted(xs):
        xf = mpf(x) / Q52
        yield x, q80(N(xf)), q80(phi(xf))


def black76(F, K, secs, sraw):
    F, K = mpf(F), mpf(K)
    T = mpf(secs) / YEAR
    sigma = mpf(sraw) / Q52
    sq = mpmath.sqrt(T)
    v = sigma * sq
    d1 = (mpmath.log(F / K) + v * v / 2) / v
    d2 = d1 - v
    call = N(d1) - K / F * N(d2)
    put = K / F * N(-d2) - N(-d1)
    p = phi(d1)
    return (call, put, N(d1), -N(-d1), p / v, p * sq, -p * sigma / (2 * sq))


def b76_rows():
    forwards = [150_000_000, 100_000_000_000, 2_718_281]  # SOL 150, BTC 100k (micro-USDC), small
    tenors = [60, 3600, 86400, 7 * 86400, 30 * 86400, 91 * 86400, 365 * 86400, 3 * 365 * 86400]
    vols = ["0.01", "0.05", "0.2", "0.5", "0.8", "1.5", "3", "5"]
    ks = [mpf(i) / 4 for i in range(-12, 13)]  # log-moneyness -3 .. 3
    cases = []
    for F in forwards:
        for secs in tenors:
            for vs in vols:
                sraw = int(mpmath.nint(mpf(vs) * Q52))
                for k in ks:
                    K = int(mpmath.nint(F * mpmath.exp(k)))
                    cases.append(("grid", F, K, secs, sraw))
    # Edge cases: exact ATM, one unit off ATM, the shortest and longest tenor at the vol
    # extremes, huge prices, a strike far away at high total vol.
    edge = [
        (150_000_000, 150_000_000, 60, int(0.01 * Q52)),
        (150_000_000, 150_000_001, 60, int(0.01 * Q52)),
        (150_000_000, 149_999_999, 60, int(5 * Q52)),
        (150_000_000, 150_000_000, 3 * 365 * 86400, 5 * Q52),
        (2 ** 62, 2 ** 62 + 2 ** 40, 86400, Q52 // 2),
        (1_000, 20_085, 3 * 365 * 86400, 5 * Q52),
        (150_000_000, 7_467_000, 3 * 365 * 86400, 3 * Q52),
        (150_000_000, 3_000_000_000, 365 * 86400, 4 * Q52),
        (150_000_000, 150_000_000, 1, Q52 // 2),
    ]
    cases += [("edge",) + e for e in edge]
    for tag, F, K, secs, sraw in cases:
        yield (tag, F, K, secs, sraw) + tuple(q80(x) for x in black76(F, K, secs, sraw))


def main():
    with open(os.path.join(HERE, "normal.csv"), "w") as f:
        f.write("# mpmath 1.3.0, 50 digits. x_q52 = x * 2^52 (exact input); N and pdf as round(value * 2^80)\n")
        f.write("x_q52,cdf_q80,pdf_q80\n")
        for r in normal_rows():
            f.write(",".join(str(v) for v in r) + "\n")
    with open(os.path.join(HERE, "black76.csv"), "w") as f:
        f.write("# mpmath 1.3.0, 50 digits. Inputs exact: F, K quote native; secs; sigma_q52 = sigma * 2^52.\n")
        f.write("# Outputs round(value * 2^80): call/F, put/F, delta_call, delta_put, gamma=phi(d1)/v,"
                " vega=phi(d1)sqrt(T), theta=-phi(d1)sigma/(2sqrt(T)) per year\n")
        f.write("tag,forward,strike,secs,sigma_q52,call_q80,put_q80,delta_call_q80,delta_put_q80,"
                "gamma_q80,vega_q80,theta_q80\n")
        for r in b76_rows():
            f.write(",".join(str(v) for v in r) + "\n")


if __name__ == "__main__":
    main()
