//! The browser app's file reader, run as a web worker; Trunk builds this binary for
//! wasm32 beside the app (see index.html). It only wires the core to the worker's
//! mailbox: see `spend_reconciler::web::worker`.

#[cfg(target_arch = "wasm32")]
fn main() {
    spend_reconciler::web::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("this is the browser app's web worker; run `scripts/serve.sh`, or use the spend-reconciler command");
    std::process::exit(2);
}
