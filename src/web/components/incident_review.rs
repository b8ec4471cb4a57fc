//! The incident review as the core computes it: seed 002's closure criteria (✓/✗ with
//! why), the final statement, the support packet, the contract table, the assumption
//! register (its notes typed here) and the checklist, each item with the figure the loaded
//! evidence gives and where it came from, or marked for the reviewer.

use yew::prelude::*;

use super::scroll::Scroll;

use crate::closure::{
    cause_name, checklist, contract, criteria, packet, register, statement, statement_sha256, Item,
    List,
};
use crate::figures::Figures;
use crate::settings::{AssumptionText, CheckText, ReviewText, SettingsEdit};
use crate::web::browser;

#[derive(Properties, PartialEq)]
pub struct IncidentReviewProps {
    pub figures: Figures,
    /// The review as typed (the settings document's), to mark bridge steps unresolved.
    pub review: ReviewText,
    pub on_edit: Callback<SettingsEdit>,
    /// Why a download could not be prepared.
    pub on_notice: Callback<String>,
}

fn list_title(list: List) -> &'static str {
    match list {
        List::EvidenceCapture => "Evidence capture",
        List::UsageValidation => "Usage validation",
        List::PricingValidation => "Pricing validation",
        List::Remediation => "Remediation",
    }
}

/// The reviewer's tick, note or evidence link on item `key` changed: the whole review goes
/// out, the item's entry replaced (or added).
fn edit_check<E: TargetCast + 'static>(
    review: &ReviewText,
    on_edit: &Callback<SettingsEdit>,
    key: &'static str,
    set: fn(&mut CheckText, &web_sys::HtmlInputElement),
) -> Callback<E> {
    let (review, on_edit) = (review.clone(), on_edit.clone());
    Callback::from(move |e: E| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        let mut review = review.clone();
        let index = match review.checklist.iter().position(|c| c.key == key) {
            Some(i) => i,
            None => {
                review.checklist.push(CheckText {
                    key: key.to_string(),
                    ..CheckText::default()
                });
                review.checklist.len() - 1
            }
        };
        set(&mut review.checklist[index], &input);
        on_edit.emit(SettingsEdit::Review(Box::new(review)));
    })
}

fn item_row(item: &Item, review: &ReviewText, on_edit: &Callback<SettingsEdit>) -> Html {
    let answered = item.answer.is_some();
    // What was typed (the settings' text), not the sanitized copy outputs write.
    let typed = review
        .checklist
        .iter()
        .rev()
        .find(|c| c.key == item.key)
        .cloned()
        .unwrap_or_default();
    let mark = match (answered, typed.ticked) {
        (true, _) => "✓",
        (false, true) => "☑",
        (false, false) => "☐",
    };
    let class = if answered { "answered" } else { "to-tick" };
    let label = format!("{} (ticked by the reviewer)", item.item);
    html! {
        <li class={classes!("check-item", class)} data-testid="check-item" data-key={item.key} data-answered={answered.to_string()}>
            <span class="mark" aria-hidden="true">{ mark }</span>
            { " " }<span class="item">{ item.item }</span>
            if let Some(answer) = &item.answer {
                <div class="answer" data-testid="check-answer">{ answer.clone() }</div>
                if let Some(source) = &item.source {
                    <div class="hint">{ format!("From {source}.") }</div>
                }
            } else {
                <div class="hint">{ "For the reviewer: the loaded evidence cannot answer it. Tick it, with a note and a link to what shows it." }</div>
                <div class="grid no-print">
                    <label class="field checkbox">
                        <input type="checkbox" data-testid="check-ticked" aria-label={label} checked={typed.ticked}
                            onchange={edit_check(review, on_edit, item.key, |c, i| c.ticked = i.checked())} />
                        <span>{ "Done" }</span>
                    </label>
                    <label class="field">
                        <span>{ "Note" }</span>
                        <input type="text" data-testid="check-note" value={typed.note.clone()}
                            oninput={edit_check(review, on_edit, item.key, |c, i| c.note = i.value())} />
                    </label>
                    <label class="field">
                        <span>{ "Evidence (URL)" }</span>
                        <input type="text" data-testid="check-evidence-url" value={typed.evidence_url.clone()}
                            oninput={edit_check(review, on_edit, item.key, |c, i| c.evidence_url = i.value())} />
                    </label>
                </div>
                if let Some(tick) = &item.reviewer {
                    <div class="print-only answer">
                        { format!("{} {}", if tick.ticked { "Done:" } else { "Open:" }, tick.note) }
                        if !tick.evidence_url.is_empty() { { format!(" ({})", tick.evidence_url) } }
                    </div>
                }
            }
        </li>
    }
}

