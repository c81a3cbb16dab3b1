//! The books: `margin-quality.md`'s reference books at several tenors, market-maker families and
//! random books. Strikes of the families and random books are placed in standard deviations of
//! the regime (`K = S exp(m sigma sqrt T)`, rounded to whole USD), so a family means the same
//! trade at 40%, 80% and 150% vol; the reference books keep their fixed USD strikes.

use crate::b76::{self, Kind};
use crate::market::{Market, EXPIRY_DAYS};
use crate::rng::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Leg {
    /// Strike, micro-USDC per contract (whole USD).
    pub strike: u64,
    pub days: u32,
    pub kind: Kind,
    /// Signed contracts (one contract = one SOL).
    pub size: i64,
}

impl Leg {
    pub fn strike_usd(&self) -> f64 {
        self.strike as f64 / 1e6
    }
}

#[derive(Clone, Debug)]
pub struct Book {
    pub family: String,
    pub name: String,
    pub legs: Vec<Leg>,
    /// SOL collateral (lamports; negative = borrowed), moves with spot.
    pub sol_lamports: i64,
}

/// Mark of one contract of `leg` today (the backtest's own pricer).
pub fn mark(market: &Market, leg: &Leg) -> f64 {
    let e = market.expiry(leg.days);
    let k = leg.strike_usd();
    b76::price(leg.kind, market.spot, k, e.vol((k / market.spot).ln()), e.t)
}

fn greeks(market: &Market, leg: &Leg) -> (f64, f64) {
    let e = market.expiry(leg.days);
    let k = leg.strike_usd();
    let v = e.vol((k / market.spot).ln());
    (b76::delta(leg.kind, market.spot, k, v, e.t), b76::vega(market.spot, k, v, e.t))
}

fn usd(k: u64) -> u64 {
    k * 1_000_000
}

/// Strike `m` standard deviations from spot at `days`, rounded to `step` whole USD (>= step).
fn k_sd(market: &Market, days: u32, m: f64, step: u64) -> u64 {
    let t = f64::from(days) / 365.0;
    let k = market.spot * (m * market.atm * t.sqrt()).exp();
    let r = ((k / step as f64).round() as u64).max(1) * step;
    usd(r)
}

fn leg(strike: u64, days: u32, kind: Kind, size: i64) -> Leg {
    Leg { strike, days, kind, size }
}

/// SOL lamports that hedge the options' delta (own f64 delta).
fn delta_hedge(market: &Market, legs: &[Leg]) -> i64 {
    let delta: f64 = legs.iter().map(|l| l.size as f64 * greeks(market, l).0).sum();
    (-delta * 1e9).round() as i64
}

fn book(family: &str, name: String, legs: Vec<Leg>, sol_lamports: i64) -> Book {
    Book { family: family.to_string(), name, legs, sol_lamports }
}

const SOL: i64 = 1_000_000_000;

/// The ten reference books of `docs/margin-quality.md` at 1, 7, 30 and 91 days (the calendar:
/// short front / long next expiry, and 7/91 days); each is a family of four books.
pub fn reference_books(market: &Market) -> Vec<Book> {
    use Kind::{Call, Put};
    let mut out = Vec::new();
    let pairs = [(1u32, 7u32), (7, 30), (30, 91), (7, 91)];
    for (i, &t) in EXPIRY_DAYS.iter().enumerate() {
        let straddle = vec![leg(usd(150), t, Call, -10), leg(usd(150), t, Put, -10)];
        let hedge = delta_hedge(market, &straddle);
        let (front, back) = pairs[i];
        let books: Vec<(&str, Vec<Leg>, i64)> = vec![
            ("ref: naked short call 165 x10", vec![leg(usd(165), t, Call, -10)], 0),
            ("ref: naked short put 135 x10", vec![leg(usd(135), t, Put, -10)], 0),
            ("ref: covered call SOL x10 + short call 165", vec![leg(usd(165), t, Call, -10)], 10 * SOL),
            ("ref: call vertical 160/170 x10", vec![leg(usd(160), t, Call, -10), leg(usd(170), t, Call, 10)], 0),
            ("ref: put vertical 140/130 x10", vec![leg(usd(140), t, Put, -10), leg(usd(130), t, Put, 10)], 0),
            (
                "ref: iron condor 130/140/160/170 x10",
                vec![leg(usd(130), t, Put, 10), leg(usd(140), t, Put, -10), leg(usd(160), t, Call, -10), leg(usd(170), t, Call, 10)],
                0,
            ),
            ("ref: calendar short front / long back call 150 x10", vec![leg(usd(150), front, Call, -10), leg(usd(150), back, Call, 10)], 0),
            ("ref: short straddle 150 x10", straddle.clone(), 0),
            ("ref: delta-hedged short straddle 150 x10", straddle, hedge),
        ];
        for (family, legs, sol) in books {
            let name = if family.contains("calendar") { format!("{family} ({front}d/{back}d)") } else { format!("{family} ({t}d)") };
            out.push(book(family, name, legs, sol));
        }
    }
    out.push(book("ref: SOL x10 alone", "ref: SOL x10 alone".into(), vec![], 10 * SOL));
    // The long straddle (the issue cites the 1-day one): long premium, decaying.
    for &t in &EXPIRY_DAYS {
        out.push(book(
            "ref: long straddle 150 x10",
            format!("ref: long straddle 150 x10 ({t}d)"),
            vec![leg(usd(150), t, Call, 10), leg(usd(150), t, Put, 10)],
            0,
        ));
    }
    out
}

