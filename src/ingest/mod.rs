//! ingest: bytes in, typed evidence out, every row accounted for.
//!
//! [`Ingestor`] reads a file as it arrives, chunk by chunk: it fingerprints the bytes,
//! sniffs the encoding and shape, reads the rows (JSON or delimited text), maps the known
//! columns, and files each row in the [`Ledger`]: accepted, excluded by a rule, or
//! rejected with its position and a message. It never panics on input, never stops at
//! the first bad row, and never holds the file: only the ledger, the accepted rows in
//! compact form ([`Rows`]) and the text of the row being read. [`ingest`] is the same on
//! bytes already in memory; for any chunking, both give the same [`FileReport`].

mod billing;
mod client;
mod decode;
mod delimited;
mod detect;
mod document;
pub mod evidence;
mod fields;
mod gunzip;
mod json;
mod jsonrow;
mod jsonscan;
mod jsontext;
mod labels;
pub mod ledger;
pub mod mapping;
pub mod newapi;
mod other;
mod rowbuild;
pub mod rows;
mod sniff;
mod stream;
mod times;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::decimal::NumberFormat;
use crate::error::Position;
use crate::policy::{Billability, Policy, PolicyText};
use crate::settings::Window;
pub use evidence::{ChargeTotal, Evidence, Stream};
pub use ledger::{ExclusionRule, Ledger, Rejection};

use newapi::{CellError, Outcome, Parts, RowKind};
pub use rows::{Rows, RowsBuilder};
pub use stream::{ingest_hashing_apart, FileHasher, Hashing, Ingestor};
pub use times::{parse_time, CellFormat, DateOrder, StatedZone};

/// What the file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    NewApiLogPage,
    NewApiJsonArray,
    NewApiJsonLines,
    NewApiCsv,
    ClientOpenAiChat,
    ClientOpenAiResponses,
    ClientAnthropic,
    LiteLlmSpendLogs,
    CostObservation,
    OpenAiUsageReport,
    AnthropicUsageReport,
    OpenAiCosts,
    OpenAiCostCsv,
    AnthropicCostReport,
    Focus,
    CometApiAccount,
    /// A request log read through a column mapping the reviewer saved.
    MappedRequests,
    /// A billing export read through a column mapping the reviewer saved.
    MappedCharges,
}

impl Format {
    /// Every format the reviewer can choose for a file (mapped ones come from a mapping).
    pub const CHOOSABLE: [Format; 16] = [
        Format::NewApiLogPage,
        Format::NewApiJsonArray,
        Format::NewApiJsonLines,
        Format::NewApiCsv,
        Format::ClientOpenAiChat,
        Format::ClientOpenAiResponses,
        Format::ClientAnthropic,
        Format::LiteLlmSpendLogs,
        Format::CostObservation,
        Format::OpenAiUsageReport,
        Format::AnthropicUsageReport,
        Format::OpenAiCosts,
        Format::OpenAiCostCsv,
        Format::AnthropicCostReport,
        Format::Focus,
        Format::CometApiAccount,
    ];