#[function_component(IncidentReview)]
pub fn incident_review(props: &IncidentReviewProps) -> Html {
    let items = checklist(&props.figures);
    let answered = items.iter().filter(|i| i.answer.is_some()).count();
    let lists = [
        List::EvidenceCapture,
        List::UsageValidation,
        List::PricingValidation,
        List::Remediation,
    ];
    let criteria = criteria(&props.figures);
    let may_close = criteria.iter().all(|c| c.met);
    let statement = statement(&props.figures);
    let packet = packet(&props.figures);
    let markdown = packet.to_markdown();
    // Named by the review's run id, like the record, so a download found later says which.
    let run_id = crate::sanitize::label(&props.figures.settings.reconciliation_run_id);
    let download = |ext: &'static str, mime: &'static str| {
        let text = if ext == ".md" {
            markdown.clone()
        } else {
            packet.to_json()
        };
        let name = format!("support-packet-{run_id}{ext}");
        let on_notice = props.on_notice.clone();
        Callback::from(move |_: MouseEvent| {
            if let Err(problem) = browser::download(&name, mime, &text) {
                on_notice.emit(problem);
            }
        })
    };
    html! {
        <>
        <h3>{ "Closure criteria" }</h3>
        <p class={if may_close { "status status-ok" } else { "status status-warn" }} data-testid="may-close">
            { if may_close { "Every criterion holds: the incident may be closed." } else { "Not yet: each ✗ says what is missing." } }
        </p>
        <ul class="checklist" data-testid="closure-criteria">
            { for criteria.iter().map(|c| html! {
                <li data-testid="criterion" data-met={c.met.to_string()}>
                    <span class="mark" aria-hidden="true">{ if c.met { "✓" } else { "✗" } }</span>
                    { " " }{ c.criterion }
                    <div class="answer">{ if c.met { "Yes: " } else { "No: " } }{ c.why.clone() }</div>
                </li>
            }) }
        </ul>
        <h3>{ "Final statement" }</h3>
        if let Some(statement) = statement {
            <blockquote class="statement" data-testid="final-statement"
                data-explained={crate::decimal::format(statement.explained)}
                data-unresolved={crate::decimal::format(statement.unresolved)}>{ statement.text.clone() }</blockquote>
            <button type="button" data-testid="finance-agree" onclick={{
                let (review, on_edit, digest) = (props.review.clone(), props.on_edit.clone(), statement_sha256(&statement));
                Callback::from(move |_: MouseEvent| {
                    let mut review = review.clone();
                    review.finance_agreed_at = browser::now().to_string();
                    review.finance_agreed_statement_sha256 = digest.clone();
                    on_edit.emit(SettingsEdit::Review(Box::new(review)));
                })
            }}>{ "Record the finance reviewer's agreement with this statement" }</button>
        } else {
            <p class="hint" data-testid="final-statement">{ "Not yet: the statement needs both the expected charge and a provider-side figure." }</p>
        }
        if let Some(bridge) = &props.figures.bridge {
            if !bridge.steps.is_empty() {
                <fieldset class="no-print" data-testid="step-states">
                    <legend>{ "Which bridge steps are explained? Untick one that names a cause but not yet a reason: its amount moves to the unresolved part." }</legend>
                    { for bridge.steps.iter().map(|step| {
                        let name = cause_name(step.cause);
                        let explained = !props.review.unresolved_causes.contains(&name);
                        let (review, on_edit, key) = (props.review.clone(), props.on_edit.clone(), name.clone());
                        let toggle = Callback::from(move |e: Event| {
                            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                            let mut review = review.clone();
                            review.unresolved_causes.retain(|c| *c != key);
                            if !input.checked() {
                                review.unresolved_causes.push(key.clone());
                            }
                            on_edit.emit(SettingsEdit::Review(Box::new(review)));
                        });
                        html! {
                            <label class="field checkbox">
                                <input type="checkbox" data-testid="step-explained" data-cause={name} checked={explained} onchange={toggle} />
                                <span>{ format!("{} ({})", step.cause.phrase(), crate::decimal::format(step.amount)) }</span>
                            </label>
                        }
                    }) }
                </fieldset>
            }
        }
        <h3>{ "Support packet" }</h3>
        <p class="hint">{ "Seed 002's ten items for a support ticket, sanitized: an account id not marked safe to share is hashed, request ids are short hashes with file and line." }</p>
        <div class="downloads">
            <button type="button" data-testid="download-packet-md" onclick={download(".md", "text/markdown")}>{ "Download support packet (Markdown)" }</button>
            <button type="button" data-testid="download-packet-json" onclick={download(".json", "application/json")}>{ "Download support packet (JSON)" }</button>
        </div>
        <details>
            <summary>{ "Preview" }</summary>
            <pre class="packet" data-testid="packet-preview">{ markdown }</pre>
        </details>
        <h3>{ "Contract details" }</h3>
        <Scroll label="Contract details to verify">
        <table data-testid="contract-table">
            <thead><tr><th scope="col">{ "Contract item" }</th><th scope="col">{ "Observed in this incident" }</th><th scope="col">{ "Source to check" }</th></tr></thead>
            <tbody>
                { for contract(&props.figures).into_iter().map(|row| html! {
                    <tr data-testid="contract-row">
                        <th scope="row" title={row.verify}>{ row.item }</th>
                        <td>{ row.observed.unwrap_or_else(|| "not in the loaded evidence: fill from your integration".into()) }</td>
                        <td>{ match (row.source_url, row.source_captured_at) {
                            (Some(url), Some(at)) => format!("{url} (captured {at})"),
                            (Some(url), None) => url,
                            _ => "no source document captured yet".into(),
                        } }</td>
                    </tr>
                }) }
            </tbody>
        </table>
        </Scroll>
        <h3>{ "Assumption register" }</h3>
        <Scroll label="Assumption register">
        <table data-testid="assumption-register">
            <thead><tr><th scope="col">{ "Assumption" }</th><th scope="col">{ "Statement and source" }</th><th scope="col">{ "Status" }</th>
                <th scope="col">{ "Owner (role)" }</th><th scope="col">{ "Fallback if it changes" }</th><th scope="col">{ "Next review (UTC)" }</th></tr></thead>
            <tbody>
                { for register(&props.figures, Some(browser::now())).into_iter().map(|a| {
                    let note = props.review.assumptions.iter().find(|n| n.key == a.key).cloned().unwrap_or_default();
                    let edit = |field: fn(&mut AssumptionText, String)| {
                        let (review, on_edit, key) = (props.review.clone(), props.on_edit.clone(), a.key.clone());
                        Callback::from(move |e: InputEvent| {
                            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                            let mut review = review.clone();
                            let at = match review.assumptions.iter().position(|n| n.key == key) {
                                Some(at) => at,
                                None => {
                                    review.assumptions.push(AssumptionText { key: key.clone(), ..AssumptionText::default() });
                                    review.assumptions.len() - 1
                                }
                            };
                            field(&mut review.assumptions[at], input.value());
                            on_edit.emit(SettingsEdit::Review(Box::new(review)));
                        })
                    };
                    let status = if a.verified { "verified".to_string() } else { "unverified".to_string() };
                    let flags = a.flags.join(", ");
                    html! {
                        <tr data-testid="assumption-row" data-key={a.key.clone()} data-flags={flags.clone()}>
                            <th scope="row">{ a.assumption.clone() }<div class="hint">{ a.system }</div></th>
                            <td>{ a.statement.clone() }<div class="hint">{ a.source.clone().map_or("no source".to_string(), |s| match &a.accessed { Some(at) => format!("{s} (accessed {at})"), None => s }) }</div></td>
                            <td>{ status }if !flags.is_empty() { <div class="status status-warn">{ flags }</div> }</td>
                            <td><span class="print-only">{ note.owner.clone() }</span><input class="no-print" aria-label="Owner (role)" data-testid="assumption-owner" value={note.owner.clone()} oninput={edit(|n, v| n.owner = v)} /></td>
                            <td><span class="print-only">{ note.fallback.clone() }</span><input class="no-print" aria-label="Fallback" data-testid="assumption-fallback" value={note.fallback.clone()} oninput={edit(|n, v| n.fallback = v)} /></td>
                            <td><span class="print-only">{ note.next_review.clone() }</span><input class="no-print" aria-label="Next review" data-testid="assumption-next-review" value={note.next_review.clone()} oninput={edit(|n, v| n.next_review = v)} /></td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
        </Scroll>
        <h3>{ "Checklist" }</h3>
        <div data-testid="incident-checklist">
            <p class="hint">{ format!("{answered} of {} items answered from the loaded evidence; request ids appear only as short hashes with their file and line.", items.len()) }</p>
            { for lists.iter().map(|&list| html! {
                <>
                    <h3>{ list_title(list) }</h3>
                    <ul class="checklist">
                        { for items.iter().filter(|i| i.list == list).map(|i| item_row(i, &props.review, &props.on_edit)) }
                    </ul>
                </>
            }) }
        </div>
        </>
    }
}
