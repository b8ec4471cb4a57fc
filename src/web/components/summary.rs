//! The answer first: the review's status in words and colour, the one sentence the
//! record and the CLI also give, the three headline figures as money, the next action,
//! and links to the parts below.

use yew::prelude::*;

use super::money::{mark, unbroken};
use super::Money;
use crate::figures::Figures;
use crate::record;

#[derive(Properties, PartialEq)]
pub struct SummaryProps {
    pub figures: Figures,
}

#[function_component(Summary)]
pub fn summary(props: &SummaryProps) -> Html {
    let f = &props.figures;
    let currency = AttrValue::from(f.settings.billing_currency.clone());
    let status = record::status(f);
    let sentence = record::sentence(f, &|amount| mark(crate::money::money(amount, &currency)));
    let total = &f.reconciliation.total;
    let next = record::next_action(f, f.tolerance());
    html! {
        <section class={classes!("summary", format!("status-{}", status.name()))}
            data-testid="summary" aria-labelledby="summary-title">
            <h2 id="summary-title">{ "The answer" }</h2>
            <p class="status" data-testid="summary-status" data-status={status.name()}>{ status.describe() }</p>
            <p class="answer" data-testid="summary-answer">{ unbroken(&sentence) }</p>
            <dl class="headline">
                <div>
                    <dt>{ "Expected" }</dt>
                    <dd><Money amount={total.expected} currency={currency.clone()} testid="headline-expected" /></dd>
                </div>
                <div>
                    <dt>{ "Recorded by the provider" }</dt>
                    <dd><Money amount={total.provider} currency={currency.clone()} testid="headline-recorded" /></dd>
                </div>
                <div>
                    <dt>{ "Difference (recorded − expected)" }</dt>
                    <dd><Money amount={total.variance} currency={currency.clone()} signed=true testid="headline-difference" /></dd>
                </div>
            </dl>
            if let Some(p) = f.pricing.as_ref().filter(|p| !p.expected_estimated.is_zero()) {
                <p class="hint" data-testid="headline-split">
                    { "Of the expected amount, " }
                    <Money amount={Some(p.expected_verified)} currency={currency.clone()} testid="headline-expected-verified" />
                    { " is verified and " }
                    <Money amount={Some(p.expected_estimated)} currency={currency.clone()} testid="headline-expected-estimated" />
                    { " is estimated (inferred or unknown rates, or usage not verified): within tolerance is judged on the verified part only." }
                </p>
            }
            <p class="next" data-testid="summary-next">{ format!("Next: {next}.") }</p>
            <nav class="jump" aria-label="Parts of the answer">
                <a href="#expected-charge">{ "Expected charge" }</a>
                <a href="#results">{ "Expected versus recorded" }</a>
                <a href="#bridge-title">{ "Variance explained" }</a>
                <a href="#downloads">{ "Downloads" }</a>
            </nav>
        </section>
    }
}
