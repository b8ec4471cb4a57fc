//! The row-level facts of the incident review, gathered from every file's facts
//! (`FileReport.evidence.facts`) into figures that cross to the page: counts, and
//! references to rows (sanitized file name, line, row) that can go to support. Never
//! a row's text. Computed where the rows are (the worker, the command line), once per
//! set of figures; the review itself (`closure`) reads only these.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ingest::{Attempts, Facts, FileReport, Listed, Place, Stream, LISTED};
use crate::ratecard::Entry;
use crate::sanitize;
use crate::settings::ValidSettings;

pub use super::repeats::{Duplicates, IdRef, References};

/// A row of a file, as support can be pointed at it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowRef {
    /// The file's name, sanitized as the record writes it.
    pub file: String,
    /// The line, in files with lines (JSON lines, CSV).
    pub line: Option<u64>,
    /// The row, counted from 1 in reading order.
    pub row: u64,
}

impl RowRef {
    pub fn of(file: &str, place: Place) -> RowRef {
        RowRef {
            file: sanitize::file_name(file),
            line: place.line,
            row: place.row,
        }
    }

    /// "log.jsonl line 12" (or "row 12" in a file without lines).
    pub fn describe(&self) -> String {
        match self.line {
            Some(line) => format!("{} line {line}", self.file),
            None => format!("{} row {}", self.file, self.row),
        }
    }
}

/// How many rows, and where the first of them are (up to [`LISTED`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub count: u64,
    pub rows: Vec<RowRef>,
}

impl Listing {
    /// The files' lists one after the other, in the order of the files.
    fn gather<'a>(lists: impl Iterator<Item = (&'a str, &'a Listed)>) -> Listing {
        let mut out = Listing::default();
        for (file, list) in lists {
            out.count += list.count;
            let room = LISTED.saturating_sub(out.rows.len());
            let refs = list.places.iter().take(room);
            out.rows.extend(refs.map(|p| RowRef::of(file, *p)));
        }
        out
    }
}

/// A stream's reporting period: its earliest and latest row (or bucket) in the window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub first: Timestamp,
    pub last: Timestamp,
}

/// A model name as a stream logged it, and the rate card entry it matched (its label,
/// or None when no entry names it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelLabel {
    pub logged: String,
    pub priced_as: Option<String>,
}

/// One stream's row-level facts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamFacts {
    pub stream: Stream,
    /// Rows in the window buffer before the start, and from the end on.
    pub before_window: Listing,
    pub after_window: Listing,
    /// In-window requests (request streams) by what happened to them.
    pub attempts: Attempts,
    /// Requests whose start and end lie on two sides of the window's start, or its end.
    pub straddle_start: Listing,
    pub straddle_end: Listing,
    /// Successful requests logged at start rather than at completion.
    pub logged_at_start: Listing,
    /// In-window rows whose log says whether they were streamed (new-api's
    /// `is_stream`); 0: the log cannot say whether a stream was logged at start.
    pub stream_flagged: u64,
    pub period: Option<Period>,
    /// The currencies the stream's money is in (its charges; for usage, the rate card
    /// entries its models matched).
    pub currencies: Vec<String>,
    pub models: Vec<ModelLabel>,
}

/// Every stream's row-level facts, for the review.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentFacts {
    /// The buffer the rows were read with, in minutes each side (0: none).
    pub buffer_minutes: u32,
    pub streams: Vec<StreamFacts>,
    /// Request ids seen more than once inside the client request log (timeouts, queue
    /// replays), with the expected cost of the repeats.
    pub duplicates: Option<Duplicates>,
    /// Request ids the client log has and the gateway log lacks, and the reverse; None
    /// unless both logs are loaded.
    pub client_not_in_gateway: Option<References>,
    pub gateway_not_in_client: Option<References>,
    /// Billing lines for a model in a bucket no usage row of it falls in; None unless a
    /// billing export and a usage stream are loaded.
    #[serde(default)]
    pub billing_without_usage: Option<super::UntiedCharges>,
}

/// Gathers the facts of the files that give evidence, stream by stream.
pub fn incident_facts(files: &[FileReport], settings: &ValidSettings) -> IncidentFacts {
    let mut present: Vec<Stream> = files
        .iter()
        .filter(|f| f.gives_evidence())
        .map(FileReport::stream)
        .collect();
    present.sort();
    present.dedup();
    let streams = present.iter().map(|&stream| {
        let members = || super::files_of(files, stream);
        let list = |pick: fn(&Facts) -> &Listed| {
            Listing::gather(members().map(|f| (f.name.as_str(), pick(&f.evidence.facts))))
        };
        let mut attempts = Attempts::default();
        members().for_each(|f| attempts.add(f.evidence.facts.attempts));
        StreamFacts {
            stream,
            before_window: list(|f| &f.before_window),
            after_window: list(|f| &f.after_window),
            attempts,
            straddle_start: list(|f| &f.straddle_start),
            straddle_end: list(|f| &f.straddle_end),
            logged_at_start: list(|f| &f.logged_at_start),
            stream_flagged: members().map(|f| f.evidence.facts.stream_flagged).sum(),
            period: period(members()),
            currencies: currencies(&members().collect::<Vec<_>>(), settings),
            models: models(members(), settings),
        }
    });
    let (client_not_in_gateway, gateway_not_in_client) = super::repeats::missing(files);
    IncidentFacts {
        buffer_minutes: settings.window_buffer_minutes,
        streams: streams.collect(),
        duplicates: super::repeats::duplicates(files, settings),
        client_not_in_gateway,
        gateway_not_in_client,
        billing_without_usage: super::untied::billing_without_usage(files, settings),
    }
}

