//! One error type for everything the user gives us, carrying where it happened.
//!
//! Messages follow one shape: location first, then a lowercase sentence of the form
//! "expected …, but found …" wherever there is a concrete value to show.

use std::fmt;

/// Where in the user's input something went wrong.
///
/// `line` is the 1-based physical line of the file (a quoted CSV cell may span lines,
/// so it can differ from `row`); `row` is the 1-based data row (the header is not a row);
/// `column` is the column or JSON field name as it appears in the file.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

impl Position {
    pub fn file(name: &str) -> Self {
        Position {
            file: name.to_string(),
            ..Position::default()
        }
    }

    pub fn with_column(&self, column: &str) -> Self {
        Position {
            column: Some(column.to_string()),
            ..self.clone()
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        Ok(())
    }
}

/// Which kind of problem, in the spirit of serde_json's error classes: input that is
/// not the format at all, a value of the wrong shape, or arithmetic that cannot be exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The bytes are not a format we read (binary, a workbook, truncated JSON).
    Syntax,
    /// The format is right but a value is not what the field needs.
    Data,
    /// A figure would overflow exact decimal arithmetic.
    Overflow,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Error {
    pub kind: ErrorKind,
    pub position: Position,
    pub message: String,
}

impl Error {
    pub fn syntax(position: Position, message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Syntax,
            position,
            message: message.into(),
        }
    }

    pub fn data(position: Position, message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Data,
            position,
            message: message.into(),
        }
    }

    pub fn overflow(position: Position, what: &str) -> Self {
        let message = format!("{what} is too large (or too precise) to compute exactly");
        Error {
            kind: ErrorKind::Overflow,
            position,
            message,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_puts_the_location_first() {
        let cases = [
            (Position::file("a.csv"), "a.csv: m"),
            (
                Position {
                    file: "a.csv".into(),
                    line: Some(3),
                    row: Some(2),
                    column: None,
                },
                "a.csv, line 3, row 2: m",
            ),
            (
                Position::file("logs.json").with_column("quota"),
                "logs.json, column quota: m",
            ),
        ];
        for (position, expected) in cases {
            assert_eq!(Error::data(position, "m").to_string(), expected);
        }
    }
}
