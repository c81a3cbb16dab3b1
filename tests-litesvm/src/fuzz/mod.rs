//! Stateful fuzzing of the real `maxwell.so` in LiteSVM: random sequences of every
//! instruction by traders, a keeper, the admin and an attacker with a second exchange, with
//! oracle moves and faults and time jumps, and the invariants of `checks` after every step.
//!
//! Sequence `k` of a run with seed `S` is seeded with `S + k`: `scripts/fuzz.sh 1 <S + k>`
//! replays it alone, step by step the same.

pub mod actions;
pub mod checks;
pub mod rng;
pub mod scenario;

use std::collections::BTreeMap;

use actions::{Planned, Risk, Tx};
use rng::Rng;
use scenario::Scenario;

use crate::env::*;

/// Steps per sequence.
pub const STEPS: usize = 40;

/// One thing that must not happen, with how to replay it.
#[derive(Debug, Clone)]
pub struct Finding {
    pub seed: u64,
    pub step: usize,
    pub kind: String,
    pub message: String,
    pub trail: Vec<String>,
}

#[derive(Default)]
pub struct Report {
    pub sequences: u64,
    pub steps: u64,
    pub transactions: u64,
    /// (instruction kind, outcome) -> count; outcome is "ok" or the error's name and code.
    pub outcomes: BTreeMap<(String, String), u64>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn reached(&self, kind: &str) -> bool {
        self.outcomes.keys().any(|(k, o)| k == kind && o == "ok")
    }
}

/// Classifies a failure: a Maxwell or Anchor error by its logged name, a token-program error,
/// a runtime error, or an abort (panic, compute exhausted), which is always a finding.
pub fn outcome(f: &Failure) -> (String, bool) {
    use solana_instruction_error::InstructionError as IE;
    use solana_transaction_error::TransactionError as TE;
    let named = |code: u32| {
        let name = f
            .logs
            .iter()
            .find_map(|l| l.split("Error Code: ").nth(1).and_then(|t| t.split('.').next()).map(str::to_string))
            .unwrap_or_else(|| "?".into());
        format!("{name} ({code})")
    };
    match &f.err {
        TE::InstructionError(_, IE::Custom(c)) if *c >= 100 => (named(*c), false),
        TE::InstructionError(_, IE::Custom(c)) => (format!("CPI program error ({c}: token or system program)"), false),
        TE::InstructionError(_, IE::ProgramFailedToComplete) | TE::InstructionError(_, IE::ComputationalBudgetExceeded) => {
            (format!("ABORT {:?}", f.err), true)
        }
        e => {
            let panicked = f.logs.iter().any(|l| l.contains("panicked"));
            (format!("{}{e:?}", if panicked { "ABORT " } else { "runtime " }), panicked)
        }
    }
}

fn send(s: &mut Scenario, t: &Tx) -> Result<Success, Failure> {
    let signers: Vec<&solana_keypair::Keypair> = t.signers.iter().collect();
    s.w.env.send(&t.ixs, &signers)
}

