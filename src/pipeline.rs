//! pipeline: the whole review in one call, shared by the page, its worker and the CLI:
//! ingest → price → reconcile → classify → cross-check, into [`Figures`].

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::authority;
use crate::classify;
use crate::confidence;
use crate::crosscheck;
use crate::dual_ledger;
use crate::error::Error;
pub use crate::figures::Figures;
use crate::ingest::{self, overlap, FileReport, Ledger, Rules, Stream};
use crate::price::groups::Groups;
use crate::reconcile::Tolerance;
use crate::record::{self, Record};
use crate::settings::expected_side::ExpectedSide;
use crate::settings::{Settings, ValidSettings};

/// One input file as the user gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A file given to check a record against (`verify`): its name, and its SHA-256 to find
/// it among those the record lists; reading it for the review is the caller's. Bytes in
/// memory here; the command line's files are read from the disk where they lie.
pub trait Given {
    fn name(&self) -> &str;
    /// The SHA-256 in lowercase hex; an error names a file that cannot be read.
    fn sha256(&self) -> Result<String, String>;
}

impl Given for InputFile {
    fn name(&self) -> &str {
        &self.name
    }

    fn sha256(&self) -> Result<String, String> {
        Ok(crate::ingest::Fingerprint::of(&self.bytes).sha256)
    }
}

/// Why the figures could not be computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// No file was given, or none gave a row that could be read: there is nothing to
    /// reconcile.
    NothingRead,
    Settings(Vec<Error>),
    Arithmetic(Error),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub files: Vec<FileReport>,
    /// Every model label seen in accepted rows, sorted.
    pub models: Vec<String>,
    pub figures: Result<Figures, Problem>,
}

/// The ingest rules the settings call for (window and outcome policy); None while the
/// settings are not valid.
pub fn ingest_rules(settings: &Settings) -> Option<Rules> {
    let valid = settings.validate().ok()?;
    Some(Rules {
        window: valid.window,
        policy: valid.policy,
        zoneless_zone: valid.zoneless_zone,
        date_order: valid.date_order,
        number_format: valid.number_format,
        untimed: valid.untimed_requests,
        currency: crate::ingest::Currency::parse(&valid.billing_currency),
        mappings: std::sync::Arc::new(valid.mappings),
        overrides: std::sync::Arc::new(valid.format_overrides),
        buffer_minutes: valid.window_buffer_minutes,
    })
}

/// Runs ingest → price → reconcile → classify. Files are always read (so the page can
/// show ledgers and prefill the rate table even while the settings are incomplete); with
/// settings that are not valid, under the default rules (no window, default policy).
pub fn run(files: &[InputFile], settings: &Settings) -> Review {
    let rules = ingest_rules(settings).unwrap_or_default();
    let files = files
        .iter()
        .map(|f| ingest::ingest(&f.name, &f.bytes, rules.clone()))
        .collect();
    run_reports(files, settings)
}

/// The same bytes given twice (a file dropped again, a page saved twice) count once.
fn count_once(files: &mut [FileReport]) {
    let fingerprints: Vec<&ingest::Fingerprint> = files.iter().map(|f| &f.fingerprint).collect();
    let repeated = repeats(&fingerprints);
    for (file, repeated) in files.iter_mut().zip(repeated) {
        if repeated {
            file.exclude_as_duplicate();
        }
    }
}

/// For each file, whether an earlier file has the very same bytes (it then counts once,
/// under [`ingest::ExclusionRule::DuplicateFile`]).
fn repeats(fingerprints: &[&ingest::Fingerprint]) -> Vec<bool> {
    (0..fingerprints.len())
        .map(|i| fingerprints[..i].contains(&fingerprints[i]))
        .collect()
}

/// The figures from files already read (the page's worker reads them, and reads them
/// again only when [`ingest_rules`] change): price → reconcile → classify.
pub fn run_reports(mut files: Vec<FileReport>, settings: &Settings) -> Review {
    count_files(&mut files);
    run_counted(files, settings)
}

/// What counts once across the files: a file given twice, gateway log rows and client
/// requests that overlapping files share. It depends on the files alone, so the page's worker keeps the result
/// while only the settings change.
pub fn count_files(files: &mut [FileReport]) {
    count_once(files);
    overlap::count_rows_once(files);
}

/// What one review keeps between settings edits of the same files: the priced stream's
/// rows in groups, so a rate edit prices groups, not rows. Drop it when the files change.
#[derive(Default)]
pub struct Kept {
    groups: Option<(Stream, Groups)>,
    /// Each file's rows as filed while it was read (by file, in order), until the
    /// first figures join them.
    parts: Vec<Option<Groups>>,
    /// The last figures priced groups joined from `parts`.
    took_parts: bool,
}

