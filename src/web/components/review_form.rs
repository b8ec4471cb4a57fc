//! The incident review as the reviewer types it (the settings document's `review`):
//! roles, the finance time zone, the window buffer, the forecast, source documents,
//! what the residual waits on, follow-ups, the finance reviewer's agreement and the
//! support packet's account id, endpoints and question. Each change goes out as the
//! whole review ([`SettingsEdit::Review`]); the core checks it, and its warnings show
//! beside their fields.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::fields::{error_at, SelectField, TextField};
use crate::error::Error;
use crate::settings::{
    DocumentText, FollowUpText, ReviewText, Settings, SettingsEdit, DOCUMENT_KINDS,
};

#[derive(Properties, PartialEq)]
pub struct ReviewFormProps {
    pub settings: Settings,
    /// The settings' errors (the window buffer's is one).
    #[prop_or_default]
    pub errors: Vec<Error>,
    pub on_edit: Callback<SettingsEdit>,
}

/// A callback that changes one part of the review and sends the whole of it.
fn change<T: 'static>(
    review: &ReviewText,
    on_edit: &Callback<SettingsEdit>,
    set: impl Fn(&mut ReviewText, T) + 'static,
) -> Callback<T> {
    let (review, on_edit) = (review.clone(), on_edit.clone());
    Callback::from(move |value: T| {
        let mut review = review.clone();
        set(&mut review, value);
        on_edit.emit(SettingsEdit::Review(Box::new(review)));
    })
}

