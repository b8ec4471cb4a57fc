//! "Keep files in this browser": the switch, what is kept and how much room there is,
//! and Forget files.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::web::keep::KeepStatus;

#[derive(Properties, PartialEq)]
pub struct KeepProps {
    pub status: KeepStatus,
    pub on_toggle: Callback<bool>,
    pub on_forget: Callback<()>,
}

/// Bytes the way a file manager says them.
fn size(bytes: f64) -> String {
    if bytes >= 1e9 {
        format!("{:.1} GB", bytes / 1e9)
    } else if bytes >= 1e6 {
        format!("{:.1} MB", bytes / 1e6)
    } else {
        format!("{:.1} kB", bytes / 1e3)
    }
}

fn kept_line(status: &KeepStatus) -> String {
    let files = match status.files {
        0 => "No file is kept".to_string(),
        1 => format!("1 file is kept ({})", size(status.bytes)),
        n => format!("{n} files are kept ({})", size(status.bytes)),
    };
    let room = status
        .quota
        .map(|q| format!("; this browser lets this page keep up to {}", size(q)))
        .unwrap_or_default();
    let place = status.store.map(|s| format!(" in {s}")).unwrap_or_default();
    format!("{files}{place}{room}.")
}

#[function_component(KeepFiles)]
pub fn keep_files(props: &KeepProps) -> Html {
    let status = &props.status;
    let onchange = props.on_toggle.reform(|e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        input.checked()
    });
    let forget = props.on_forget.reform(|_: MouseEvent| ());
    html! {
        <div class="keep" data-testid="keep">
            <label>
                <input type="checkbox" data-testid="keep-files" checked={status.on} {onchange} />
                { " Keep files in this browser" }
            </label>
            <p class="hint">
                { "On: the files you load are copied into this browser's private storage for this page, on this computer only, so a reload or a crash brings the review back. Nothing is uploaded. Off: nothing is kept and the copies are removed." }
            </p>
            if status.on {
                <p class="hint" data-testid="kept-storage" role="status">{ kept_line(status) }</p>
            }
            if let Some(problem) = &status.problem {
                <p class="problem" data-testid="keep-problem" role="alert">{ problem }</p>
            }
            <button type="button" class="secondary" data-testid="forget-files" onclick={forget}
                disabled={status.files == 0}>
                { "Forget files" }
            </button>
        </div>
    }
}