impl Kept {
    /// Nothing kept yet but the groups each of `files` was filed in as it was read
    /// (`parts[i]` for `files[i]`, under the settings of that moment): the first
    /// figures join them instead of filing the rows again when they fit.
    pub fn with_parts(parts: Vec<Option<Groups>>) -> Kept {
        Kept {
            groups: None,
            parts,
            took_parts: false,
        }
    }

    /// Whether the figures computed since this was last asked priced the parts joined
    /// (the page's worker counts it for a browser test).
    pub fn took_parts(&mut self) -> bool {
        std::mem::take(&mut self.took_parts)
    }

    /// The parts of `stream`'s files joined in their order; None unless each of them
    /// was filed over every row it holds now (counting them once may have dropped some).
    fn joined_parts(&mut self, files: &[FileReport], stream: Stream) -> Option<Groups> {
        let parts = std::mem::take(&mut self.parts);
        let mut joined: Option<Groups> = None;
        let members = files
            .iter()
            .zip(parts.into_iter().chain(std::iter::repeat(None)));
        for (file, part) in members.filter(|(f, _)| f.gives_evidence() && f.stream() == stream) {
            let part = part.filter(|p| p.rows() == file.rows.len() as u64)?;
            joined = Some(match joined {
                None => part,
                Some(earlier) => earlier.then(part)?,
            });
        }
        joined
    }
}

/// [`run_reports`] on files already through [`count_files`].
pub fn run_counted(files: Vec<FileReport>, settings: &Settings) -> Review {
    run_kept(files, settings, &mut Kept::default())
}

/// [`run_counted`], keeping in `kept` what the next settings edit of the same files can
/// use again (the page's worker keeps it while the files stay).
/// The review of no files: [`run_reports`] with none, without linking the computation
/// it never reaches (the page shows it before any file is read; its own wasm then
/// carries no pricing, which only the worker runs).
pub fn run_nothing(settings: &Settings) -> Review {
    Review {
        files: Vec::new(),
        models: Vec::new(),
        figures: match settings.validate() {
            Ok(_) => Err(Problem::NothingRead),
            Err(errors) => Err(Problem::Settings(errors)),
        },
    }
}

pub fn run_kept(files: Vec<FileReport>, settings: &Settings, kept: &mut Kept) -> Review {
    let models: BTreeSet<&str> = files
        .iter()
        .flat_map(|f| f.rows.models().iter().map(String::as_str))
        .collect();
    let models = models.into_iter().map(str::to_string).collect();
    let figures = match settings.validate() {
        // A review of files none of which could be read is not a review.
        Ok(_) if !files.iter().any(FileReport::gives_evidence) => Err(Problem::NothingRead),
        Ok(settings) => compute(&files, settings, kept).map_err(Problem::Arithmetic),
        Err(errors) => Err(Problem::Settings(errors)),
    };
    Review {
        files,
        models,
        figures,
    }
}

