//! A region that scrolls sideways when its table is wider than the screen (390 px
//! phones): named for screen readers and focusable, so a keyboard can scroll it too.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ScrollProps {
    /// What the region holds, as a screen reader announces it ("Rate card").
    pub label: AttrValue,
    pub children: Html,
}

#[function_component(Scroll)]
pub fn scroll(props: &ScrollProps) -> Html {
    html! {
        <div class="scroll" role="region" aria-label={props.label.clone()} tabindex="0">
            { props.children.clone() }
        </div>
    }
}
