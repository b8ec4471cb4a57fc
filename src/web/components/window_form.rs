//! The incident window, tolerance, run id, how the files write times and numbers and
//! what becomes of requests without a time.

use yew::prelude::*;

use super::fields::{SelectField, TextField};
use crate::decimal::NumberFormat;
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
    html! {
        <div class="grid">
            <TextField label="Window start (UTC)" testid="window-start" placeholder="2026-05-11T08:00:00Z"
                value={s.incident_window_utc.start.clone()} on_input={edit(SettingsField::WindowStart)} />
            <TextField label="Window end (UTC, exclusive)" testid="window-end" placeholder="2026-05-11T10:00:00Z"
                value={s.incident_window_utc.end.clone()} on_input={edit(SettingsField::WindowEnd)} />
            <TextField label="Tolerance, USD" testid="tolerance-absolute" placeholder="0.01"
                value={s.tolerance.absolute.clone()} on_input={edit(SettingsField::ToleranceAbsolute)} />
            <TextField label="Tolerance, % of expected" testid="tolerance-percent" placeholder="1"
                value={s.tolerance.percent.clone()} on_input={edit(SettingsField::TolerancePercent)} />
            <TextField label="Quota per USD" testid="quota-per-usd" placeholder="500000"
                value={s.quota_per_usd.clone()} on_input={edit(SettingsField::QuotaPerUsd)} />
            <TextField label="Times without a zone were written at (UTC offset or time zone)" testid="zoneless-offset"
                placeholder="+08:00 or Asia/Shanghai"
                value={s.zoneless_times_offset.clone()} on_input={edit(SettingsField::ZonelessOffset)} />
            <SelectField label="Requests without a time (Anthropic Messages)" testid="untimed-requests"
                options={untimed_choices()}
                value={s.untimed_requests.clone()} on_change={edit(SettingsField::UntimedRequests)} />
            <SelectField label="Dates in the files" testid="date-order" options={date_orders()}
                value={s.date_order.clone()} on_change={edit(SettingsField::DateOrder)} />
            <SelectField label="Numbers in the files (CSV)" testid="number-format" options={number_formats()}
                value={s.number_format.clone()} on_change={edit(SettingsField::NumberFormat)} />
            <TextField label="Reconciliation run id" testid="run-id" placeholder="rec_2026-05-11_001"
                value={s.reconciliation_run_id.clone()} on_input={edit(SettingsField::RunId)} />
        </div>
    }
}