fn compute(
    files: &[FileReport],
    settings: ValidSettings,
    kept: &mut Kept,
) -> Result<Figures, Error> {
    // The most detailed usage there is, but not the report chosen as the provider-side
    // figure; none, and nothing is priced. Rows stream out of the compact store one at a
    // time: never all decoded at once, and into groups once while the files stay.
    let priced_stream =
        authority::priced_stream(files, settings.provider_side, settings.expected_side);
    let mut pricing = match priced_stream {
        Some(stream) => {
            let mut groups = match kept.groups.take() {
                Some((kept_stream, groups)) if kept_stream == stream => Some(groups),
                _ => {
                    let joined = kept.joined_parts(files, stream);
                    kept.took_parts = joined.as_ref().is_some_and(|g| g.fit(&settings));
                    joined
                }
            };
            let pricing = crosscheck::price_stream_grouped(files, stream, &settings, &mut groups);
            kept.groups = groups.map(|g| (stream, g));
            Some(pricing?)
        }
        None => None,
    };
    let tolerance = Tolerance {
        absolute: settings.tolerance_absolute,
        percent: settings.tolerance_percent,
    };
    // What the client saw as the expected side: the gateway log, when loaded, is priced
    // on its own beside it (its quota the provider-side figure, its rows joined).
    let client_side = settings.expected_side == ExpectedSide::ClientRequests;
    let beside = match client_side
        && crosscheck::files_of(files, Stream::GatewayLog)
            .next()
            .is_some()
    {
        true => Some(crosscheck::price_stream(
            files,
            Stream::GatewayLog,
            &settings,
        )?),
        false => None,
    };
    let gateway = match priced_stream {
        Some(Stream::GatewayLog) => pricing.as_ref(),
        _ => beside.as_ref(),
    };
    let (streams, pricings) = crosscheck::streams(files, &settings, gateway)?;
    // The provider-side figure: the stream the reviewer chose, else the default rule.
    let (mut reconciliation, recorded_stream) =
        authority::provider_side(files, &settings, gateway, pricing.as_ref(), tolerance)?;
    let gateway_recorded = authority::gateway_recorded(gateway, &settings, tolerance)?;
    let ids = crosscheck::request_ids(files);
    let cross_checks = crosscheck::compare(&streams, &pricings, &ids, gateway_recorded, tolerance)?;
    // Verified and estimated apart; within tolerance on the verified part only.
    let priced = pricing.as_mut();
    confidence::apply(files, priced_stream, priced, &mut reconciliation, tolerance)?;
    let window = classify::window::gaps(files, &settings, priced_stream, recorded_stream)?;
    let joined = client_side
        && priced_stream == Some(Stream::ClientRequests)
        && recorded_stream == Some(Stream::GatewayLog);
    let bridge = match (&pricing, reconciliation.total.variance) {
        (Some(_), Some(variance)) if joined => {
            let join = classify::client_join::join(files, &settings)?;
            Some(classify::bridge_joined(&join, variance)?)
        }
        (Some(pricing), Some(variance)) => Some(classify::bridge_with(pricing, &window, variance)?),
        _ => None,
    };
    let card = &settings.rate_card;
    let unapplied_prices = (pricing.as_ref())
        .map_or_else(Vec::new, |p| confidence::prices_without_quantities(p, card));
    let incident = crosscheck::incident_facts(files, &settings);
    let grouped = kept
        .groups
        .as_ref()
        .map(|(stream, groups)| (*stream, groups));
    let dual_ledger =
        dual_ledger::build_grouped(files, &settings, priced_stream, recorded_stream, grouped)?;
    Ok(Figures {
        dual_ledger,
        unapplied_prices,
        incident,
        settings,
        pricing,
        reconciliation,
        bridge,
        priced_stream,
        recorded_stream,
        usage_confidence: confidence::per_stream(
            files,
            (streams.iter()).map(|s| (s.stream, s.quantities.keys().copied().collect())),
        ),
        streams,
        cross_checks,
    })
}

impl Review {
    /// The sanitized record; None until the settings are valid and the figures computed,
    /// and while a file's SHA-256 is still being computed (the page's second worker
    /// hashes after the figures): a record names every file by its digest.
    pub fn record(&self, generated_at: Timestamp) -> Option<Record> {
        let figures = self.figures.as_ref().ok()?;
        if self.files.iter().any(|f| f.fingerprint.sha256.is_empty()) {
            return None;
        }
        Some(record::build(&self.files, figures, generated_at))
    }
}

/// What the page's worker sends back after computing a review: only what was computed
/// from the rows. The files' reports (without their rows) and the settings text are
/// already on the page, which validates that text itself (cheap), so the figures it
/// shows and the record it builds are the very values the worker computed.
#[derive(Serialize, Deserialize)]
struct Wire {
    models: Vec<String>,
    figures: WireFigures,
    /// Per file, its ledger as the worker counted it ([`count_files`]: a file given
    /// twice, rows another file holds), without the rejections' text: counting never
    /// changes it, and the page has it from the file's own report.
    ledgers: Vec<Ledger>,
}

/// The figures, or why there are none; the settings' own problems stay on the page,
/// which validates the same text.
#[derive(Serialize, Deserialize)]
enum WireFigures {
    Computed(Box<Figures>),
    InvalidSettings,
    NothingRead,
    Arithmetic(Error),
}

impl Review {
    /// For the trip from the web worker to the page: everything but the files and the
    /// settings, in the wire form ([`crate::wire`]).
    pub fn to_wire(&self) -> Vec<u8> {
        let figures = match &self.figures {
            Ok(f) => WireFigures::Computed(Box::new(f.clone())),
            Err(Problem::Settings(_)) => WireFigures::InvalidSettings,
            Err(Problem::NothingRead) => WireFigures::NothingRead,
            Err(Problem::Arithmetic(error)) => WireFigures::Arithmetic(error.clone()),
        };
        let ledgers = self.files.iter().map(|f| Ledger {
            rejections: Vec::new(),
            ..f.ledger.clone()
        });
        let wire = Wire {
            models: self.models.clone(),
            figures,
            ledgers: ledgers.collect(),
        };
        crate::wire::to_bytes(&wire).unwrap_or_default()
    }

