//! Browser unit tests: the real app mounted in headless Chromium (wasm-bindgen-test).
//! They await Yew's scheduler (microtask turns) instead of sleeping.
#![cfg(target_arch = "wasm32")]

use spend_reconciler::web::App;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, Event, EventInit, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Yields to the microtask queue until `check` holds (Yew renders in microtasks).
async fn until(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..2000 {
        if check() {
            return;
        }
        JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL))
            .await
            .unwrap();
    }
    panic!("timed out waiting for {what}");
}

fn find(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).unwrap()
}

fn mount() -> Element {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    root
}

fn type_into(root: &Element, testid: &str, text: &str) {
    let input: HtmlInputElement = find(root, &format!("[data-testid=\"{testid}\"]"))
        .unwrap()
        .dyn_into()
        .unwrap();
    input.set_value(text);
    let init = EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn app_mounts_with_an_empty_review() {
    let root = mount();
    until("the app", || find(&root, "[data-testid=\"app\"]").is_some()).await;
    assert!(find(&root, "[data-testid=\"file-input\"]").is_some());
    assert!(
        find(&root, "[data-testid=\"rate-row\"]").is_none(),
        "no model seen yet"
    );
    let download = find(&root, "[data-testid=\"download-record\"]").unwrap();
    assert!(
        download.has_attribute("disabled"),
        "nothing to download before any usage"
    );
}

#[wasm_bindgen_test]
async fn a_bad_window_is_explained_and_kept() {
    let root = mount();
    until("the app", || {
        find(&root, "[data-testid=\"window-start\"]").is_some()
    })
    .await;
    type_into(&root, "window-start", "yesterday morning");
    until("the settings error", || {
        find(&root, "[data-testid=\"settings-errors\"]").is_some()
    })
    .await;
    let errors = find(&root, "[data-testid=\"settings-errors\"]")
        .unwrap()
        .text_content()
        .unwrap();
    assert!(
        errors.contains("incident_window_utc.start: expected a UTC time like 2026-05-11T08:00:00Z"),
        "{errors}"
    );
    // What the user typed stays in the field and in this browser's storage.
    let input: HtmlInputElement = find(&root, "[data-testid=\"window-start\"]")
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(input.value(), "yesterday morning");
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    until("the settings to be saved", || {
        storage
            .get_item("spend-reconciler.settings.v1")
            .unwrap()
            .is_some_and(|saved| saved.contains("yesterday morning"))
    })
    .await;
}

fn click(root: &Element, selector: &str) {
    let element: web_sys::HtmlElement = find(root, selector).unwrap().dyn_into().unwrap();
    element.click();
}

#[wasm_bindgen_test]
async fn pasted_rates_become_entries_and_factors_are_listed() {
    let root = mount();
    until("the app", || {
        find(&root, "[data-testid=\"paste-rates\"]").is_some()
    })
    .await;
    let area: web_sys::HtmlTextAreaElement = find(&root, "[data-testid=\"paste-rates\"]")
        .unwrap()
        .dyn_into()
        .unwrap();
    area.set_value(
        "Model\tInput\tOutput\tSource URL\ngpt-4o\t$2.50\t$10.00\thttps://example.com/pricing\n",
    );
    let init = EventInit::new();
    init.set_bubbles(true);
    area.dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    click(&root, "[data-testid=\"paste-rates-apply\"]");
    let row = "[data-testid=\"rate-row\"][data-model=\"gpt-4o\"]";
    until("the pasted entry", || find(&root, row).is_some()).await;
    let input: HtmlInputElement = find(&root, &format!("{row} [data-testid=\"rate-input\"]"))
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(
        input.value(),
        "2.50",
        "the price is kept as typed, without the $ sign"
    );

    click(&root, "[data-testid=\"add-factor\"]");
    until("a factor row", || {
        find(&root, "[data-testid=\"factor-row\"]").is_some()
    })
    .await;
    type_into(&root, "factor-value", "0.8x");
    until("the factor error", || {
        find(&root, "[data-testid=\"settings-errors\"]")
            .and_then(|e| e.text_content())
            .is_some_and(|t| {
                t.contains("factors[0].value: expected a number like 12.50, but found \"0.8x\"")
            })
    })
    .await;
}