#[function_component(ReviewForm)]
pub fn review_form(props: &ReviewFormProps) -> Html {
    let r = &props.settings.review;
    let on = |set: fn(&mut ReviewText, String)| change(r, &props.on_edit, set);
    // Warnings never make the settings invalid: they come from the core's check of the
    // review, beside the settings' own errors.
    let mut problems = r.validate(&props.settings.billing_currency).problems;
    problems.extend(props.errors.iter().cloned());
    let e = |path: &str| error_at(&problems, path);
    let kinds: Vec<(String, String)> = DOCUMENT_KINDS
        .iter()
        .map(|k| (k.to_string(), k.replace('_', " ")))
        .collect();
    let document = |i: usize, d: &DocumentText| {
        let set = move |field: fn(&mut DocumentText, String)| {
            change(
                r,
                &props.on_edit,
                move |review: &mut ReviewText, v: String| {
                    if let Some(d) = review.documents.get_mut(i) {
                        field(d, v);
                    }
                },
            )
        };
        let remove = change(
            r,
            &props.on_edit,
            move |review: &mut ReviewText, _: MouseEvent| {
                if i < review.documents.len() {
                    review.documents.remove(i);
                }
            },
        );
        let path = |f: &str| format!("review.documents[{i}].{f}");
        html! {
            <fieldset class="grid" data-testid="review-document">
                <legend>{ format!("Source document {}", i + 1) }</legend>
                <SelectField label="Type" testid="document-type" options={kinds.clone()} error={e(&path("type"))}
                    value={d.kind.clone()} on_change={set(|d, v| d.kind = v)} />
                <TextField label="URL" testid="document-url" value={d.url.clone()} on_input={set(|d, v| d.url = v)} />
                <TextField label="Captured at (UTC)" testid="document-captured-at" error={e(&path("captured_at"))}
                    value={d.captured_at.clone()} on_input={set(|d, v| d.captured_at = v)} />
                <TextField label="Purpose" testid="document-purpose" value={d.purpose.clone()} on_input={set(|d, v| d.purpose = v)} />
                <button type="button" onclick={remove}>{ "Remove" }</button>
            </fieldset>
        }
    };
    let follow_up = |i: usize, f: &FollowUpText| {
        let set = move |field: fn(&mut FollowUpText, String)| {
            change(
                r,
                &props.on_edit,
                move |review: &mut ReviewText, v: String| {
                    if let Some(f) = review.follow_ups.get_mut(i) {
                        field(f, v);
                    }
                },
            )
        };
        let remove = change(
            r,
            &props.on_edit,
            move |review: &mut ReviewText, _: MouseEvent| {
                if i < review.follow_ups.len() {
                    review.follow_ups.remove(i);
                }
            },
        );
        html! {
            <fieldset class="grid" data-testid="review-follow-up">
                <legend>{ format!("Follow-up {}", i + 1) }</legend>
                <TextField label="Action (e.g. add a retry budget)" testid="follow-up-action" value={f.action.clone()} on_input={set(|f, v| f.action = v)} />
                <TextField label="Owner (a role)" testid="follow-up-owner" error={e(&format!("review.follow_ups[{i}].owner"))}
                    value={f.owner.clone()} on_input={set(|f, v| f.owner = v)} />
                <TextField label="Tracked at (URL)" testid="follow-up-url" value={f.url.clone()} on_input={set(|f, v| f.url = v)} />
                <button type="button" onclick={remove}>{ "Remove" }</button>
            </fieldset>
        }
    };
    let add_document = change(
        r,
        &props.on_edit,
        |review: &mut ReviewText, _: MouseEvent| {
            review.documents.push(DocumentText {
                kind: "api_docs".into(),
                ..DocumentText::default()
            })
        },
    );
    let add_follow_up = change(
        r,
        &props.on_edit,
        |review: &mut ReviewText, _: MouseEvent| review.follow_ups.push(FollowUpText::default()),
    );
    let safe = change(r, &props.on_edit, |review: &mut ReviewText, e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        review.account_id_safe = input.checked();
    });
    html! {
        <>
        <p class="hint">{ "Roles, not names: a value that looks like an email or a person's name is hashed in every output. Kept in the settings document (Export settings saves it)." }</p>
        <div class="grid">
            <TextField label="Incident owner (role)" testid="review-owner" error={e("review.incident_owner")}
                value={r.incident_owner.clone()} on_input={on(|r, v| r.incident_owner = v)} />
            <TextField label="Finance reviewer (role)" testid="review-finance" error={e("review.finance_reviewer")}
                value={r.finance_reviewer.clone()} on_input={on(|r, v| r.finance_reviewer = v)} />
            <TextField label="Finance time zone (IANA, e.g. Asia/Shanghai)" testid="review-zone" error={e("review.finance_time_zone")}
                value={r.finance_time_zone.clone()} on_input={on(|r, v| r.finance_time_zone = v)} />
            <TextField label="Window buffer, minutes each side (rows there are counted, not priced)" testid="review-buffer"
                error={e("review.window_buffer_minutes")}
                value={r.window_buffer_minutes.clone()} on_input={on(|r, v| r.window_buffer_minutes = v)} />
            <TextField label="Forecast for the window" testid="review-forecast-amount" error={e("review.forecast.amount")}
                value={r.forecast.amount.clone()} on_input={on(|r, v| r.forecast.amount = v)} />
            <TextField label="Forecast currency (empty: the billing currency)" testid="review-forecast-currency"
                value={r.forecast.currency.clone()} on_input={on(|r, v| r.forecast.currency = v)} />
            <TextField label="Pricing source the forecast used (URL or name)" testid="review-forecast-source"
                value={r.forecast.pricing_source.clone()} on_input={on(|r, v| r.forecast.pricing_source = v)} />
            <TextField label="What the unexplained residual waits on (marks it unresolved)" testid="review-pending"
                value={r.unresolved_pending.clone()} on_input={on(|r, v| r.unresolved_pending = v)} />
            <TextField label="Finance reviewer agreed at (UTC)" testid="review-agreed-at" error={e("review.finance_agreed_at")}
                value={r.finance_agreed_at.clone()} on_input={on(|r, v| r.finance_agreed_at = v)} />
            <TextField label="Account identifier (for the support packet)" testid="review-account"
                value={r.account_id.clone()} on_input={on(|r, v| r.account_id = v)} />
            <TextField label="Affected endpoint paths (comma-separated)" testid="review-endpoints"
                value={r.endpoint_paths.clone()} on_input={on(|r, v| r.endpoint_paths = v)} />
            <TextField label="Auth scheme name only (e.g. Bearer; never the key)" testid="review-auth-scheme"
                value={r.auth_scheme.clone()} on_input={on(|r, v| r.auth_scheme = v)} />
            <TextField label="The exact question for support (empty: one is proposed)" testid="review-question"
                value={r.support_question.clone()} on_input={on(|r, v| r.support_question = v)} />
        </div>
        <label class="field checkbox">
            <input type="checkbox" data-testid="review-account-safe" checked={r.account_id_safe} onchange={safe} />
            <span>{ "The account identifier is safe to share (otherwise the packet holds a hash of it)" }</span>
        </label>
        { for r.documents.iter().enumerate().map(|(i, d)| document(i, d)) }
        <button type="button" data-testid="add-document" onclick={add_document}>{ "Add a source document" }</button>
        { for r.follow_ups.iter().enumerate().map(|(i, f)| follow_up(i, f)) }
        <button type="button" data-testid="add-follow-up" onclick={add_follow_up}>{ "Add a follow-up" }</button>
        </>
    }
}
