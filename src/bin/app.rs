//! The browser app entry; Trunk builds this binary for wasm32.

#[cfg(target_arch = "wasm32")]
fn main() {
    spend_reconciler::web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "this is the browser app; run `scripts/serve.sh`, or use the spend-reconciler command"
    );
    std::process::exit(2);
}
