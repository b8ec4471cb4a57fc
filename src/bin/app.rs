//! The browser app entry; Trunk builds this binary for wasm32. The same module runs the
//! page in a window and the file reader in each web worker the page starts (the worker's
//! loader initialises this module again), so the browser fetches and compiles one
//! WebAssembly file: see `spend_reconciler::web::start_here`.

#[cfg(target_arch = "wasm32")]
fn main() {
    spend_reconciler::web::start_here();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "this is the browser app; run `scripts/serve.sh`, or use the spend-reconciler command"
    );
    std::process::exit(2);
}
