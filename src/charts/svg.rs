//! A small SVG writer: the few elements the charts use, one per line, every text and
//! attribute value escaped. Marks are named by class so a stylesheet can theme them;
//! without one they are shades of `currentColor`, readable on light and dark alike.

use rust_decimal::Decimal;

use crate::decimal::format;

/// The width the charts are laid out in (the page scales the SVG to its column).
pub(super) const WIDTH: u32 = 640;
/// Space kept at the edges.
pub(super) const PAD: u32 = 8;
/// The font size of every label.
const FONT: u32 = 12;
/// What one character of a label is taken to need at that size. The core cannot
/// measure the page's font; this is wider than the digits and most letters of common
/// sans-serif faces at 12 px, so labels laid out with it do not overlap.
const CHAR: u32 = 7;

/// The estimated width of a label, in pixels.
pub(super) fn text_width(text: &str) -> Decimal {
    Decimal::from(text.chars().count()) * Decimal::from(CHAR)
}

/// Escapes text for an element's content or an attribute's value.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// What a filled shape shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mark {
    Expected,
    Recorded,
    AtRisk,
    /// An end of the bridge: the expected or the recorded total.
    Total,
    /// A bridge step that raises the running total, and one that lowers it.
    Increase,
    Decrease,
    /// The incident window, behind the bars.
    Window,
}

impl Mark {
    pub fn class(self) -> &'static str {
        match self {
            Mark::Expected => "bar expected",
            Mark::Recorded => "bar recorded",
            Mark::AtRisk => "bar at-risk",
            Mark::Total => "bar total",
            Mark::Increase => "bar increase",
            Mark::Decrease => "bar decrease",
            Mark::Window => "window",
        }
    }

    /// Its look with no stylesheet: the text colour at some opacity.
    fn opacity(self) -> &'static str {
        match self {
            Mark::Expected | Mark::Decrease => "0.35",
            Mark::Recorded | Mark::Total => "0.8",
            Mark::AtRisk | Mark::Increase => "0.55",
            Mark::Window => "0.08",
        }
    }
}

/// A line's look: the axis at zero, the grid at each tick, the bridge's connectors
/// from one bar to the next, and the edges of the incident window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rule {
    Axis,
    Grid,
    Connector,
    WindowEdge,
}

impl Rule {
    /// The rule drawn at a tick: the axis at zero, the grid elsewhere.
    pub fn at_tick(tick: Decimal) -> Rule {
        if tick.is_zero() {
            Rule::Axis
        } else {
            Rule::Grid
        }
    }

