//! How the CSV outputs are written, as the reviewer chose for the spreadsheet that opens
//! them (kept in the settings document, so the choice is remembered and the command line
//! writes the same files).

use serde::{Deserialize, Serialize};

use crate::decimal::quote;

/// How the cells of a CSV are separated and how its numbers are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CsvLocale {
    /// `,` between cells, `.` before decimals: English-language Excel and most tools.
    #[default]
    Comma,
    /// `;` between cells, `,` before decimals: Excel in most of Europe.
    Semicolon,
    /// A tab between cells, `.` before decimals.
    Tab,
}

impl CsvLocale {
    pub const ALL: [CsvLocale; 3] = [CsvLocale::Comma, CsvLocale::Semicolon, CsvLocale::Tab];

    pub fn name(self) -> &'static str {
        match self {
            CsvLocale::Comma => "comma",
            CsvLocale::Semicolon => "semicolon",
            CsvLocale::Tab => "tab",
        }
    }

    /// `""` is the default (comma).
    pub fn parse(text: &str) -> Result<CsvLocale, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "comma" => Ok(CsvLocale::Comma),
            "semicolon" => Ok(CsvLocale::Semicolon),
            "tab" => Ok(CsvLocale::Tab),
            other => Err(format!(
                "expected comma, semicolon or tab, but found {}",
                quote(other)
            )),
        }
    }

    pub fn separator(self) -> char {
        match self {
            CsvLocale::Comma => ',',
            CsvLocale::Semicolon => ';',
            CsvLocale::Tab => '\t',
        }
    }
}

/// A locale, and whether the file starts with a UTF-8 byte-order mark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CsvStyle {
    pub locale: CsvLocale,
    pub byte_order_mark: bool,
}

/// The names a CSV's columns go by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CsvHeaders {
    /// "Recorded by the provider", "Window start (UTC)": for a person in a spreadsheet.
    #[default]
    Readable,
    /// `provider_recorded`, `window_start_utc`: stable names for scripts.
    Machine,
}

impl CsvHeaders {
    pub fn parse(text: &str) -> Result<CsvHeaders, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "readable" => Ok(CsvHeaders::Readable),
            "machine" => Ok(CsvHeaders::Machine),
            other => Err(format!(
                "expected readable or machine, but found {}",
                quote(other)
            )),
        }
    }
}
