//! The incident window, tolerance, run id, how the files write times and numbers and
//! what becomes of requests without a time.

use yew::prelude::*;

use super::fields::{error_at, SelectField, TextField};
use crate::decimal::NumberFormat;
use crate::error::Error;
use crate::ingest::{DateOrder, UntimedRequests};
use crate::settings::{Settings, SettingsEdit, SettingsField};

fn number_formats() -> Vec<(String, String)> {
    NumberFormat::ALL
        .iter()
        .map(|f| match f.sample() {
            "" => (String::new(), "1234.5 (no grouping; JSON)".to_string()),
            sample => (sample.to_string(), sample.to_string()),
        })
        .collect()
}

/// The default rule first (empty), then each stream that can stand as the figure.
fn provider_sides() -> Vec<(String, String)> {
    use crate::settings::provider_side::{name, CHOICES, DEFAULT_RULE};
    let default = (String::new(), format!("the default: {DEFAULT_RULE}"));
    let chosen = CHOICES
        .into_iter()
        .map(|stream| (name(stream), stream.describe().to_string()));
    std::iter::once(default).chain(chosen).collect()
}

/// The gateway log's rows (the default, empty), then what the client saw.
fn expected_sides() -> Vec<(String, String)> {
    use crate::settings::expected_side::CHOICES;
    (CHOICES.iter())
        .map(|(word, words)| (word.to_string(), words.to_string()))
        .collect()
}

fn untimed_choices() -> Vec<(String, String)> {
    UntimedRequests::ALL
        .iter()
        .map(|choice| {
            let text = match choice {
                UntimedRequests::Reject => "reject them (the window cannot be applied)",
                UntimedRequests::Count => "count them, without the window (listed apart)",
            };
            (choice.name().to_string(), text.to_string())
        })
        .collect()
}

fn date_orders() -> Vec<(String, String)> {
    DateOrder::ALL
        .iter()
        .map(|order| {
            let text = match order {
                DateOrder::YearFirst => "year first only (2026-01-05)",
                DateOrder::MonthFirst => "month/day/year (1/5/26 is 5 January)",
                DateOrder::DayFirst => "day/month/year (5/1/26 is 5 January)",
            };
            (order.name().to_string(), text.to_string())
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct WindowProps {
    pub settings: Settings,
    /// The settings' problems; each shows beside its field.
    #[prop_or_default]
    pub errors: Vec<Error>,
    pub on_edit: Callback<SettingsEdit>,
}

#[function_component(WindowForm)]
pub fn window_form(props: &WindowProps) -> Html {
    let s = &props.settings;
    let edit = |field: SettingsField| {
        props
            .on_edit
            .reform(move |value: String| SettingsEdit::Field(field, value))
    };
    let e = |path: &str| error_at(&props.errors, path);
    let no_window = s.incident_window_utc.start.trim().is_empty()
        && s.incident_window_utc.end.trim().is_empty();
    html! {
        <>
        if no_window {
            <p class="warning" role="status" data-testid="window-missing">
                { "No incident window yet: every row of every file counts, whenever it was written. Enter the window's start and end in UTC, e.g. 2026-05-11T08:00:00Z." }
            </p>
        }
        <div class="grid">
            <TextField label="Window start (UTC, e.g. 2026-05-11T08:00:00Z)" testid="window-start" required=true
                error={e("incident_window_utc.start")}
                value={s.incident_window_utc.start.clone()} on_input={edit(SettingsField::WindowStart)} />
            <TextField label="Window end (UTC, exclusive)" testid="window-end" required=true
                error={e("incident_window_utc.end")}
                value={s.incident_window_utc.end.clone()} on_input={edit(SettingsField::WindowEnd)} />
            <TextField label="Tolerance, in the billing currency" testid="tolerance-absolute"
                error={e("tolerance.absolute")}
                value={s.tolerance.absolute.clone()} on_input={edit(SettingsField::ToleranceAbsolute)} />
            <TextField label="Tolerance, % of expected" testid="tolerance-percent"
                error={e("tolerance.percent")}
                value={s.tolerance.percent.clone()} on_input={edit(SettingsField::TolerancePercent)} />
            <TextField label="Quota per USD (500000 unless the gateway changed it)" testid="quota-per-usd"
                error={e("quota_per_usd")}
                value={s.quota_per_usd.clone()} on_input={edit(SettingsField::QuotaPerUsd)} />
            <TextField label="Times without a zone were written at (UTC offset such as +08:00, or a zone such as Asia/Shanghai)" testid="zoneless-offset"
                error={e("zoneless_times_offset")}
                value={s.zoneless_times_offset.clone()} on_input={edit(SettingsField::ZonelessOffset)} />
            <SelectField label="Provider-side figure (the stream the expected charge is compared with)" testid="provider-side"
                options={provider_sides()} error={e("provider_side")}
                value={s.provider_side.clone()} on_change={edit(SettingsField::ProviderSide)} />
            <SelectField label="Expected charge priced from (what the provider is expected to charge)" testid="expected-side"
                options={expected_sides()} error={e("expected_side")}
                value={s.expected_side.clone()} on_change={edit(SettingsField::ExpectedSide)} />
            <SelectField label="Requests without a time (Anthropic Messages)" testid="untimed-requests"
                options={untimed_choices()} error={e("untimed_requests")}
                value={s.untimed_requests.clone()} on_change={edit(SettingsField::UntimedRequests)} />
            <SelectField label="Dates in the files" testid="date-order" options={date_orders()}
                error={e("date_order")}
                value={s.date_order.clone()} on_change={edit(SettingsField::DateOrder)} />
            <SelectField label="Numbers in the files (CSV)" testid="number-format" options={number_formats()}
                error={e("number_format")}
                value={s.number_format.clone()} on_change={edit(SettingsField::NumberFormat)} />
            <TextField label="Reconciliation run id (names the record and the CSVs)" testid="run-id"
                value={s.reconciliation_run_id.clone()} on_input={edit(SettingsField::RunId)} />
        </div>
        </>
    }
}