    /// The snake_case name the record and the settings use.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::CHOOSABLE
            .into_iter()
            .find(|f| f.name() == name.trim())
    }

    pub fn stream(self) -> Stream {
        match self {
            Format::NewApiLogPage
            | Format::NewApiJsonArray
            | Format::NewApiJsonLines
            | Format::NewApiCsv => Stream::GatewayLog,
            Format::ClientOpenAiChat
            | Format::ClientOpenAiResponses
            | Format::ClientAnthropic
            | Format::LiteLlmSpendLogs
            | Format::CostObservation
            | Format::MappedRequests => Stream::ClientRequests,
            Format::OpenAiUsageReport | Format::AnthropicUsageReport => Stream::ProviderUsage,
            Format::OpenAiCosts
            | Format::OpenAiCostCsv
            | Format::AnthropicCostReport
            | Format::Focus
            | Format::MappedCharges => Stream::Billing,
            Format::CometApiAccount => Stream::AccountTotals,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Format::NewApiLogPage => "CometAPI / new-api usage log (log API JSON page)",
            Format::NewApiJsonArray => "CometAPI / new-api usage log (JSON array of rows)",
            Format::NewApiJsonLines => "CometAPI / new-api usage log (JSON lines)",
            Format::NewApiCsv => "CometAPI / new-api usage log (CSV)",
            Format::ClientOpenAiChat => "client request log (OpenAI chat completions usage)",
            Format::ClientOpenAiResponses => "client request log (OpenAI Responses usage)",
            Format::ClientAnthropic => "client request log (Anthropic Messages usage)",
            Format::LiteLlmSpendLogs => "client request log (LiteLLM spend logs)",
            Format::CostObservation => "client request log (ai_request_cost_observation events)",
            Format::OpenAiUsageReport => {
                "provider usage report (OpenAI usage API or Activity export)"
            }
            Format::AnthropicUsageReport => "provider usage report (Anthropic usage_report)",
            Format::OpenAiCosts => "billing export (OpenAI Costs API)",
            Format::OpenAiCostCsv => "billing export (OpenAI dashboard Cost CSV)",
            Format::AnthropicCostReport => {
                "billing export (Anthropic cost_report, amounts in cents)"
            }
            Format::Focus => "billing export (FinOps FOCUS)",
            Format::CometApiAccount => "account totals (CometAPI balance query, USD per day)",
            Format::MappedRequests => "client request log (columns as you mapped them)",
            Format::MappedCharges => "billing export (columns as you mapped them)",
        }
    }
}

/// Identifies the exact bytes a review used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub sha256: String,
    pub bytes: u64,
}

impl Fingerprint {
    pub fn of(bytes: &[u8]) -> Self {
        let digest = Sha256::digest(bytes);
        let sha256 = digest.iter().map(|b| format!("{b:02x}")).collect();
        Fingerprint {
            sha256,
            bytes: bytes.len() as u64,
        }
    }
}

/// Everything learned from one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileReport {
    pub name: String,
    pub fingerprint: Fingerprint,
    pub format: Option<Format>,
    /// A problem with the file as a whole: unreadable, or broken part-way.
    pub problem: Option<String>,
    pub ledger: Ledger,
    /// Accepted usage rows: gateway consume and refund rows, client requests whose usage
    /// is known, provider usage buckets.
    pub rows: Rows,
    /// What a file of another stream adds (charges, requests of unknown usage).
    pub evidence: Evidence,
}

impl FileReport {
    /// Files the rows of a file whose bytes an earlier file already holds under
    /// [`ExclusionRule::DuplicateFile`]: every row still accounted for, none counted twice.
    pub fn exclude_as_duplicate(&mut self) {
        let accepted = std::mem::take(&mut self.ledger.accepted);
        if accepted > 0 {
            *self
                .ledger
                .excluded
                .entry(ExclusionRule::DuplicateFile)
                .or_default() += accepted;
        }
        self.rows = Rows::default();
        self.evidence.usage_unknown.clear();
        self.evidence.charges.clear();
        self.evidence.reported_cost = None;
        self.evidence.straddling_buckets = 0;
    }

    /// The evidence stream the file belongs to (a gateway log until shown otherwise).
    pub fn stream(&self) -> Stream {
        self.format.map_or(Stream::GatewayLog, Format::stream)
    }
}

/// The report without its rows, as JSON (the rows travel as bytes beside it).
#[derive(Serialize, Deserialize)]
struct Meta {
    name: String,
    fingerprint: Fingerprint,
    format: Option<Format>,
    problem: Option<String>,
    ledger: Ledger,
    #[serde(default)]
    evidence: Evidence,
}

