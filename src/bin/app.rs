//! The browser page; Trunk builds this binary for wasm32 (index.html). It holds the
//! page's components and the record's download, not the reading and pricing: those are
//! the file reader's module (`src/bin/reader.rs`), which the page fetches when the
//! first file is picked or dropped, so a visitor who never gives a file never fetches it.

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
