//! "Verify a record": a reconciliation record and the files it was made from, checked by
//! the worker with the core's [`crate::verify::verify`] (the command line's `verify`);
//! this shows its verdict and findings, in the core's words.

use web_sys::{File, HtmlInputElement};
use yew::prelude::*;

use crate::web::browser;
use crate::web::state::Verifying;

#[derive(Properties, PartialEq)]
pub struct VerifyProps {
    /// The last check, if any.
    pub verification: Option<Verifying>,
    /// The record and its files, to be checked by the worker.
    pub on_verify: Callback<(File, Vec<File>)>,
}

#[function_component(VerifyRecord)]
pub fn verify_record(props: &VerifyProps) -> Html {
    let record = use_state(|| None::<File>);
    let files = use_state(Vec::<File>::new);
    let on_record = {
        let record = record.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            record.set(browser::take_files(input.files()).into_iter().next());
        })
    };
    let on_files = {
        let files = files.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            files.set(browser::take_files(input.files()));
        })
    };
    let on_run = {
        let (record, files, on_verify) = (record.clone(), files.clone(), props.on_verify.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(record) = (*record).clone() {
                on_verify.emit((record, (*files).clone()));
            }
        })
    };
    let result = match &props.verification {
        None => html! {},
        Some(Verifying::Running) => html! {
            <p class="hint" role="status" data-testid="verify-running">{ "Running the record again from its settings and these files…" }</p>
        },
        Some(Verifying::Failed(problem)) => html! {
            <p class="problem" role="alert" data-testid="verify-result">
                <span class="status status-bad">{ "Cannot be checked" }</span>{ " " }{ problem }
            </p>
        },
        Some(Verifying::Done(v)) => {
            let (class, words) = if v.identical {
                ("status status-ok", "Identical: run again from its own settings and these files, the record comes out the same.")
            } else {
                (
                    "status status-bad",
                    "Different: the record does not come out the same from these files.",
                )
            };
            html! {
                <div role="status" data-testid="verify-result" data-verdict={v.verdict()}>
                    <p><span class={class}>{ v.verdict() }</span>{ " " }{ words }</p>
                    if !v.identical {
                        <ul class="findings" data-testid="verify-findings">
                            { for v.findings().into_iter().map(|f| html! { <li>{ f }</li> }) }
                        </ul>
                    }
                </div>
            }
        }
    };
    html! {
        <div class="verify">
            <p class="hint">{ "Check a reconciliation record someone sent you: pick the record and the files it was made from. The page runs the review again from the settings the record carries, at its generated_at, and says whether the record comes out the same, or names the files and the first fields that differ. Nothing is uploaded." }</p>
            <label class="field">
                <span>{ "Record (JSON)" }</span>
                <input type="file" accept=".json" data-testid="verify-record" onchange={on_record} />
            </label>
            <label class="field">
                <span>{ "Its files" }</span>
                <input type="file" multiple=true data-testid="verify-files" onchange={on_files} />
            </label>
            <button type="button" data-testid="verify-run" disabled={record.is_none()} onclick={on_run}>
                { "Verify the record" }
            </button>
            { result }
        </div>
    }
}
