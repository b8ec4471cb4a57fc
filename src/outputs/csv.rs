//! Writing a table as CSV for the spreadsheet that will open it: the cell separator
//! and decimal mark of its locale, an optional byte-order mark (Excel reads a file
//! without one in the machine's legacy encoding), and formula injection defused in every
//! variant.

use rust_decimal::Decimal;

use crate::decimal::format;
pub use crate::settings::{CsvLocale, CsvStyle};

/// One cell, by what it holds: the style decides how each kind is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Text from the figures (a model label, a URL): one a spreadsheet could read as a
    /// formula gets a leading apostrophe.
    Text(String),
    /// A word of ours (a column name, a dimension, `true`): written as it is.
    Word(String),
    /// An exact figure, with the locale's decimal mark; no group separators.
    Number(Decimal),
    /// A figure no evidence gives: an empty cell, never a zero.
    Absent,
}

impl Cell {
    pub fn text(value: &str) -> Cell {
        Cell::Text(value.to_string())
    }

    pub fn word(value: impl ToString) -> Cell {
        Cell::Word(value.to_string())
    }

    pub fn number(value: Option<Decimal>) -> Cell {
        value.map_or(Cell::Absent, Cell::Number)
    }

    fn render(&self, locale: CsvLocale) -> String {
        match self {
            Cell::Text(t) => match t.chars().next() {
                Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{t}"),
                _ => t.clone(),
            },
            Cell::Word(w) => w.clone(),
            Cell::Number(n) if locale == CsvLocale::Semicolon => format(*n).replace('.', ","),
            Cell::Number(n) => format(*n),
            Cell::Absent => String::new(),
        }
    }
}

/// RFC 4180 with the locale's separator: a cell holding the separator, a quote or a line
/// break is quoted, quotes doubled; lines end in CRLF.
pub fn write(
    style: CsvStyle,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> String {
    let separator = style.locale.separator();
    let quoted = |value: String| {
        if value.contains([separator, '"', '\n', '\r']) {
            format!("\"{}\"", value.replace('"', "\"\""))
        } else {
            value
        }
    };
    let mut out = String::new();
    if style.byte_order_mark {
        out.push('\u{feff}');
    }
    let header = header.iter().map(Cell::word).collect();
    for row in std::iter::once(header).chain(rows) {
        let cells: Vec<String> = row.iter().map(|c| quoted(c.render(style.locale))).collect();
        out.push_str(&cells.join(&separator.to_string()));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn row() -> Vec<Cell> {
        vec![
            Cell::text("=HYPERLINK(\"x\")"),
            Cell::text("a;b,c"),
            Cell::Number(d("-1234.5")),
            Cell::Absent,
            Cell::word("true"),
        ]
    }

    #[test]
    fn every_locale_defuses_formulas_and_quotes_its_separator() {
        let cases = [
            (
                CsvLocale::Comma,
                "x,y,n,a,b\r\n\"'=HYPERLINK(\"\"x\"\")\",\"a;b,c\",-1234.5,,true\r\n",
            ),
            (
                CsvLocale::Semicolon,
                "x;y;n;a;b\r\n\"'=HYPERLINK(\"\"x\"\")\";\"a;b,c\";-1234,5;;true\r\n",
            ),
            (
                CsvLocale::Tab,
                "x\ty\tn\ta\tb\r\n\"'=HYPERLINK(\"\"x\"\")\"\ta;b,c\t-1234.5\t\ttrue\r\n",
            ),
        ];
        for (locale, want) in cases {
            let style = CsvStyle {
                locale,
                byte_order_mark: false,
            };
            assert_eq!(
                write(style, &["x", "y", "n", "a", "b"], [row()]),
                want,
                "{locale:?}"
            );
        }
    }

    #[test]
    fn a_byte_order_mark_leads_when_asked() {
        let style = CsvStyle {
            locale: CsvLocale::Comma,
            byte_order_mark: true,
        };
        assert!(write(style, &["x"], []).starts_with("\u{feff}x\r\n"));
        assert_eq!(CsvLocale::parse(" Semicolon "), Ok(CsvLocale::Semicolon));
        assert_eq!(CsvLocale::parse(""), Ok(CsvLocale::Comma));
        assert!(CsvLocale::parse("pipe")
            .unwrap_err()
            .starts_with("expected comma, semicolon or tab"));
    }
}