/// Market-maker families.
pub fn market_maker_books(market: &Market) -> Vec<Book> {
    use Kind::{Call, Put};
    let mut out = Vec::new();
    let step = |t: u32| if t <= 7 { 1 } else { 5 };
    let atm = |t: u32| k_sd(market, t, 0.0, step(t));
    let sd = |t: u32, m: f64| k_sd(market, t, m, step(t));
    // Short strangles over expiries.
    let f = "mm: short strangles";
    for &t in &EXPIRY_DAYS {
        for m in [0.5, 1.0, 2.0] {
            out.push(book(f, format!("{t}d +-{m} sd"), vec![leg(sd(t, -m), t, Put, -10), leg(sd(t, m), t, Call, -10)], 0));
        }
    }
    let ladder: Vec<Leg> = EXPIRY_DAYS.iter().flat_map(|&t| [leg(sd(t, -1.0), t, Put, -10), leg(sd(t, 1.0), t, Call, -10)]).collect();
    out.push(book(f, "every expiry +-1 sd".into(), ladder, 0));
    // Calendars and reverse calendars.
    let pairs = [(1u32, 7u32), (7, 30), (30, 91), (7, 91)];
    for (f, sign) in [("mm: calendars (short front)", 1i64), ("mm: reverse calendars (long front)", -1)] {
        for &(a, b) in &pairs {
            for kind in [Call, Put] {
                let k = atm(a);
                out.push(book(f, format!("{a}d/{b}d {kind:?} ATM"), vec![leg(k, a, kind, -10 * sign), leg(k, b, kind, 10 * sign)], 0));
            }
        }
    }
    // Risk reversals.
    let f = "mm: risk reversals";
    for &t in &EXPIRY_DAYS {
        out.push(book(f, format!("{t}d short put / long call 1 sd"), vec![leg(sd(t, -1.0), t, Put, -10), leg(sd(t, 1.0), t, Call, 10)], 0));
        out.push(book(f, format!("{t}d long put / short call 1 sd"), vec![leg(sd(t, -1.0), t, Put, 10), leg(sd(t, 1.0), t, Call, -10)], 0));
    }
    // Ratio spreads: long 10 ATM, short 20 one sd out.
    let f = "mm: ratio spreads 1x2";
    for &t in &EXPIRY_DAYS {
        out.push(book(f, format!("{t}d calls"), vec![leg(atm(t), t, Call, 10), leg(sd(t, 1.0), t, Call, -20)], 0));
        out.push(book(f, format!("{t}d puts"), vec![leg(atm(t), t, Put, 10), leg(sd(t, -1.0), t, Put, -20)], 0));
    }
    // Butterflies: wings 1 sd.
    let f = "mm: butterflies";
    for &t in &EXPIRY_DAYS {
        for (name, s) in [("long", 1i64), ("short", -1)] {
            out.push(book(
                f,
                format!("{t}d {name} call fly"),
                vec![leg(sd(t, -1.0), t, Call, 10 * s), leg(atm(t), t, Call, -20 * s), leg(sd(t, 1.0), t, Call, 10 * s)],
                0,
            ));
        }
    }
    // Vega-neutral: short front straddle, long back straddle of equal vega, and the reverse.
    let f = "mm: vega-neutral straddle calendars";
    for &(a, b) in &pairs {
        let front = [leg(atm(a), a, Call, -20), leg(atm(a), a, Put, -20)];
        let v_front: f64 = front.iter().map(|l| -greeks(market, l).1).sum::<f64>() / 20.0;
        let v_back: f64 = [leg(atm(b), b, Call, 1), leg(atm(b), b, Put, 1)].iter().map(|l| greeks(market, l).1).sum();
        let n = ((20.0 * v_front / v_back).round() as i64).max(1);
        for (name, s) in [("short front", 1i64), ("long front", -1)] {
            out.push(book(
                f,
                format!("{a}d/{b}d {name} 20 / back {n}"),
                vec![leg(atm(a), a, Call, -20 * s), leg(atm(a), a, Put, -20 * s), leg(atm(b), b, Call, n * s), leg(atm(b), b, Put, n * s)],
                0,
            ));
        }
    }
    // Delta-hedged short gamma: options plus SOL collateral.
    let f = "mm: delta-hedged short gamma";
    for &t in &EXPIRY_DAYS {
        let st = vec![leg(atm(t), t, Call, -10), leg(atm(t), t, Put, -10)];
        let h = delta_hedge(market, &st);
        out.push(book(f, format!("{t}d short straddle + SOL"), st, h));
        let sg = vec![leg(sd(t, -1.0), t, Put, -10), leg(sd(t, 1.0), t, Call, -10)];
        let h = delta_hedge(market, &sg);
        out.push(book(f, format!("{t}d short strangle 1 sd + SOL"), sg, h));
    }
    let all: Vec<Leg> = EXPIRY_DAYS.iter().flat_map(|&t| [leg(atm(t), t, Call, -10), leg(atm(t), t, Put, -10)]).collect();
    let h = delta_hedge(market, &all);
    out.push(book(f, "short straddles every expiry + SOL".into(), all, h));
    out
}

