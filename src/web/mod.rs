//! The browser shell: Yew components and browser glue. No business rule lives here;
//! every figure on the page is computed by the core in the web worker ([`worker`]), on
//! the rows it read with the same functions the CLI runs, and every settings change is a
//! [`crate::settings::SettingsEdit`] the core applies.
//!
//! - `app`: the root component: the one reducer, the effects that talk to the worker,
//!   the page's layout.
//! - `state`: the reducer's state (plain core types) and its actions.
//! - `components`: the page's pieces, props in and `Callback`s out.
//! - [`worker`]: the web worker that reads files and computes the figures (its own
//!   module, `src/bin/reader.rs`), and the page's loader that talks to it.
//! - `browser`: reading files, downloads, local persistence, the panic hook.
//! - `keep`: files kept in this browser (OPFS or IndexedDB) so a reload brings the
//!   review back.

mod app;
mod browser;
mod components;
mod keep;
mod state;
pub mod worker;

pub use app::App;

/// Mounts the app into `<main id="app-root">`, after installing a panic hook that shows
/// a message instead of leaving a dead page.
pub fn start() {
    browser::install_panic_hook();
    let root = gloo_utils_root();
    yew::Renderer::<App>::with_root(root).render();
}

fn gloo_utils_root() -> web_sys::Element {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a page has a document");
    document
        .get_element_by_id("app-root")
        .unwrap_or_else(|| document.body().expect("a page has a body").into())
}
