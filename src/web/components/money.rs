//! An amount as a finance reader reads it (`$1,234.5000`), its exact decimal on hover
//! and in `data-exact` (what tests and scripts read), or "not computed" when no evidence
//! gives it — never a zero.

use rust_decimal::Decimal;
use yew::prelude::*;

use crate::decimal::format;

#[derive(Properties, PartialEq)]
pub struct MoneyProps {
    pub amount: Option<Decimal>,
    pub currency: AttrValue,
    /// Shown with its sign and which way it goes ("billed less than expected").
    #[prop_or_default]
    pub signed: bool,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

#[function_component(Money)]
pub fn money(props: &MoneyProps) -> Html {
    let testid = props.testid.clone();
    match props.amount {
        None => html! { <span class="money absent" data-testid={testid}>{ "not computed" }</span> },
        Some(amount) => {
            let exact = format(amount);
            let title = format!("exactly {exact} {}", props.currency);
            let money = crate::money::money(amount, &props.currency);
            // The sign and the amount stay on one line; the words after may wrap.
            let (figure, words) = match props.signed {
                true => {
                    let signed = crate::money::signed(amount, &props.currency);
                    let end = signed.find(&money).map_or(0, |at| at + money.len());
                    (signed[..end].to_string(), signed[end..].to_string())
                }
                false => (money, String::new()),
            };
            html! {
                <span class="money" data-testid={testid} data-exact={exact} {title}>
                    <span class="amount">{ figure }</span>{ words }
                </span>
            }
        }
    }
}

// Private-use marks around each amount while a sentence is built, so the page can keep
// an amount on one line ("−$0.0240" never breaks after its sign) and the text stays the
// core's sentence exactly (no invisible joiners to end up in a pasted ticket).
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// An amount marked for [`unbroken`].
pub fn mark(amount: String) -> String {
    format!("{OPEN}{amount}{CLOSE}")
}

/// A sentence as text, with each marked amount in a span that does not wrap.
pub fn unbroken(sentence: &str) -> Html {
    sentence
        .split(OPEN)
        .enumerate()
        .map(|(i, part)| match part.split_once(CLOSE) {
            Some((amount, rest)) if i > 0 => html! {
                <><span class="amount">{ amount.to_string() }</span>{ rest.to_string() }</>
            },
            _ => html! { { part.replace(CLOSE, "") } },
        })
        .collect()
}
