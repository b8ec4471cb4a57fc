//! One error type for everything the user gives us, carrying where it happened.
//!
//! Messages follow one shape: location first, then a lowercase sentence of the form
//! "expected …, but found …" wherever there is a concrete value to show.

use std::fmt;

/// Where in the user's input something went wrong.
///
/// `line` is the 1-based physical line of the file (a quoted CSV cell may span lines,
/// so it can differ from `row`); `row` is the 1-based data row (the header is not a row);
/// `column` is the column or JSON field name as it appears in the file; `path` is the
/// JSON path of a field in a document we read whole (`rates[3].output` in the settings).
/// Every part is optional: a figure that overflows has no place in any file.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Position {
    pub fn file(name: &str) -> Self {
        Position {
            file: name.to_string(),
            ..Position::default()
        }
    }

    /// A line of a file whose name the caller already gives (a file's own problem).
    pub fn line(line: u64) -> Self {
        Position {
            line: Some(line),
            ..Position::default()
        }
    }

    /// A field of the settings document (or the rate card), by its JSON path.
    pub fn path(path: &str) -> Self {
        Position {
            path: Some(path.to_string()),
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
    /// The parts there are, joined: "a.csv, line 3, row 2, column quota", or a bare
    /// JSON path, "rates[1].output".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if !self.file.is_empty() {
            parts.push(self.file.clone());
        }
        if let Some(line) = self.line {
            parts.push(format!("line {line}"));
        }
        if let Some(row) = self.row {
            parts.push(format!("row {row}"));
        }
        if let Some(column) = &self.column {
            parts.push(format!("column {column}"));
        }
        if let Some(path) = &self.path {
            parts.push(path.to_string());
        }
        f.write_str(&parts.join(", "))
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

/// The one error type for everything the user gives us: a settings field, a row of a
/// file, a file as a whole, or a figure that cannot be computed exactly.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Error {
    pub kind: ErrorKind,
    /// Boxed so a `Result` carrying an error stays small on the happy path.
    pub position: Box<Position>,
    pub message: String,
}

impl Error {
    pub fn syntax(position: Position, message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Syntax,
            position: Box::new(position),
            message: message.into(),
        }
    }

    pub fn data(position: Position, message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Data,
            position: Box::new(position),
            message: message.into(),
        }
    }

    /// A value of a settings field (or a rate card's), by its JSON path.
    pub fn field(path: &str, message: impl Into<String>) -> Self {
        Error::data(Position::path(path), message)
    }

    /// `what` (a figure, in words) is too large or too precise to compute exactly. It
    /// has no place in any file, so the message alone says which figure.
    pub fn overflow(what: &str) -> Self {
        let message = format!("{what} is too large (or too precise) to compute exactly");
        Error {
            kind: ErrorKind::Overflow,
            position: Box::default(),
            message,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let position = self.position.to_string();
        if position.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{position}: {}", self.message)
        }
    }
}

impl std::error::Error for Error {}

mod json_path;

/// Reads a JSON document whole into `T`, naming the field of any problem by its JSON
/// path (`rates[3].output`), with serde_json's two classes kept apart: text that is not
/// a JSON document of the expected kind, and a field whose value has the wrong type.
pub fn from_json_with_path<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|inner| {
        let syntax = inner.is_syntax() || inner.is_eof();
        let class = if syntax {
            json_path::Class::Syntax
        } else {
            json_path::Class::Data
        };
        let path = json_path::path_at(text, inner.line(), inner.column(), class, &inner.to_string());
        let text = inner.to_string();
        let message = if syntax {
            format!("this is not a JSON document of the expected kind ({text})")
        } else if text.starts_with("invalid type: number, expected a string")
            || (text.starts_with("invalid type: integer") && text.contains("expected a string"))
        {
            // Figures are text on purpose: a JSON number may already have been rounded.
            "expected the value in quotes, such as \"0.01\" (figures are kept as text so nothing is rounded), but found a number".to_string()
        } else {
            text
        };
        let path = if path == "." { "document" } else { &path };
        Error {
            kind: if syntax { ErrorKind::Syntax } else { ErrorKind::Data },
            position: Box::new(Position::path(path)),
            message,
        }
    })
}

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
                    path: None,
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
        assert_eq!(
            Error::field("rates[1].output", "m").to_string(),
            "rates[1].output: m"
        );
        assert_eq!(
            Error::overflow("the variance").to_string(),
            "the variance is too large (or too precise) to compute exactly",
            "no stage name where a file name belongs"
        );
    }
}
