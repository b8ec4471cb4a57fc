//! `spend-reconciler verify RECORD FILE…`: the record checked against its files, by the
//! core's [`spend_reconciler::verify`], the page's "Verify a record" too.

use std::process::ExitCode;

use spend_reconciler::verify::verify as check;

use super::args::Verify;
use super::inputs;

/// Prints "identical", or "different" and each finding on a line of its own; the exit
/// status says which (0 or 1). A record that cannot be checked is an error (status 2).
pub fn verify(args: &Verify) -> Result<ExitCode, String> {
    let path = &args.record;
    let record = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot be read: {e}", path.display()))?;
    let files = inputs::open_inputs(&args.files)?;
    // The native shell reads each file as the reconcile command does: from the disk.
    let verification = check(&record, &files, spend_reconciler::native::run_inputs)
        .map_err(|problem| format!("{}: {problem}", path.display()))?;
    println!("{}", verification.verdict());
    for finding in verification.findings() {
        println!("  {finding}");
    }
    Ok(if verification.identical {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
