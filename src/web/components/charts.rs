//! The charts of the figures: each one the SVG the core drew (`crate::charts`), inserted
//! as it is, and under it the same figures as a table behind "Show as a table".

use yew::prelude::*;

use super::scroll::Scroll;

use crate::charts::{self, Chart};
use crate::figures::Figures;

#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    pub figures: Figures,
}

fn table(chart: &Chart) -> Html {
    let t = &chart.table;
    html! {
        <details class="chart-table">
            <summary>{ "Show as a table" }</summary>
            <Scroll label={format!("{} (table)", t.caption)}>
                <table data-testid="chart-table">
                    <caption>{ &t.caption }</caption>
                    <thead><tr>{ for t.columns.iter().map(|c| html! { <th scope="col">{ c }</th> }) }</tr></thead>
                    <tbody>
                        { for t.rows.iter().map(|row| html! {
                            <tr>
                                { for row.iter().enumerate().map(|(i, cell)| if i == 0 {
                                    html! { <th scope="row">{ cell }</th> }
                                } else {
                                    html! { <td class="num">{ cell }</td> }
                                }) }
                            </tr>
                        }) }
                    </tbody>
                </table>
            </Scroll>
        </details>
    }
}

#[function_component(Charts)]
pub fn charts(props: &ChartsProps) -> Html {
    // Drawn once per set of figures, not on every render of the page.
    let drawn = use_memo(props.figures.clone(), charts::all);
    let drawn = match &*drawn {
        Ok(drawn) if drawn.is_empty() => return Html::default(),
        Ok(drawn) => drawn,
        Err(error) => {
            return html! { <p class="problem" data-testid="charts-problem">{ format!("The charts cannot be drawn: {error}") }</p> }
        }
    };
    html! {
        <div class="charts" data-testid="charts">
            { for drawn.iter().map(|chart| html! {
                <figure class="chart-figure" data-testid={format!("chart-{}", chart.name)}>
                    <figcaption>{ &chart.title }</figcaption>
                    // The core wrote this text from figures alone, every input text in it
                    // escaped (`crate::charts`): it is markup we made, not markup we read.
                    // On a phone the chart keeps a legible width and scrolls here, never
                    // the page.
                    <Scroll label={format!("{} (chart)", chart.title)}>
                        { Html::from_html_unchecked(AttrValue::from(chart.svg.trim_end().to_string())) }
                    </Scroll>
                    { table(chart) }
                </figure>
            }) }
        </div>
    }
}
