//! [`Filing`]: what the readers of one file file its records into as they read them, under
//! the reading rules ([`Rules`]): the ledger, the compact rows and the evidence sums;
//! and the readers that file them: gateway rows ([`gateway`]), the records of other
//! exports ([`evidence`]), delimited text by its header ([`DelimitedRows`]) and the JSON
//! of other exports ([`RecordsJson`]).

mod delimited_rows;
mod evidence;
mod gateway;
mod labels;
mod records_json;
mod rules;

pub use delimited_rows::DelimitedRows;
pub use records_json::{RecordsJson, LARGEST_DOCUMENT};
pub use rules::{Currency, Rules, Side, UntimedRequests, Window};

use crate::error::{Error, Position};
use crate::ingest::formats::mapping::{self, MappedStream};
use crate::ingest::formats::times::CellFormat;
use crate::ingest::formats::{Format, Stream};
use crate::ingest::store::evidence::{ChargeSums, Evidence};
use crate::ingest::store::facts::Place;
use crate::ingest::store::labels::{Labels, RowLabels};
use crate::ingest::store::ledger::{Ledger, KEPT_REJECTIONS};
use crate::ingest::store::rows::RowsBuilder;
use crate::ingest::text::damage::Damage;

/// What the readers file rows into while a file is read.
pub struct Filing {
    pub name: String,
    pub rules: Rules,
    /// How delimited text and JSON rows write their cells ([`Rules::cell_formats`]).
    pub text_cells: CellFormat,
    pub json_cells: CellFormat,
    pub ledger: Ledger,
    pub rows: RowsBuilder,
    pub format: Option<Format>,
    /// What makes the file unreadable as a whole, or broken part-way.
    pub problem: Option<Error>,
    pub evidence: Evidence,
    /// The report's `Evidence::row_tags` and `Evidence::labels` while the file is read:
    /// plain lists, shared once the report is finished.
    pub row_tags: Vec<u32>,
    pub labels: RowLabels,
    pub charges: ChargeSums,
    /// The column mapping a file of an unknown export is read through.
    pub mapping: Option<mapping::Mapping>,
    /// The format the reviewer chose for this file, over detection.
    pub forced: Option<Format>,
    /// Where the record being filed is (for the facts that list rows by place).
    pub place: Place,
    /// The labels and request id hash of the record being filed (not a gateway row),
    /// given to the row it becomes.
    record_labels: (Labels, u64),
}

impl Filing {
    pub fn new(name: &str, rules: Rules) -> Filing {
        let (text_cells, json_cells) = rules.cell_formats();
        let forced = rules
            .overrides
            .iter()
            .find(|(file, _)| file == name)
            .map(|o| o.1);
        Filing {
            name: name.to_string(),
            rules,
            text_cells,
            json_cells,
            ledger: Ledger::default(),
            rows: RowsBuilder::default(),
            format: None,
            problem: None,
            evidence: Evidence::default(),
            row_tags: Vec::new(),
            labels: RowLabels::default(),
            charges: Default::default(),
            mapping: None,
            forced,
            place: Place { line: None, row: 0 },
            record_labels: Default::default(),
        }
    }

    /// Forgets every row: the file turned out unreadable as a whole.
    pub fn reset(&mut self) {
        *self = Filing::new(&self.name, self.rules.clone());
    }

    /// For JSON lines whose first record is no export we know and names no gateway
    /// column: a saved mapping made for its keys, else None after saying so (the page
    /// then offers Map columns, as for a CSV header).
    pub fn json_mapping(
        &mut self,
        first: &serde_json::Map<String, serde_json::Value>,
    ) -> Option<Format> {
        let keys: Vec<String> = first.keys().cloned().collect();
        if let Some(mapping) = self.rules.mappings.iter().find(|m| m.fits(&keys)) {
            self.mapping = Some(mapping.clone());
            return Some(match mapping.stream {
                MappedStream::Requests => Format::MappedRequests,
                MappedStream::Charges => Format::MappedCharges,
            });
        }
        let message = format!(
            "expected the fields of an export we know, but found the fields {}; \
             map them to what they hold under \"Map columns\" and the file is read again",
            keys.iter()
                .take(12)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        );
        self.problem = Some(Error::syntax(Position::line(1), message));
        self.evidence.unmapped_header = keys
            .iter()
            .take(64)
            .map(|k| k.chars().take(80).collect())
            .collect();
        None
    }