impl FileReport {
    /// For the trip from the web worker to the page: the report as JSON, and the rows as
    /// bytes, in two parts to be sent as one (`Rows::tables` then `Rows::data`: as JSON
    /// they would be ten times larger).
    pub fn to_wire(&self) -> (String, Vec<u8>, &[u8]) {
        let meta = Meta {
            name: self.name.clone(),
            fingerprint: self.fingerprint.clone(),
            format: self.format,
            problem: self.problem.clone(),
            ledger: self.ledger.clone(),
            evidence: self.evidence.clone(),
        };
        let json = serde_json::to_string(&meta).unwrap_or_default();
        (json, self.rows.tables(), self.rows.data())
    }

    /// `rows` is the tables and data of [`FileReport::to_wire`], one after the other.
    pub fn from_wire(json: &str, rows: Vec<u8>) -> Result<FileReport, String> {
        let mut report = FileReport::from_wire_without_rows(json)?;
        let rows = Rows::from_bytes(rows)?;
        let unknown = report.evidence.unknown_total();
        let charged = matches!(report.stream(), Stream::Billing | Stream::AccountTotals);
        if !charged && rows.len() as u64 + unknown != report.ledger.accepted {
            return Err("the rows sent by the reader do not match its ledger".into());
        }
        report.rows = rows;
        Ok(report)
    }

    /// The JSON of [`FileReport::to_wire`] alone, for a page whose worker keeps the rows
    /// (and computes the figures from them): the report's `rows` are empty.
    pub fn from_wire_without_rows(json: &str) -> Result<FileReport, String> {
        let meta: Meta = serde_json::from_str(json)
            .map_err(|e| format!("the report sent by the reader is damaged: {e}"))?;
        Ok(FileReport {
            name: meta.name,
            fingerprint: meta.fingerprint,
            format: meta.format,
            problem: meta.problem,
            ledger: meta.ledger,
            rows: Rows::default(),
            evidence: meta.evidence,
        })
    }
}

/// The review rules that decide how cells and rows are read and whether a row that reads fine is
/// excluded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    /// Rows outside it are excluded (counted in the ledger, never dropped).
    pub window: Option<Window>,
    /// Outcomes the policy calls not billable are excluded.
    pub policy: Policy,
    /// The zone the reviewer states for times written without one (spreadsheet-style
    /// `2026-01-01 08:02:03`); without one such rows are rejected.
    pub zoneless_zone: Option<StatedZone>,
    /// The order of day and month in dates like `1/5/26`; unstated, those are rejected.
    pub date_order: DateOrder,
    /// How delimited files write numbers (`1.234,5`); JSON numbers are always plain.
    pub number_format: NumberFormat,
    /// Billing rows in another currency are rejected (uppercase ISO 4217); None: any.
    pub currency: Option<Currency>,
    /// Column mappings the reviewer saved, for exports we do not know by their header.
    pub mappings: std::sync::Arc<Vec<mapping::Mapping>>,
    /// Formats the reviewer chose for files by name, over what detection says.
    pub overrides: std::sync::Arc<Vec<(String, Format)>>,
}