    /// The review [`Review::to_wire`] describes, given the files (as read, without
    /// their rows) and settings it was computed from. Each file takes the ledger the
    /// worker counted: the page lists, and the record holds, the worker's numbers.
    pub fn from_wire(
        bytes: &[u8],
        mut files: Vec<FileReport>,
        settings: &Settings,
    ) -> Result<Review, String> {
        let wire: Wire = crate::wire::from_bytes(bytes)
            .map_err(|e| format!("the figures sent by the worker are damaged: {e}"))?;
        let figures = match (wire.figures, settings.validate()) {
            (WireFigures::Computed(figures), Ok(settings)) => Ok(figures.under(settings)),
            (WireFigures::InvalidSettings, Err(errors)) => Err(Problem::Settings(errors)),
            (WireFigures::NothingRead, Ok(_)) => Err(Problem::NothingRead),
            (WireFigures::Arithmetic(error), Ok(_)) => Err(Problem::Arithmetic(error)),
            _ => return Err("the figures sent by the worker are for other settings".into()),
        };
        // Counting moves accepted rows to excluded ones, nothing else: a ledger that
        // read or rejected other rows is another file's.
        let same = |read: &Ledger, counted: &Ledger| {
            (read.rows_read, read.rejected) == (counted.rows_read, counted.rejected)
        };
        let other_files = wire.ledgers.len() != files.len()
            || files
                .iter()
                .zip(&wire.ledgers)
                .any(|(f, l)| !same(&f.ledger, l));
        if other_files {
            return Err("the figures sent by the worker are for other files".into());
        }
        for (file, counted) in files.iter_mut().zip(wire.ledgers) {
            let rejections = std::mem::take(&mut file.ledger.rejections);
            file.ledger = Ledger {
                rejections,
                ..counted
            };
        }
        Ok(Review {
            files,
            models: wire.models,
            figures,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::ExclusionRule;
    use crate::outputs;

    const LOG: &[u8] = include_bytes!("../tests/fixtures/cometapi-log-page.json");
    const SETTINGS: &str = include_str!("../tests/fixtures/settings.json");

    fn inputs() -> Vec<InputFile> {
        let file = |name: &str, bytes: &[u8]| InputFile {
            name: name.into(),
            bytes: bytes.to_vec(),
        };
        // Every kind of figure crosses: gateway pricing, a client stream, billing, a
        // cross-check, a file given twice and an export of rows a log page already has.
        vec![
            file("log.json", LOG),
            file(
                "client.jsonl",
                include_bytes!("../tests/fixtures/evidence/client-openai-chat.jsonl"),
            ),
            file(
                "focus.csv",
                include_bytes!("../tests/fixtures/evidence/focus.csv"),
            ),
            file("copy.json", LOG),
            file(
                "export.csv",
                include_bytes!("../tests/fixtures/cometapi-logs.csv"),
            ),
        ]
    }

    fn review(settings: &Settings) -> Review {
        run(&inputs(), settings)
    }

    /// The reports as the page holds them: read by its worker and sent without their rows.
    fn on_the_page(settings: &Settings) -> Vec<FileReport> {
        let rules = ingest_rules(settings).unwrap_or_default();
        inputs()
            .iter()
            .map(|f| {
                let report = ingest::ingest(&f.name, &f.bytes, rules.clone());
                FileReport::from_wire_without_rows(&report.to_wire().0).unwrap()
            })
            .collect()
    }

    fn generated_at() -> Timestamp {
        "2026-01-02T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn the_review_of_no_files_is_the_pipeline_run_on_none() {
        let valid = Settings::from_json(SETTINGS).unwrap();
        let mut invalid = valid.clone();
        invalid.tolerance.percent = "one".into();
        for settings in [valid, invalid, Settings::default()] {
            assert_eq!(run_nothing(&settings), run_reports(Vec::new(), &settings));
        }
    }

    #[test]
    fn the_wire_carries_figures_the_record_and_exports_cannot_tell_apart() {
        let valid = Settings::from_json(SETTINGS).unwrap();
        let mut invalid = valid.clone();
        invalid.tolerance.percent = "one".into();
        for (settings, computed) in [(&valid, true), (&invalid, false)] {
            let sent = review(settings);
            assert_eq!(sent.figures.is_ok(), computed);
            let got = Review::from_wire(&sent.to_wire(), on_the_page(settings), settings).unwrap();
            assert_eq!(got.figures, sent.figures);
            assert_eq!(got.models, sent.models);
            let ledgers = |r: &Review| r.files.iter().map(|f| f.ledger.clone()).collect::<Vec<_>>();
            assert_eq!(
                ledgers(&got),
                ledgers(&sent),
                "the worker's counts, rejections kept"
            );
            let excluded = |rule: ExclusionRule| {
                let counts = got
                    .files
                    .iter()
                    .map(|f| f.ledger.excluded.get(&rule).copied());
                counts.map(Option::unwrap_or_default).collect::<Vec<_>>()
            };
            // The copy gives up every row it accepted; the export holds every row the
            // log page accepted.
            let page = sent.files[0].ledger.accepted;
            assert!(page > 0);
            assert_eq!(excluded(ExclusionRule::DuplicateFile), [0, 0, 0, page, 0]);
            assert_eq!(excluded(ExclusionRule::RepeatedRow), [0, 0, 0, 0, page]);
            assert!(got.files.iter().any(|f| !f.ledger.rejections.is_empty()));
            let json = |r: &Review| r.record(generated_at()).map(|r| r.to_json());
            assert_eq!(json(&got), json(&sent), "the record, byte for byte");
            for csv in [outputs::charge_lines_csv, outputs::reconciliation_csv] {
                let text = |r: &Review| {
                    let f = r.figures.as_ref().ok()?;
                    Some(csv(f, f.settings.csv))
                };
                assert_eq!(text(&got), text(&sent));
            }
        }
    }

    #[test]
    fn figures_for_other_settings_other_files_or_damaged_text_are_refused() {
        let valid = Settings::from_json(SETTINGS).unwrap();
        let mut invalid = valid.clone();
        invalid.tolerance.percent = "one".into();
        let computed = review(&valid).to_wire();
        let mut fewer = on_the_page(&valid);
        fewer.pop();
        let mut swapped = on_the_page(&valid);
        swapped.swap(0, 1);
        let cases = [
            (
                &computed[..],
                &invalid,
                on_the_page(&invalid),
                "the figures sent by the worker are for other settings",
            ),
            (
                &computed,
                &valid,
                fewer,
                "the figures sent by the worker are for other files",
            ),
            (
                &computed,
                &valid,
                swapped,
                "the figures sent by the worker are for other files",
            ),
            (
                &computed[..computed.len() - 1],
                &valid,
                Vec::new(),
                "the figures sent by the worker are damaged",
            ),
        ];
        for (bytes, settings, files, want) in cases {
            let problem = Review::from_wire(bytes, files, settings).unwrap_err();
            assert!(problem.starts_with(want), "{problem}");
        }
        assert!(Review::from_wire(&computed, on_the_page(&valid), &valid).is_ok());
    }

    /// Files filed as they were read (the page's workers) give the review one pass
    /// gives; a part filed over rows that counting them once then dropped, or under
    /// settings of another shape, is not used.
    #[test]
    fn files_filed_as_read_give_the_figures_of_one_pass() {
        let settings = Settings::from_json(SETTINGS).unwrap();
        let valid = settings.validate().unwrap();
        let read = |inputs: &[InputFile]| -> Vec<FileReport> {
            let rules = ingest_rules(&settings).unwrap_or_default();
            let read = inputs
                .iter()
                .map(|f| ingest::ingest(&f.name, &f.bytes, rules.clone()));
            read.collect()
        };
        let mut other = settings.clone();
        other.quota_rounding = "ceil".into();
        let other = other.validate().unwrap();
        let filed = |files: &[FileReport], under: &ValidSettings| -> Vec<Option<Groups>> {
            let each = files
                .iter()
                .map(|f| Some(Groups::build_stored([&f.rows], under)));
            each.collect()
        };
        let figures = |r: Review| r.to_wire();
        for inputs in [inputs()[..1].to_vec(), inputs()] {
            let one_pass = figures(run(&inputs, &settings));
            for under in [&valid, &other] {
                let mut files = read(&inputs);
                let parts = filed(&files, under);
                count_files(&mut files);
                let mut kept = Kept::with_parts(parts.clone());
                assert_eq!(
                    figures(run_kept(files.clone(), &settings, &mut kept)),
                    one_pass
                );
                let used = inputs.len() == 1 && std::ptr::eq(under, &valid);
                assert_eq!(kept.took_parts(), used);
                // Used where every file of the stream kept its rows: the log alone.
                let joined = Kept::with_parts(parts).joined_parts(&files, Stream::GatewayLog);
                assert_eq!(joined.is_some_and(|g| g.fit(&valid)), used);
            }
        }
    }
}