/// Random books of 1 to 6 legs: half on one expiry, half mixing expiries; strikes uniform in
/// -2.5..+2.5 sd (whole USD up to 7 days, 5 USD beyond), sizes +-1..10, SOL collateral -10..10
/// on half of the books. Deterministic for a seed (the same books, in sd terms, at every regime).
pub fn random_books(market: &Market, n: usize, seed: u64) -> Vec<Book> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let n_legs = 1 + rng.below(6) as usize;
        let single = rng.uniform() < 0.5;
        let one = EXPIRY_DAYS[rng.below(4) as usize];
        let legs: Vec<Leg> = (0..n_legs)
            .map(|_| {
                let t = if single { one } else { EXPIRY_DAYS[rng.below(4) as usize] };
                let kind = if rng.below(2) == 0 { Kind::Call } else { Kind::Put };
                let m = rng.range(-2.5, 2.5);
                let size = (1 + rng.below(10) as i64) * if rng.below(2) == 0 { 1 } else { -1 };
                leg(k_sd(market, t, m, if t <= 7 { 1 } else { 5 }), t, kind, size)
            })
            .collect();
        let sol = if rng.uniform() < 0.5 { 0 } else { (rng.below(21) as i64 - 10) * SOL };
        let mixed = legs.iter().any(|l| l.days != legs[0].days);
        let family = if mixed { "random: mixed expiries".to_string() } else { format!("random: {}d only", legs[0].days) };
        out.push(Book { family, name: format!("random #{i}"), legs, sol_lamports: sol });
    }
    out
}

impl Book {
    /// Compact description: `+10 C165 30d, -5 P140 7d, SOL +3.0`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .legs
            .iter()
            .map(|l| format!("{:+} {}{} {}d", l.size, if l.kind == Kind::Call { "C" } else { "P" }, l.strike / 1_000_000, l.days))
            .collect();
        if self.sol_lamports != 0 {
            parts.push(format!("SOL {:+.3}", self.sol_lamports as f64 / 1e9));
        }
        parts.join(", ")
    }
}