    fn attributes(self) -> &'static str {
        match self {
            Rule::Axis => r#"class="axis" stroke="currentColor""#,
            Rule::Grid => r#"class="grid" stroke="currentColor" stroke-opacity="0.15""#,
            Rule::Connector => {
                r#"class="connector" stroke="currentColor" stroke-opacity="0.6" stroke-dasharray="3 2""#
            }
            Rule::WindowEdge => {
                r#"class="window-edge" stroke="currentColor" stroke-opacity="0.7" stroke-dasharray="4 3""#
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Anchor {
    Start,
    Middle,
    End,
}

/// A pixel position or length as attribute text.
fn px(v: Decimal) -> String {
    format(super::scale::pixel(v))
}

pub(super) struct Svg {
    out: String,
}

impl Svg {
    /// The root element, titled and described for assistive technology: `role="img"`,
    /// named by its `<title>` and described by its `<desc>` (a name that is only the
    /// title keeps it short; the description is read after it).
    pub fn new(name: &str, height: u32, title: &str, description: &str) -> Svg {
        let out = format!(
            concat!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{name}" "#,
                r#"viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" "#,
                r#"aria-labelledby="chart-{name}-title" aria-describedby="chart-{name}-desc" "#,
                r#"font-size="{font}" fill="currentColor">"#,
                "\n",
                r#"<title id="chart-{name}-title">{title}</title>"#,
                "\n",
                r#"<desc id="chart-{name}-desc">{description}</desc>"#,
                "\n",
            ),
            name = name,
            w = WIDTH,
            h = height,
            font = FONT,
            title = escape(title),
            description = escape(description),
        );
        Svg { out }
    }

    /// A filled rectangle, with a tooltip that says exactly what it shows.
    pub fn rect(
        &mut self,
        mark: Mark,
        (x, y): (Decimal, Decimal),
        (w, h): (Decimal, Decimal),
        tip: &str,
    ) {
        let tip = if tip.is_empty() {
            String::new()
        } else {
            format!("<title>{}</title>", escape(tip))
        };
        self.out.push_str(&format!(
            "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill-opacity=\"{}\">{tip}</rect>\n",
            mark.class(),
            px(x),
            px(y),
            px(w),
            px(h),
            mark.opacity(),
        ));
    }

    pub fn line(&mut self, rule: Rule, (x1, y1): (Decimal, Decimal), (x2, y2): (Decimal, Decimal)) {
        self.out.push_str(&format!(
            "<line {} x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n",
            rule.attributes(),
            px(x1),
            px(y1),
            px(x2),
            px(y2),
        ));
    }

    /// A label; `class` names what it is (`value`, `tick`, `label`, `legend`, `absent`).
    pub fn text(&mut self, class: &str, (x, y): (Decimal, Decimal), anchor: Anchor, text: &str) {
        let anchor = match anchor {
            Anchor::Start => "",
            Anchor::Middle => " text-anchor=\"middle\"",
            Anchor::End => " text-anchor=\"end\"",
        };
        self.out.push_str(&format!(
            "<text class=\"{class}\" x=\"{}\" y=\"{}\"{anchor}>{}</text>\n",
            px(x),
            px(y),
            escape(text),
        ));
    }

    /// A legend entry: a swatch and its words, from `x`; returns where the next one starts.
    pub fn legend(&mut self, mark: Mark, x: Decimal, words: &str) -> Decimal {
        let size = Decimal::from(FONT);
        self.rect(mark, (x, Decimal::from(PAD)), (size, size), "");
        let text_x = x + size + Decimal::from(4);
        self.text(
            "legend",
            (text_x, Decimal::from(PAD + FONT - 2)),
            Anchor::Start,
            words,
        );
        text_x + text_width(words) + Decimal::from(16)
    }

    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let cases = [
            ("gpt-4o", "gpt-4o"),
            ("<script>", "&lt;script&gt;"),
            ("a & b", "a &amp; b"),
            (r#"say "hi" it's"#, "say &quot;hi&quot; it&#39;s"),
            ("×→ ≥", "×→ ≥"),
        ];
        for (text, want) in cases {
            assert_eq!(escape(text), want);
        }
        let mut svg = Svg::new("x", 10, "a <b>", "c & d");
        svg.text(
            "label",
            (Decimal::ONE, Decimal::TWO),
            Anchor::End,
            "</svg><script>",
        );
        let out = svg.finish();
        assert!(out.contains("<title id=\"chart-x-title\">a &lt;b&gt;</title>"));
        assert!(out.contains("<desc id=\"chart-x-desc\">c &amp; d</desc>"));
        assert!(out.contains(">&lt;/svg&gt;&lt;script&gt;</text>"));
        assert_eq!(out.matches("<svg").count(), 1);
        assert_eq!(out.matches("</svg>").count(), 1);
    }

    #[test]
    fn positions_are_written_to_a_tenth_of_a_pixel() {
        let d = |t: &str| Decimal::from_str_exact(t).unwrap();
        let cases = [
            ("12", "12"),
            ("12.50", "12.5"),
            ("0.05", "0.1"),
            ("74.25", "74.3"),
            ("-0.04", "0"),
        ];
        for (value, want) in cases {
            assert_eq!(px(d(value)), want, "{value}");
        }
    }
}