/// A three-letter currency code, uppercase (Copy, so the rules stay Copy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn parse(text: &str) -> Option<Currency> {
        let bytes = text.trim().as_bytes();
        let code: [u8; 3] = bytes.try_into().ok()?;
        code.iter()
            .all(u8::is_ascii_alphabetic)
            .then(|| Currency(code.map(|b| b.to_ascii_uppercase())))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    pub fn eq_ignore_ascii_case(&self, other: &str) -> bool {
        self.as_str().eq_ignore_ascii_case(other)
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rules as text, for the trip to the web worker (window ends in RFC 3339, the
/// policy as the names the settings use, the rest as the settings write them).
#[derive(Serialize, Deserialize)]
struct RulesText {
    window: Option<(String, String)>,
    policy: Vec<String>,
    #[serde(default)]
    zoneless_zone: Option<String>,
    #[serde(default)]
    date_order: String,
    #[serde(default)]
    number_format: String,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    mappings: Vec<mapping::MappingText>,
    #[serde(default)]
    overrides: Vec<(String, Format)>,
}

impl Rules {
    pub fn to_wire(&self) -> String {
        let text = RulesText {
            window: self
                .window
                .map(|w| (w.start.to_string(), w.end.to_string())),
            policy: Outcome::ALL
                .iter()
                .map(|o| match self.policy.of(*o) {
                    Billability::Billable => "billable",
                    Billability::NotBillable => "not_billable",
                    Billability::Unknown => "unknown",
                })
                .map(str::to_string)
                .collect(),
            zoneless_zone: self.zoneless_zone.map(StatedZone::to_text),
            date_order: self.date_order.name().to_string(),
            number_format: self.number_format.sample().to_string(),
            currency: self.currency.map(|c| c.to_string()),
            mappings: self.mappings.iter().map(|m| m.text.clone()).collect(),
            overrides: self.overrides.to_vec(),
        };
        serde_json::to_string(&text).unwrap_or_default()
    }

    pub fn from_wire(text: &str) -> Result<Rules, String> {
        let bad = |what: &str| format!("the reading rules sent to the reader are damaged ({what})");
        let text: RulesText = serde_json::from_str(text).map_err(|_| bad("not JSON"))?;
        let window = match text.window {
            Some((start, end)) => Some(Window {
                start: start.parse().map_err(|_| bad("window start"))?,
                end: end.parse().map_err(|_| bad("window end"))?,
            }),
            None => None,
        };
        let mut policy = PolicyText::default();
        for (outcome, name) in Outcome::ALL.iter().zip(text.policy) {
            *policy.slot(*outcome) = name;
        }
        let policy = Policy::parse(&policy).map_err(|_| bad("policy"))?;
        let zone = text.zoneless_zone.unwrap_or_default();
        let currency = match text.currency {
            Some(code) => Some(Currency::parse(&code).ok_or_else(|| bad("currency"))?),
            None => None,
        };
        let mappings = text
            .mappings
            .iter()
            .map(mapping::Mapping::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| bad("column mapping"))?;
        Ok(Rules {
            window,
            policy,
            zoneless_zone: StatedZone::parse(&zone).map_err(|_| bad("time zone"))?,
            date_order: DateOrder::parse(&text.date_order).map_err(|_| bad("date order"))?,
            number_format: NumberFormat::parse(&text.number_format)
                .map_err(|_| bad("number format"))?,
            currency,
            mappings: std::sync::Arc::new(mappings),
            overrides: std::sync::Arc::new(text.overrides),
        })
    }

    /// How cells are read: delimited text in the stated number format, JSON with the
    /// plain numbers JSON writes (a JSON `1.234` is never one thousand two hundred...).
    fn cell_formats(&self) -> (CellFormat, CellFormat) {
        let text = CellFormat {
            zone: self.zoneless_zone.map(StatedZone::time_zone),
            dates: self.date_order,
            numbers: self.number_format,
        };
        let json = CellFormat {
            numbers: NumberFormat::Plain,
            ..text.clone()
        };
        (text, json)
    }
}

/// Reads one file and files every row in its ledger under `rules`.
pub fn ingest(name: &str, bytes: &[u8], rules: Rules) -> FileReport {
    let mut ingestor = Ingestor::new(name, rules);
    ingestor.push(bytes);
    ingestor.finish()
}

/// What the readers file rows into while a file is read.
struct Filing {
    name: String,
    rules: Rules,
    /// How delimited text and JSON rows write their cells ([`Rules::cell_formats`]).
    text_cells: CellFormat,
    json_cells: CellFormat,
    ledger: Ledger,
    rows: RowsBuilder,
    format: Option<Format>,
    problem: Option<String>,
    evidence: Evidence,
    charges: evidence::ChargeSums,
    /// The column mapping a file of an unknown export is read through.
    mapping: Option<mapping::Mapping>,
    /// The format the reviewer chose for this file, over detection.
    forced: Option<Format>,
}

impl Filing {
    fn new(name: &str, rules: Rules) -> Filing {
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
            charges: Default::default(),
            mapping: None,
            forced,
        }
    }

    /// Forgets every row: the file turned out unreadable as a whole.
    fn reset(&mut self) {
        *self = Filing::new(&self.name, self.rules.clone());
    }

    /// The format to read a file as, when it is not a gateway log: the reviewer's
    /// choice, else what detection says. `detected` runs only without a choice.
    fn evidence_format(&self, detected: impl FnOnce() -> Option<Format>) -> Option<Format> {
        match self.forced {
            Some(f) if f.stream() == Stream::GatewayLog => None,
            Some(f) => Some(f),
            None => detected(),
        }
    }

    fn position(&self, line: Option<u64>, row: u64, column: &str) -> Position {
        Position {
            file: self.name.clone(),
            line,
            row: Some(row),
            column: Some(column.to_string()),
        }
    }

    fn json_row(&mut self, number: u64, line: Option<u64>, row: jsonrow::JsonRow) {
        if row.empty {
            let message = "expected a JSON object with the log fields, but found something else";
            let position = Position {
                column: None,
                ..self.position(line, number, "")
            };
            return self.ledger.reject(position, message.to_string());
        }
        let parsed = newapi::parse_parts(&row.cells, &mut self.rows, &self.json_cells);
        self.file_row(line, number, None, parsed);
    }

    /// Files one parsed row: window and row-type rules first, then acceptance.
    /// `header` is the column as the file names it, when it differs from ours.
    fn file_row(
        &mut self,
        line: Option<u64>,
        number: u64,
        header: Option<&str>,
        row: Result<Parts, CellError>,
    ) {
        let row = match row {
            Ok(row) => row,
            Err((column, message)) => {
                let column = header.unwrap_or(column.name());
                if self.ledger.rejections.len() < ledger::KEPT_REJECTIONS {
                    let position = self.position(line, number, column);
                    return self.ledger.reject(position, message);
                }
                return self.ledger.count_rejection(column);
            }
        };
        let rules = &self.rules;
        if rules.window.is_some_and(|w| !w.contains(row.at)) {
            return self.ledger.exclude(ExclusionRule::OutsideWindow);
        }
        if row.kind == RowKind::NotUsage {
            return self.ledger.exclude(ExclusionRule::NotUsage);
        }
        if row.kind != RowKind::Refund && rules.policy.of(row.outcome) == Billability::NotBillable {
            return self.ledger.exclude(ExclusionRule::NonBillableOutcome);
        }
        self.ledger.accept();
        if let Some(id) = row.request_id {
            self.evidence.request_ids.push(evidence::id_hash(id));
        }
        self.rows.push_parts(&row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The web worker reads files under exactly the rules the page sent.
    #[test]
    fn rules_survive_the_trip_to_the_worker() {
        let window = Window {
            start: "2026-01-01T00:00:00Z".parse().unwrap(),
            end: "2026-01-02T00:00:00Z".parse().unwrap(),
        };
        let cases = [
            Rules::default(),
            Rules {
                window: Some(window),
                zoneless_zone: StatedZone::parse("Europe/Berlin").unwrap(),
                date_order: DateOrder::DayFirst,
                number_format: NumberFormat::PointThousandsCommaDecimal,
                ..Rules::default()
            },
            Rules {
                zoneless_zone: StatedZone::parse("-05:30").unwrap(),
                date_order: DateOrder::MonthFirst,
                number_format: NumberFormat::SpaceThousandsCommaDecimal,
                ..Rules::default()
            },
        ];
        for rules in cases {
            assert_eq!(Rules::from_wire(&rules.to_wire()), Ok(rules));
        }
        let damaged = r#"{"window":null,"policy":[],"number_format":"1'234"}"#;
        assert_eq!(
            Rules::from_wire(damaged).unwrap_err(),
            "the reading rules sent to the reader are damaged (number format)"
        );
    }
}
