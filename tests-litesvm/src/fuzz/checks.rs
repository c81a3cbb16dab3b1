//! What must hold after every step of every sequence. Each check returns the first violation
//! as a message (a finding), never panics.

use std::collections::BTreeMap;

use maxwell::events::HealthLog;
use maxwell::state::{CollateralBank, MarginAccount, Underlying};

use super::scenario::Scenario;
use crate::env::*;
use crate::ix::BankRef;
use crate::market::Market;

/// Balances (shares per bank index) and positions (size per series) of one account.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Holdings {
    pub shares: BTreeMap<u16, i64>,
    pub positions: BTreeMap<(u16, u16), i64>,
}

pub fn margin(env: &Env, a: &Pk) -> Option<MarginAccount> {
    let acc = env.account(a)?;
    if acc.data.len() < 8 + core::mem::size_of::<MarginAccount>() || acc.owner != addr(&maxwell::ID) {
        return None;
    }
    Some(env.zc::<MarginAccount>(a))
}

pub fn holdings(env: &Env, accounts: &[Pk]) -> BTreeMap<Pk, Holdings> {
    let mut out = BTreeMap::new();
    for a in accounts {
        let Some(m) = margin(env, a) else { continue };
        let mut h = Holdings::default();
        for s in m.collateral.iter().filter(|s| s.in_use == 1) {
            h.shares.insert(s.bank_index, s.balance);
        }
        for p in m.positions.iter().filter(|p| p.in_use == 1) {
            h.positions.insert((p.underlying_index, p.series_index), p.size);
        }
        out.insert(*a, h);
    }
    out
}

/// Only the accounts the instruction may move changed.
pub fn only_moved(before: &BTreeMap<Pk, Holdings>, after: &BTreeMap<Pk, Holdings>, may_move: &[Pk]) -> Result<(), String> {
    for (a, h) in after {
        if may_move.contains(a) {
            continue;
        }
        let b = before.get(a).cloned().unwrap_or_default();
        if &b != h {
            return Err(format!("account {a} changed without being a party: {b:?} -> {h:?}"));
        }
    }
    Ok(())
}

/// Every bank in `banks`: the vault holds at least what the bank owes net of what it is owed
/// (the sum of the accounts' balances at the stored indices, deposits rounded down and borrows
/// up, plus the reserve's shares), and the share totals are the sums of the accounts' shares.
/// Rounding dust in the bank's favour may grow without bound over a long sequence; only the
/// lower bound is a safety property. While an expiry's holders settle one by one, the quote
/// bank owes the longs already credited before the shorts have paid: `settled_net` (credited
/// minus paid, summed over the expiries of `underlyings`) is owed to the vault by the shorts
/// still to settle, and counts on its side.
pub fn conservation(env: &Env, banks: &[BankRef], accounts: &[Pk], underlyings: &[Pk]) -> Result<(), String> {
    let settling: i128 = underlyings
        .iter()
        .map(|u| {
            let u = env.zc::<Underlying>(u);
            u.expiries[..usize::from(u.n_expiries)].iter().map(|e| i128::from(e.settled_net)).sum::<i128>()
        })
        .sum();
    let all: Vec<MarginAccount> = accounts.iter().filter_map(|a| margin(env, a)).collect();
    for b in banks {
        let bank = env.zc::<CollateralBank>(&b.bank);
        let idx = bank.index();
        let vault = i128::from(env.token_amount(&b.vault));
        let (mut value, mut dep, mut bor) = (0i128, 0u64, 0u64);
        for m in &all {
            if m.exchange != b.exchange {
                continue;
            }
            for s in m.collateral.iter().filter(|s| s.in_use == 1 && s.bank_index == bank.bank_index) {
                value += i128::from(idx.value(s.balance).map_err(|e| format!("value: {e:?}"))?);
                if s.balance > 0 {
                    dep += s.balance as u64;
                } else {
                    bor += s.balance.unsigned_abs();
                }
            }
        }
        value += i128::from(idx.deposit_value(idx.fee_shares).map_err(|e| format!("fee value: {e:?}"))?);
        if bank.is_quote == 1 {
            value -= settling;
        }
        if dep + idx.fee_shares != idx.deposit_shares {
            return Err(format!("bank {}: deposit shares {} != accounts {} + reserve {}", b.bank, idx.deposit_shares, dep, idx.fee_shares));
        }
        if bor != idx.borrow_shares {
            return Err(format!("bank {}: borrow shares {} != accounts {}", b.bank, idx.borrow_shares, bor));
        }
        if vault < value {
            return Err(format!("bank {}: vault {vault} < what it owes net {value}", b.bank));
        }
    }
    Ok(())
}

/// Open interest of every series equals the sum of long positions; while an expiry is not
/// settled, longs equal shorts; once it is settled and nobody holds it, `settled_net` is zero.
pub fn positions(env: &Env, m: &Market, accounts: &[Pk]) -> Result<(), String> {
    let u = env.zc::<Underlying>(&m.underlying);
    let n = usize::from(u.n_series);
    let (mut long, mut short) = (vec![0i128; n], vec![0i128; n]);
    for a in accounts {
        let Some(acc) = margin(env, a) else { continue };
        for p in acc.positions.iter().filter(|p| p.in_use == 1 && p.underlying_index == u.underlying_index) {
            let i = usize::from(p.series_index);
            if i >= n {
                return Err(format!("account {a} holds unlisted series {i}"));
            }
            if p.generation != u.series[i].generation {
                // A retired expiry's leftover: only a short of zero payoff can be left.
                if p.size > 0 {
                    return Err(format!("account {a}: a long left in retired series slot {i}"));
                }
                continue;
            }
            if p.size > 0 {
                long[i] += i128::from(p.size);
            } else {
                short[i] += i128::from(p.size.unsigned_abs());
            }
        }
    }
    for i in 0..n {
        let s = &u.series[i];
        if i128::from(s.open_interest) != long[i] {
            return Err(format!("series {i}: open interest {} != longs {}", s.open_interest, long[i]));
        }
        let e = &u.expiries[usize::from(s.expiry_index)];
        if e.settled == 0 && long[i] != short[i] {
            return Err(format!("series {i}: longs {} != shorts {} before settlement", long[i], short[i]));
        }
    }
    for (ei, e) in u.expiries.iter().enumerate().take(usize::from(u.n_expiries)) {
        let held = (0..n).any(|i| usize::from(u.series[i].expiry_index) == ei && (long[i] != 0 || short[i] != 0));
        if e.settled == 1 && !held && e.settled_net != 0 {
            return Err(format!("expiry {ei}: everyone settled but settled_net {}", e.settled_net));
        }
    }
    Ok(())
}

/// The account's health as the program computes it, without committing (simulation).
pub fn health(s: &Scenario, a: &Pk) -> Option<HealthLog> {
    health_after(s, &[], a)
}

/// The account's health after `prefix` (e.g. the crank a transaction bundles in front of its
/// trade), without committing: the state the program's own pre-trade health sees.
pub fn health_after(s: &Scenario, prefix: &[solana_instruction::Instruction], a: &Pk) -> Option<HealthLog> {
    let mut ixs = vec![compute_budget_ix(1_400_000)];
    ixs.extend(prefix.iter().filter(|i| i.program_id != compute_budget_ix(0).program_id).cloned());
    ixs.push(s.w.health_ix(a, Some(&s.m)));
    let ok = s.w.env.simulate(&ixs, &[]).ok()?;
    anchor_lang::AnchorDeserialize::deserialize(&mut ok.return_data.as_slice()).ok()
}
