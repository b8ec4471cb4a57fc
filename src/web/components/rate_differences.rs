//! Which rate differs: for each model and dimension whose logged new-api ratios price it
//! differently from the verified card, both prices, the ratios, the quantity and the
//! amount — so a stale rate is named, not inferred.

use yew::prelude::*;

use super::scroll::Scroll;

use super::Money;
use crate::decimal::format;
use crate::price::RateDifference;

#[derive(Properties, PartialEq)]
pub struct RateDifferencesProps {
    pub differences: Vec<RateDifference>,
    pub currency: AttrValue,
}

/// A token row's three ratios; a per-call row's price per unit, the multipliers it
/// logged besides its count (a video's size), and its group ratio.
fn ratios(d: &RateDifference) -> String {
    let (first, second, group) = (
        format(d.model_ratio),
        format(d.dimension_ratio),
        format(d.group_ratio),
    );
    if d.dimension.is_token() {
        format!("{first} × {second} × {group}")
    } else {
        format!("price {first} × multiplier {second} × group {group}")
    }
}

#[function_component(RateDifferences)]
pub fn rate_differences(props: &RateDifferencesProps) -> Html {
    if props.differences.is_empty() {
        return Html::default();
    }
    let currency = &props.currency;
    html! {
        <Scroll label="Which prices differ">
            <table class="rate-differences" data-testid="rate-differences">
                <caption>{ "Which prices differ: the gateway's logged ratios against your card" }</caption>
                <thead><tr>
                    <th scope="col">{ "Model" }</th><th scope="col">{ "Dimension" }</th>
                    <th scope="col">{ "Your card" }</th><th scope="col">{ "The gateway charged" }</th>
                    <th scope="col">{ "Ratios (model × dimension × group)" }</th>
                    <th scope="col">{ "Quantity" }</th><th scope="col">{ "Amount it explains" }</th>
                </tr></thead>
                <tbody>
                    { for props.differences.iter().map(|d| {
                        let unit = d.dimension.unit(d.unit_size);
                        html! {
                            <tr data-testid="rate-difference" data-model={d.model.clone()}>
                                <th scope="row">{ &d.model }</th>
                                <td>{ d.dimension.label() }</td>
                                <td class="num"><Money amount={Some(d.card_rate)} currency={currency.clone()} />{ format!(" {unit}") }</td>
                                <td class="num"><Money amount={Some(d.logged_rate)} currency={currency.clone()} />{ format!(" {unit}") }</td>
                                <td class="num">{ ratios(d) }</td>
                                <td class="num">{ format!("{} in {} row(s)", d.quantity, d.rows) }</td>
                                <td class="num"><Money amount={Some(d.amount)} currency={currency.clone()} signed=true /></td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </Scroll>
    }
}
