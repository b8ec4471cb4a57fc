//! Each evidence stream on its own, then the streams compared: what the core's
//! [`crate::crosscheck`] computed, shown as it is.

use yew::prelude::*;

use super::scroll::Scroll;

use crate::confidence::StreamConfidence;
use crate::crosscheck::{CrossCheck, StreamFigures};
use crate::decimal::format;
use crate::ingest::Stream;
use crate::settings::expected_side::ExpectedSide;

#[derive(Properties, PartialEq)]
pub struct CrossChecksProps {
    /// Where the expected charge and the provider-side figure above came from.
    pub priced: Option<Stream>,
    pub recorded: Option<Stream>,
    pub streams: Vec<StreamFigures>,
    pub checks: Vec<CrossCheck>,
    pub currency: String,
    /// Each stream's usage label (seed 002's five), as the core gave them.
    pub usage: Vec<StreamConfidence>,
    /// The stream the reviewer chose as the provider-side figure; None: the default rule.
    pub chosen: Option<Stream>,
    /// The evidence the reviewer chose to price the expected charge from.
    #[prop_or_default]
    pub expected_side: ExpectedSide,
}

fn money(value: Option<rust_decimal::Decimal>) -> String {
    value.map_or_else(|| "—".to_string(), format)
}

#[function_component(CrossChecks)]
pub fn cross_checks(props: &CrossChecksProps) -> Html {
    let usage = |stream: Stream| {
        let label = props.usage.iter().find(|u| u.stream == stream);
        label.map_or("unavailable", |u| u.usage.name())
    };
    let client_side = props.expected_side == ExpectedSide::ClientRequests;
    let no_usage = match client_side {
        true => "not computed (you chose what the client saw, and no client request log is loaded; no other stream stands in its place)",
        false => "not computed (no usage evidence is loaded)",
    };
    let sources = html! {
        <p class="hint" data-testid="figure-sources">
            { format!("Expected charge {}; provider-side figure {}.",
                props.priced.map_or(no_usage.to_string(), |s| format!("priced from the {} (usage {})", s.describe(), usage(s))),
                props.recorded.map_or("not computed (no gateway log, billing export or account totals is loaded)".to_string(), |s| format!("from the {}", s.describe()))) }
            { match props.chosen {
                Some(s) => format!(" The provider-side figure is the {} because you chose it; no other stream stands in its place.", s.describe()),
                None => format!(" The provider-side figure follows the default rule: {}.", crate::settings::provider_side::DEFAULT_RULE),
            } }
            { match client_side {
                true => " The expected charge is what the client saw, because you chose it: retries charged twice, timeouts and cancelled streams charged, and requests one side lacks are steps of the bridge.".to_string(),
                false => format!(" The expected charge follows the default rule: {}.", crate::settings::expected_side::DEFAULT_RULE),
            } }
        </p>
    };
    if props.streams.len() < 2 && props.checks.is_empty() {
        return sources;
    }
    let stream_row = |s: &StreamFigures| {
        let expected = match (s.expected_amount, s.expected_complete) {
            (Some(v), false) => format!("{} (incomplete)", format(v)),
            (v, _) => money(v),
        };
        let notes = [
            Some(format!("usage {}", usage(s.stream))),
            (s.usage_unknown_requests > 0)
                .then(|| format!("{} request(s) with unknown usage", s.usage_unknown_requests)),
            s.reported_cost
                .map(|c| format!("client-computed cost {}", format(c))),
            (!s.outcomes.is_empty()).then(|| {
                let parts: Vec<String> = s
                    .outcomes
                    .iter()
                    .map(|(o, n)| format!("{} {n}", crate::policy::outcome_name(*o)))
                    .collect();
                format!("requests by outcome: {}", parts.join(", "))
            }),
            (s.straddling_buckets > 0).then(|| {
                format!(
                    "{} in {} bucket(s) reaching outside the window",
                    format(s.straddling_amount),
                    s.straddling_buckets
                )
            }),
        ];
        let notes: Vec<String> = notes.into_iter().flatten().collect();
        html! {
            <tr data-testid="stream-row" data-stream={format!("{:?}", s.stream)}>
                <td>{ s.stream.describe() }</td>
                <td>{ s.files.join(", ") }</td>
                <td class="num">{ s.accepted_rows }</td>
                <td class="num" data-testid="stream-expected">{ expected }</td>
                <td class="num" data-testid="stream-charged">{ money(s.charged_amount) }</td>
                <td>{ notes.join("; ") }</td>
            </tr>
        }
    };
    let check_row = |c: &CrossCheck| {
        let class = c.class.map_or("none", |c| c.describe());
        html! {
            <tr data-testid="cross-check" data-check={format!("{:?}", c.name)}>
                <td>{ format!("{} vs {}", c.left.describe(), c.right.describe()) }</td>
                <td class="num">{ format(c.left_amount) }</td>
                <td class="num">{ format(c.right_amount) }</td>
                <td class="num" data-testid="cross-check-difference">{ format(c.difference) }</td>
                <td>
                    if c.within_tolerance {
                        <span class="status status-ok">{ "within tolerance" }</span>
                    } else {
                        <span class="status status-bad">{ "outside tolerance" }</span>
                    }
                </td>
                <td data-testid="cross-check-class">{ class }</td>
                <td>
                    { &c.evidence }
                    if !c.per_model.is_empty() {
                        <ul class="per-model">
                            { for c.per_model.iter().filter(|m| m.differs()).map(|m| html! {
                                <li>{ format!("{}: {} vs {} ({} vs {} requests): {}", m.model, format(m.left_amount), format(m.right_amount), requests(m.left_requests), requests(m.right_requests), m.evidence) }</li>
                            }) }
                        </ul>
                    }
                </td>
            </tr>
        }
    };
    html! {
        <div class="cross-checks" data-testid="cross-checks">
            { sources }
            <h3>{ "Evidence streams" }</h3>
            <p class="hint">{ format!("Each stream summed on its own, in {}; never added together.", props.currency) }</p>
            <Scroll label="Evidence streams">
                <table>
                    <thead><tr><th scope="col">{ "stream" }</th><th scope="col">{ "files" }</th><th scope="col" class="num">{ "rows" }</th>
                        <th scope="col" class="num">{ "priced usage" }</th><th scope="col" class="num">{ "charged in window" }</th><th scope="col">{ "notes" }</th></tr></thead>
                    <tbody>{ for props.streams.iter().map(stream_row) }</tbody>
                </table>
            </Scroll>
            if !props.checks.is_empty() {
                <h3>{ "Cross-checks" }</h3>
                <Scroll label="Cross-checks">
                    <table>
                        <thead><tr><th scope="col">{ "compared" }</th><th scope="col" class="num">{ "left" }</th><th scope="col" class="num">{ "right" }</th>
                            <th scope="col" class="num">{ "difference" }</th><th scope="col">{ "tolerance" }</th><th scope="col">{ "class" }</th><th scope="col">{ "evidence" }</th></tr></thead>
                        <tbody>{ for props.checks.iter().map(check_row) }</tbody>
                    </table>
                </Scroll>
            }
        </div>
    }
}

/// A request count, or "unknown" when a usage bucket does not state it.
fn requests(count: Option<u64>) -> String {
    count.map_or_else(|| "unknown".into(), |n| n.to_string())
}