    /// The format to read a file as, when it is not a gateway log: the reviewer's
    /// choice, else what detection says. `detected` runs only without a choice.
    pub fn evidence_format(&self, detected: impl FnOnce() -> Option<Format>) -> Option<Format> {
        match self.forced {
            Some(f) if f.stream() == Stream::GatewayLog => None,
            Some(f) => Some(f),
            None => detected(),
        }
    }

    /// A row that is not the format at all (not a JSON object): rejected as a whole.
    pub fn reject_row(&mut self, line: Option<u64>, number: u64, message: &str) {
        let position = Position {
            column: None,
            ..self.position(line, number, "")
        };
        self.ledger.reject(Error::syntax(position, message));
    }

    /// A row holding an invalid character (its first): rejected whole, whatever it says.
    pub fn reject_damaged(&mut self, line: Option<u64>, number: u64, damage: Damage) {
        self.reject_row(line, number, &damage.message(line));
    }

    /// A row with a value that is wrong, in `column` ("": the row as a whole): where the
    /// readers' cheap (column, sentence) pairs become the crate's Error. Past the first
    /// [`KEPT_REJECTIONS`](crate::ingest::store::ledger::KEPT_REJECTIONS) the row is only
    /// counted, its sentence not built into a position.
    pub fn reject_value(&mut self, line: Option<u64>, number: u64, column: &str, message: String) {
        if self.ledger.rejections.len() >= KEPT_REJECTIONS {
            return self.ledger.count_rejection(column);
        }
        let mut position = self.position(line, number, column);
        if column.is_empty() {
            position.column = None;
        }
        self.ledger.reject(Error::data(position, message));
    }

    fn position(&self, line: Option<u64>, row: u64, column: &str) -> Position {
        Position {
            file: self.name.clone(),
            line,
            row: Some(row),
            column: Some(column.to_string()),
            path: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::error::ErrorKind::{self, Data, Syntax};
    use crate::ingest::{ingest, Rules};

    /// (kind, line, row, column) of each kept rejection.
    type Seen = Vec<(ErrorKind, Option<u64>, Option<u64>, Option<String>)>;

    /// A row that is not the format at all is rejected as Syntax, a wrong value as Data,
    /// each at its line, row and column, in gateway logs and other exports alike.
    #[test]
    fn rejections_say_which_kind_and_where() {
        let row = |quota: &str| {
            format!(
                r#"{{"created_at":1767225600,"type":2,"model_name":"m","quota":{quota},"prompt_tokens":1,"completion_tokens":1}}"#
            )
        };
        let chat = r#"{"model":"m","created":1767225600,"usage":{"prompt_tokens":1,"completion_tokens":1}}"#;
        let column = |c: &str| Some(c.to_string());
        let cases: [(&str, String, Seen); 4] = [
            (
                "log.jsonl",
                format!("{}\n[1]\n{}\n", row("5"), row("\"x\"")),
                vec![
                    (Syntax, Some(2), Some(2), None),
                    (Data, Some(3), Some(3), column("quota")),
                ],
            ),
            (
                "log.csv",
                "created_at,type,model_name,quota,prompt_tokens,completion_tokens\n\
                 1767225600,2,m,abc,1,1\n"
                    .to_string(),
                vec![(Data, Some(2), Some(1), column("quota"))],
            ),
            (
                "log.json",
                format!("[{}, 7]", row("5")),
                vec![(Syntax, None, Some(2), None)],
            ),
            (
                "client.jsonl",
                format!(
                    "{chat}\nnot json\n{}\n",
                    chat.replace(r#""model":"m","#, "")
                ),
                vec![
                    (Syntax, Some(2), Some(2), None),
                    (Data, Some(3), Some(3), column("model")),
                ],
            ),
        ];
        for (name, text, want) in cases {
            let report = ingest(name, text.as_bytes(), Rules::default());
            let seen: Seen = report
                .ledger
                .rejections
                .iter()
                .map(|r| {
                    assert_eq!(r.position.file, name);
                    (
                        r.kind,
                        r.position.line,
                        r.position.row,
                        r.position.column.clone(),
                    )
                })
                .collect();
            assert_eq!(seen, want, "{name}");
        }
    }
}
