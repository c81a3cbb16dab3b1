//! `idl-gen <program-dir> <out.json>`: builds the Anchor IDL of the program in `<program-dir>`
//! (compiles and runs its `__anchor_private_print_idl` test with the `idl-build` feature,
//! as `anchor idl build` does) and writes it as pretty JSON.
//!
//! Environment: `IDL_GEN_CARGO_ARGS` (optional, space separated) is passed to the inner
//! `cargo test`, e.g. `--target-dir target/idl-build`.

use std::path::PathBuf;

use anchor_lang_idl::build::IdlBuilder;
use anchor_lang_idl::serde_json;
use anyhow::{bail, Context, Result};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [program_dir, out] = args.as_slice() else {
        bail!("usage: idl-gen <program-dir> <out.json>");
    };
    // anchor-lang-idl 0.1.4 turns a set RUSTUP_TOOLCHAIN into a literal `+{toolchain}`
    // argument (a bug): drop it so rust-toolchain.toml picks the host toolchain.
    // Single-threaded at this point, so removing a variable is sound.
    std::env::remove_var("RUSTUP_TOOLCHAIN");

    let cargo_args: Vec<String> = std::env::var("IDL_GEN_CARGO_ARGS").unwrap_or_default().split_whitespace().map(str::to_owned).collect();
    let program_dir = PathBuf::from(program_dir).canonicalize().with_context(|| format!("program directory {program_dir}"))?;
    let idl = IdlBuilder::new()
        .program_path(program_dir.clone())
        .cargo_args(cargo_args)
        .build()
        .with_context(|| format!("building the IDL of {}", program_dir.display()))?;
    let json = serde_json::to_string_pretty(&idl)? + "\n";
    std::fs::write(out, json).with_context(|| format!("writing {out}"))?;
    eprintln!("idl-gen: wrote {out} ({} instructions)", idl.instructions.len());
    Ok(())
}