/// Runs one transaction and every check; the first violation is returned.
fn step_tx(s: &mut Scenario, kind: &str, t: &Tx, report: &mut Report) -> Result<(), String> {
    let accounts = s.accounts();
    let before = checks::holdings(&s.w.env, &accounts);
    // Pre-trade health as the program sees it: after the instructions bundled in front of the
    // trade (the crank), before the trade itself.
    let prefix = &t.ixs[..t.ixs.len().saturating_sub(1)];
    let pre: Vec<Option<maxwell::events::HealthLog>> =
        if t.risk == Risk::Trade { t.risk_on.iter().map(|a| checks::health_after(s, prefix, a)).collect() } else { vec![] };
    report.transactions += 1;
    let res = send(s, t);
    let key = match &res {
        Ok(_) => "ok".to_string(),
        Err(f) => {
            let (o, abort) = outcome(f);
            if abort {
                return Err(format!("{o}\n{}", f.logs.join("\n")));
            }
            o
        }
    };
    if std::env::var_os("FUZZ_TRACE").is_some() {
        eprintln!("  {kind}: {key}");
        if let Ok(ok) = &res {
            for l in ok.logs.iter().filter(|l| l.starts_with("Program log:") || l.starts_with("Program data:")) {
                eprintln!("    {l}");
            }
        }
    }
    *report.outcomes.entry((kind.to_string(), key)).or_default() += 1;
    let after = checks::holdings(&s.w.env, &accounts);
    match &res {
        Ok(_) if t.must_fail => return Err("a hostile transaction succeeded".into()),
        Ok(_) => checks::only_moved(&before, &after, &t.may_move)?,
        Err(_) if before != after => return Err("a failed transaction changed balances or positions".into()),
        Err(_) => {}
    }
    if let Ok(done) = &res {
        // A trade's own verdict: its post-trade initial health (`TradeLog`, maker then taker)
        // is computed at the reputation in force before the trade; the trade then records
        // the observation (a breach, clean time), so a health read afterwards can ask a
        // slightly different initial requirement. The risk-reducing exception is checked on
        // the maintenance requirement (no reputation in it) and the trade's own health.
        let traded = done.event::<maxwell::events::TradeLog>().map(|l| [l.maker_init_health, l.taker_init_health]);
        for (i, a) in t.risk_on.iter().enumerate() {
            if t.risk == Risk::None {
                break;
            }
            let Some(post) = checks::health(s, a) else { continue };
            let own_init = traded.and_then(|x| x.get(i).copied()).unwrap_or(post.init_health);
            let ok = post.init_health >= 0
                || (t.risk == Risk::Trade
                    && pre
                        .get(i)
                        .and_then(Option::as_ref)
                        .is_some_and(|p| post.maintenance_requirement < p.maintenance_requirement && own_init >= p.init_health));
            if !ok {
                return Err(format!("{kind} left {a} below initial margin: init {}", post.init_health));
            }
        }
    }
    Ok(())
}

/// After an accepted admin transfer, the fuzzer's admin actions sign with the new admin's key.
fn follow_admin(s: &mut Scenario) {
    let admin = s.w.env.zc::<maxwell::state::Exchange>(&s.w.exchange).admin;
    if admin != s.w.admin_pk() {
        if let Some(t) = s.actors.iter().find(|a| a.key == admin) {
            s.w.admin = t.kp.insecure_clone();
        }
    }
}

fn invariants(s: &Scenario) -> Result<(), String> {
    let accounts = s.accounts();
    let banks: Vec<_> = s.w.banks.iter().map(|(b, _)| *b).collect();
    checks::conservation(&s.w.env, &banks, &accounts, &[s.m.underlying])?;
    checks::positions(&s.w.env, &s.m, &accounts)?;
    let f = &s.foreign;
    checks::conservation(&s.w.env, &[f.usdc, f.sol], &[f.trader.account], &[f.market.underlying])?;
    Ok(())
}

/// One sequence from its seed; findings go to the report.
pub fn sequence(base: &Scenario, seed: u64, report: &mut Report) {
    let mut s = base.fork();
    let mut r = Rng::new(seed);
    let mut trail = vec![];
    for step in 0..STEPS {
        report.steps += 1;
        let planned = actions::plan(&mut s, &mut r);
        let result = match &planned {
            Planned::World(kind) => {
                trail.push(kind.to_string());
                Ok(())
            }
            Planned::Tx(kind, t) => {
                trail.push(kind.to_string());
                let r = step_tx(&mut s, kind, t, report);
                follow_admin(&mut s);
                // A bank whose creation failed is not walked.
                let env = &s.w.env;
                s.w.banks.retain(|(b, _)| env.account(&b.bank).is_some());
                r
            }
        };
        let result = result.and_then(|_| invariants(&s));
        if let Err(message) = result {
            let kind = trail.last().cloned().unwrap_or_default();
            report.findings.push(Finding { seed, step, kind, message, trail: trail.clone() });
            return;
        }
    }
    report.sequences += 1;
}

/// `n` sequences, seeds `seed .. seed + n`.
pub fn run(n: u64, seed: u64, mut progress: impl FnMut(&Report)) -> Report {
    let base = Scenario::build();
    let mut report = Report::default();
    for k in 0..n {
        sequence(&base, seed.wrapping_add(k), &mut report);
        progress(&report);
    }
    report
}
