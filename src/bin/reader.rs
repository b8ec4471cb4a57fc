//! The page's file reader: the web worker's mailbox, which reads files and computes the
//! figures with the same core the command line runs. Its own WebAssembly module, built
//! for speed (profile `reader`): the page (`src/bin/app.rs`, built for size) starts it
//! in two workers when the first file is picked or dropped.

#[cfg(target_arch = "wasm32")]
fn main() {
    spend_reconciler::web::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("this is the page's file reader, started by the browser app in a web worker");
    std::process::exit(2);
}
