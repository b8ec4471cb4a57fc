//! Seed 002's incident review checklist as the core answers it: each item with the
//! figure the loaded evidence gives and where it came from, or marked for the reviewer.

use yew::prelude::*;

use crate::closure::{checklist, Item, List};
use crate::figures::Figures;

#[derive(Properties, PartialEq)]
pub struct IncidentReviewProps {
    pub figures: Figures,
}

fn list_title(list: List) -> &'static str {
    match list {
        List::EvidenceCapture => "Evidence capture",
        List::UsageValidation => "Usage validation",
        List::PricingValidation => "Pricing validation",
        List::Remediation => "Remediation",
    }
}

fn item_row(item: &Item) -> Html {
    let answered = item.answer.is_some();
    let mark = if answered { "✓" } else { "☐" };
    let class = if answered { "answered" } else { "to-tick" };
    html! {
        <li class={classes!("check-item", class)} data-testid="check-item" data-answered={answered.to_string()}>
            <span class="mark" aria-hidden="true">{ mark }</span>
            { " " }<span class="item">{ item.item }</span>
            if let Some(answer) = &item.answer {
                <div class="answer" data-testid="check-answer">{ answer.clone() }</div>
                if let Some(source) = &item.source {
                    <div class="hint">{ format!("From {source}.") }</div>
                }
            } else {
                <div class="hint">{ "For the reviewer: the loaded evidence cannot answer it." }</div>
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
    html! {
        <div data-testid="incident-checklist">
            <p class="hint">{ format!("{answered} of {} items answered from the loaded evidence; request ids appear only as short hashes with their file and line.", items.len()) }</p>
            { for lists.iter().map(|&list| html! {
                <>
                    <h3>{ list_title(list) }</h3>
                    <ul class="checklist">
                        { for items.iter().filter(|i| i.list == list).map(item_row) }
                    </ul>
                </>
            }) }
        </div>
    }
}
