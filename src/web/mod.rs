//! The browser shell: Yew components and browser glue. No business rule lives here;
//! every figure on the page is computed by [`crate::pipeline::run_reports`] in the web
//! worker ([`worker`]), on the rows it read with the same core the CLI runs.

mod app;
mod browser;
mod charges;
mod crosschecks;
mod documents;
mod factors;
mod files;
mod loader;
mod mapping_form;
mod message;
mod policy_form;
mod rates;
mod results;
mod state;
mod window_form;
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
