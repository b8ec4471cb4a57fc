//! Outcome policy, rounding rule, quota rounding, currency and FX.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::fields::TextField;
use crate::policy::{outcome_name, Billability, Outcome, Policy};
use crate::settings::{Settings, SettingsEdit, SettingsField};

fn choice(
    label: &'static str,
    testid: String,
    current: &str,
    options: &[&str],
    on_change: Callback<String>,
) -> Html {
    let onchange =
        on_change.reform(|e: Event| e.target_unchecked_into::<HtmlSelectElement>().value());
    let current = current.trim().to_ascii_lowercase();
    html! {
        <label class="field">
            <span>{ label }</span>
            <select data-testid={testid} {onchange}>
                { for options.iter().map(|option| {
                    let selected = current == *option || (current.is_empty() && option.starts_with('('));
                    let value = if option.starts_with('(') { "" } else { option };
                    html! { <option value={value.to_string()} {selected}>{ option.to_string() }</option> }
                }) }
            </select>
        </label>
    }
}

fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Success => "Success",
        Outcome::CancelledStream => "Cancelled stream",
        Outcome::ClientError4xx => "4xx client error",
        Outcome::RateLimited429 => "429 rate limited",
        Outcome::ServerError5xx => "5xx server error",
        Outcome::ClientTimeout => "Client timeout",
        Outcome::RetryAttempt => "Retry attempt",
        Outcome::FailedUnspecified => "Failed (unspecified)",
    }
}

#[derive(Properties, PartialEq)]
pub struct PolicyProps {
    pub settings: Settings,
    pub on_edit: Callback<SettingsEdit>,
}

#[function_component(PolicyForm)]
pub fn policy_form(props: &PolicyProps) -> Html {
    let s = &props.settings;
    let edit = |field: SettingsField| {
        props
            .on_edit
            .reform(move |value: String| SettingsEdit::Field(field, value))
    };
    let mut policy = s.outcome_policy.clone();
    let outcomes = Outcome::ALL.into_iter().map(|outcome| {
        let on_change = props
            .on_edit
            .reform(move |value: String| SettingsEdit::Policy(outcome, value));
        // An empty choice is the policy's default for the outcome.
        let default = format!("(default: {})", Policy::default().of(outcome).name());
        let current = policy.slot(outcome).clone();
        let options =
            std::iter::once(default.as_str()).chain(Billability::ALL.map(Billability::name));
        choice(
            outcome_label(outcome),
            format!("policy-{}", outcome_name(outcome).replace('_', "-")),
            &current,
            &options.collect::<Vec<_>>(),
            on_change,
        )
    });
    html! {
        <>
            <h3>{ "Which outcomes are billable" }</h3>
            <p class="hint">{ "Unknown outcomes are priced as an at-risk range beside the expected charge, not inside it. Not billable ones are excluded and counted." }</p>
            <div class="grid">{ for outcomes }</div>
            <h3>{ "Rounding and currency" }</h3>
            <div class="grid">
                { choice("Rounding (only if documented)", "rounding-scope".into(), &s.rounding.scope,
                    &["(none: exact)", "per_row", "per_line", "per_total"], edit(SettingsField::RoundingScope)) }
                <TextField label="Rounding decimals" testid="rounding-decimals" value={s.rounding.decimals.clone()}
                    on_input={edit(SettingsField::RoundingDecimals)} />
                { choice("Rounding strategy", "rounding-strategy".into(), &s.rounding.strategy,
                    &["(choose)", "half_up", "half_even", "half_down", "down", "up"], edit(SettingsField::RoundingStrategy)) }
                <TextField label="Where the rounding rule is documented" testid="rounding-source-url"
                    value={s.rounding.source_url.clone()} on_input={edit(SettingsField::RoundingSourceUrl)} />
                { choice("Gateway quota rounding (for the consistency check)", "quota-rounding".into(), &s.quota_rounding,
                    &["(default: round)", "round", "truncate", "ceil"], edit(SettingsField::QuotaRounding)) }
                <TextField label="Billing currency" testid="billing-currency" placeholder="USD"
                    value={s.billing_currency.clone()} on_input={edit(SettingsField::BillingCurrency)} />
                <TextField label="FX rate (1 rate-card unit = ? billing units)" testid="fx-rate"
                    value={s.fx.rate.clone()} on_input={edit(SettingsField::FxRate)} />
                <TextField label="FX source URL" testid="fx-source-url" value={s.fx.source_url.clone()}
                    on_input={edit(SettingsField::FxSourceUrl)} />
                <TextField label="FX captured at (UTC)" testid="fx-captured-at" value={s.fx.captured_at.clone()}
                    on_input={edit(SettingsField::FxCapturedAt)} />
            </div>
        </>
    }
}
