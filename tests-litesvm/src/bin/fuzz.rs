//! `fuzz N SEED [REPORT]`: N random sequences (seeds SEED..SEED+N) against the real
//! target/deploy/maxwell.so in LiteSVM; writes a Markdown report (default
//! target/fuzz/report.md) and exits 1 on any finding. See tests_litesvm::fuzz.

use std::fmt::Write as _;

use tests_litesvm::fuzz::{self, actions::KINDS, Report};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let seed: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1);
    let out = args.get(3).cloned().unwrap_or_else(|| "target/fuzz/report.md".into());
    let t0 = std::time::Instant::now();
    let every = (n / 20).max(1);
    let mut shown = 0;
    let report = fuzz::run(n, seed, |r| {
        // A finding is printed as soon as it is found (a long run's report comes at the end).
        for f in &r.findings[shown..] {
            eprintln!(
                "fuzz: FINDING seed {} step {} ({}): {}\n  trail: {}",
                f.seed,
                f.step,
                f.kind,
                f.message.lines().next().unwrap_or(""),
                f.trail.join(" > ")
            );
        }
        shown = r.findings.len();
        let done = r.sequences + r.findings.len() as u64;
        if done % every == 0 {
            eprintln!(
                "fuzz: {done}/{n} sequences, {} transactions, {} findings, {:.0} s",
                r.transactions,
                r.findings.len(),
                t0.elapsed().as_secs_f64()
            );
        }
    });
    let text = render(&report, n, seed, t0.elapsed().as_secs_f64());
    if let Some(dir) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(dir).ok();
    }
    std::fs::write(&out, &text).expect("write the report");
    println!("{text}");
    if !report.findings.is_empty() {
        std::process::exit(1);
    }
}

fn render(r: &Report, n: u64, seed: u64, secs: f64) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## Fuzz run: {n} sequences from seed {seed}\n");
    let _ = writeln!(
        s,
        "- sequences completed: {}; with a finding: {}\n- steps: {} ({} per sequence); transactions sent: {}\n- wall time: {secs:.0} s\n",
        r.sequences,
        r.findings.len(),
        r.steps,
        fuzz::STEPS,
        r.transactions
    );
    let never: Vec<&str> = KINDS.iter().copied().filter(|k| !r.reached(k) && !k.starts_with("attack_")).collect();
    let _ = writeln!(s, "Instructions never successful in this run: {}\n", if never.is_empty() { "none".into() } else { never.join(", ") });
    let _ = writeln!(s, "| instruction | outcome | count |\n|---|---|---:|");
    for ((kind, outcome), count) in &r.outcomes {
        let _ = writeln!(s, "| {kind} | {outcome} | {count} |");
    }
    if !r.findings.is_empty() {
        let _ = writeln!(s, "\n### Findings\n");
        for f in &r.findings {
            let msg: String = f.message.lines().take(40).collect::<Vec<_>>().join("\n    ");
            let _ = writeln!(
                s,
                "- seed {} step {} ({}): replay `scripts/fuzz.sh 1 {}`\n    {}\n    trail: {}",
                f.seed,
                f.step,
                f.kind,
                f.seed,
                msg,
                f.trail.join(" > ")
            );
        }
    }
    s
}
