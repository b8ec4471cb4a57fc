//! The long parts of the review a frame after the answer: when figures first arrive,
//! the answer and the comparison's totals are laid out and painted on their own, and
//! the charge lines, the rate differences, the charts, ledgers, cross-checks and the
//! incident review follow in the next task. Building and laying out the whole review at
//! once held the first paint of the answer back by that much (the charge lines and rate
//! differences alone, ~700 elements, by ~30 ms on a 1M-row log: docs/benchmarks.md).
//! Once shown, a part stays and takes new figures at once (a rate edit re-renders it in
//! place, with no gap).

use yew::prelude::*;

use crate::web::browser;

#[derive(Properties, PartialEq)]
pub struct LaterProps {
    pub children: Html,
}

#[function_component(Later)]
pub fn later(props: &LaterProps) -> Html {
    let shown = use_state_eq(|| false);
    {
        let shown = shown.clone();
        use_effect_with((), move |_| {
            browser::after_paint(move || shown.set(true));
        });
    }
    if *shown {
        props.children.clone()
    } else {
        Html::default()
    }
}