fn period<'a>(members: impl Iterator<Item = &'a FileReport>) -> Option<Period> {
    let mut times = Vec::new();
    for f in members {
        let facts = &f.evidence.facts;
        times.extend(facts.first_at.into_iter().chain(facts.last_at));
        for c in &f.evidence.charges {
            times.extend([c.start, c.end]);
        }
    }
    Some(Period {
        first: *times.iter().min()?,
        last: *times.iter().max()?,
    })
}

fn logged_models<'a>(members: impl Iterator<Item = &'a FileReport>) -> BTreeSet<String> {
    members
        .flat_map(|f| {
            let unknown = f.evidence.usage_unknown.keys().cloned();
            f.rows.models().iter().cloned().chain(unknown)
        })
        .collect()
}

fn entry_for<'a>(settings: &'a ValidSettings, model: &str) -> Option<&'a Entry> {
    let card = &settings.rate_card;
    card.entries
        .iter()
        .find(|e| e.names(model) && !e.is_empty())
}

fn models<'a>(
    members: impl Iterator<Item = &'a FileReport>,
    settings: &ValidSettings,
) -> Vec<ModelLabel> {
    logged_models(members)
        .into_iter()
        .map(|logged| ModelLabel {
            priced_as: entry_for(settings, &logged).map(|e| sanitize::label(&e.model)),
            logged: sanitize::label(&logged),
        })
        .collect()
}

fn currencies(members: &[&FileReport], settings: &ValidSettings) -> Vec<String> {
    let charged = members
        .iter()
        .flat_map(|f| f.evidence.charges.iter().map(|c| c.currency.clone()));
    let priced = logged_models(members.iter().copied())
        .into_iter()
        .filter_map(|m| entry_for(settings, &m).map(|e| e.currency.clone()));
    let all: BTreeSet<String> = charged.chain(priced).map(|c| sanitize::label(&c)).collect();
    all.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{ingest, Rules, Window};

    /// A request's reference crosses to the page whole, and JSON still writes its row
    /// beside it (the record's and the support packet's shape).
    #[test]
    fn references_cross_the_wire_and_stay_flat_in_json() {
        let id = IdRef {
            reference: "id-0123456789ab".into(),
            at: RowRef {
                file: "client.jsonl".into(),
                line: Some(4),
                row: 3,
            },
        };
        let facts = IncidentFacts {
            client_not_in_gateway: Some(References {
                count: 2,
                ids: vec![id.clone()],
            }),
            ..IncidentFacts::default()
        };
        let bytes = crate::wire::to_bytes(&facts).unwrap();
        assert_eq!(
            crate::wire::from_bytes::<IncidentFacts>(&bytes).unwrap(),
            facts
        );
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(
            json,
            r#"{"reference":"id-0123456789ab","file":"client.jsonl","line":4,"row":3}"#
        );
        assert_eq!(serde_json::from_str::<IdRef>(&json).unwrap(), id);
    }

    #[test]
    fn buffer_rows_are_listed_by_side_across_files() {
        let row = |at: u64, id: &str| {
            format!(
                r#"{{"created_at":{at},"type":2,"model_name":"m","quota":5,"prompt_tokens":1,"completion_tokens":1,"request_id":"{id}"}}"#
            )
        };
        // 08:00–10:00 on 2026-01-01, a 30-minute buffer.
        let start = 1_767_254_400;
        let text = [
            row(start - 1801, "too-early"),
            row(start - 1800, "a"),
            row(start - 1, "b"),
            row(start, "in"),
            row(start + 7200, "c"),
            row(start + 9000, "too-late"),
        ]
        .join("\n");
        let rules = Rules {
            window: Some(Window {
                start: jiff::Timestamp::from_second(start as i64).unwrap(),
                end: jiff::Timestamp::from_second(start as i64 + 7200).unwrap(),
            }),
            buffer_minutes: 30,
            ..Rules::default()
        };
        let files = vec![
            ingest("one.jsonl", text.as_bytes(), rules.clone()),
            ingest("two.jsonl", text.as_bytes(), rules),
        ];
        let settings = crate::settings::Settings {
            review: crate::settings::ReviewText {
                window_buffer_minutes: "30".into(),
                ..Default::default()
            },
            ..Default::default()
        }
        .validate()
        .unwrap();
        let facts = incident_facts(&files, &settings);
        assert_eq!(facts.buffer_minutes, 30);
        let gateway = &facts.streams[0];
        let lines = |l: &Listing| -> Vec<String> { l.rows.iter().map(RowRef::describe).collect() };
        assert_eq!(gateway.before_window.count, 4);
        assert_eq!(
            lines(&gateway.before_window),
            [
                "one.jsonl line 2",
                "one.jsonl line 3",
                "two.jsonl line 2",
                "two.jsonl line 3"
            ]
        );
        assert_eq!(
            lines(&gateway.after_window),
            ["one.jsonl line 5", "two.jsonl line 5"]
        );
    }
}
