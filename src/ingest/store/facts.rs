//! Row-level facts the incident review asks about, gathered as a file is read: counts
//! and short lists of where the rows are (line, else row number), never their text.
//! Rows in the window buffer by side; in later parts of the review, requests repeated
//! inside one client log, requests straddling a window edge, streams logged at start.
//!
//! Lists keep the first [`LISTED`] places in reading order, so a file read in parts
//! and joined ([`Facts::append_shifted`]) lists what one pass lists.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::policy::Outcome;

/// Which side of the incident window a row outside it lies on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Before,
    After,
}

/// How many places a list keeps; the count goes on.
pub const LISTED: usize = 20;

/// Where a row is in its file: its line when the file has lines (JSON lines, CSV),
/// and its row number (1-based, in reading order) always.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Place {
    pub line: Option<u64>,
    pub row: u64,
}

impl Place {
    fn shifted(self, lines: u64, rows: u64) -> Place {
        Place {
            line: self.line.map(|l| l + lines),
            row: self.row + rows,
        }
    }
}

/// A count of rows and where the first of them are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    pub count: u64,
    pub places: Vec<Place>,
}

impl Listed {
    pub fn note(&mut self, place: Place) {
        self.count += 1;
        if self.places.len() < LISTED {
            self.places.push(place);
        }
    }

    /// Takes back a row noted at `place` (another file holds it too).
    pub fn forget(&mut self, place: Place) {
        self.count = self.count.saturating_sub(1);
        if let Some(i) = self.places.iter().position(|p| *p == place) {
            self.places.remove(i);
        }
    }

    fn append_shifted(&mut self, tail: Listed, lines: u64, rows: u64) {
        self.count += tail.count;
        let room = LISTED.saturating_sub(self.places.len());
        let moved = tail.places.into_iter().take(room);
        self.places.extend(moved.map(|p| p.shifted(lines, rows)));
    }
}

/// A row that carries a request id: the id's hash (`id_hash`), where the row is, and
/// its index among the file's stored rows (None when its usage is unknown: no row).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: u64,
    pub place: Place,
    pub stored: Option<u64>,
    /// What the client saw (a client log's requests only; a gateway row's outcome is in
    /// its stored row): a timeout or a cancelled stream with no row is known by this.
    #[serde(default)]
    pub outcome: Option<Outcome>,
}

/// In-window requests by what happened to them, before the outcome policy decides
/// which are billed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempts {
    pub succeeded: u64,
    pub failed: u64,
    /// Attempts the log marks as a retry (counted apart from failures).
    pub retried: u64,
}

impl Attempts {
    pub fn note(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Success => self.succeeded += 1,
            Outcome::RetryAttempt => self.retried += 1,
            _ => self.failed += 1,
        }
    }

    /// Takes back an attempt noted with `outcome` (another file holds it too).
    pub fn forget(&mut self, outcome: Outcome) {
        let count = match outcome {
            Outcome::Success => &mut self.succeeded,
            Outcome::RetryAttempt => &mut self.retried,
            _ => &mut self.failed,
        };
        *count = count.saturating_sub(1);
    }

    pub fn add(&mut self, other: Attempts) {
        self.succeeded += other.succeeded;
        self.failed += other.failed;
        self.retried += other.retried;
    }
}

/// What a file's rows say about the incident beyond their usage.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// Rows outside the window but within the review's buffer, before its start and
    /// from its end on: excluded as outside the window, listed here by side.
    pub before_window: Listed,
    pub after_window: Listed,
    /// Requests that began before the start and ended inside (excluded: their start is
    /// outside), and requests that began inside and ended after the end (counted).
    #[serde(default)]
    pub straddle_start: Listed,
    #[serde(default)]
    pub straddle_end: Listed,
    /// Successful requests logged when they started rather than when they completed (a
    /// format that logs end times, and none given): their usage may be partial.
    #[serde(default)]
    pub logged_at_start: Listed,
    /// In-window request rows whose log says whether they were streamed: a log without
    /// the flag cannot say whether a stream was logged at start.
    #[serde(default)]
    pub stream_flagged: u64,
    #[serde(default)]
    pub attempts: Attempts,
    /// The earliest and latest time of the rows inside the window (the stream's period).
    #[serde(default)]
    pub first_at: Option<Timestamp>,
    #[serde(default)]
    pub last_at: Option<Timestamp>,
    /// Every in-window request row with a request id, in reading order: duplicates
    /// inside one stream and ids one stream has and another lacks are found from these.
    /// Like the ids they hash, they stay where the figures are computed (the worker, the
    /// command line): never in the report's JSON; a tail carries them as numbers.
    #[serde(skip)]
    pub requests: Vec<Request>,
    /// The id hashes of a gateway log's consume rows stamped after the window's end but
    /// within the buffer: posted late, so the provider figure lacks them while the client
    /// may have sent them inside the window. Kept off the JSON like `requests`.
    #[serde(skip)]
    pub posted_after: Vec<u64>,
}

impl Facts {
    /// Room for the rest of the file's requests ([`super::room`]).
    pub fn reserve(&mut self, expected: super::room::Expected) {
        expected.reserve(&mut self.requests);
    }

    pub fn note_buffer(&mut self, side: Side, place: Place) {
        match side {
            Side::Before => self.before_window.note(place),
            Side::After => self.after_window.note(place),
        }
    }

    /// Notes the time of a row inside the window.
    pub fn note_time(&mut self, at: Timestamp) {
        self.first_at = Some(self.first_at.map_or(at, |t| t.min(at)));
        self.last_at = Some(self.last_at.map_or(at, |t| t.max(at)));
    }

    /// Joins the facts of a later part read apart, its places moved down by the lines
    /// and rows read before it, and its stored rows by the `stored` rows kept before.
    pub fn append_shifted(&mut self, tail: Facts, lines: u64, rows: u64, stored: u64) {
        self.before_window
            .append_shifted(tail.before_window, lines, rows);
        self.after_window
            .append_shifted(tail.after_window, lines, rows);
        self.straddle_start
            .append_shifted(tail.straddle_start, lines, rows);
        self.straddle_end
            .append_shifted(tail.straddle_end, lines, rows);
        self.logged_at_start
            .append_shifted(tail.logged_at_start, lines, rows);
        self.attempts.add(tail.attempts);
        self.stream_flagged += tail.stream_flagged;
        for at in tail.first_at.into_iter().chain(tail.last_at) {
            self.note_time(at);
        }
        self.requests
            .extend(tail.requests.into_iter().map(|r| Request {
                place: r.place.shifted(lines, rows),
                stored: r.stored.map(|s| s + stored),
                ..r
            }));
        self.posted_after.extend(tail.posted_after);
    }

    /// Forgets the requests of the stored rows at `positions` (sorted), which another
    /// file holds too (`overlap::count_rows_once`), and moves the later ones' indices
    /// down to the rows kept, so a request still names its own row; and the requests
    /// without a row at the places `unstored` (sorted).
    pub fn drop_stored(&mut self, positions: &[usize], unstored: &[Place]) {
        self.requests.retain_mut(|r| {
            let Some(stored) = r.stored.and_then(|s| usize::try_from(s).ok()) else {
                return unstored.binary_search(&r.place).is_err();
            };
            if positions.binary_search(&stored).is_ok() {
                return false;
            }
            let before = positions.partition_point(|p| *p < stored);
            r.stored = Some((stored - before) as u64);
            true
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(line: u64) -> Place {
        Place {
            line: Some(line),
            row: line - 1,
        }
    }

    /// Rows another file holds are dropped with their requests; the later requests
    /// still name their own rows, and a request with no row stays.
    #[test]
    fn dropping_stored_rows_moves_the_later_requests_down() {
        let request = |id: u64, stored: Option<u64>| Request {
            id,
            place: place(id + 1),
            stored,
            outcome: None,
        };
        // (rows dropped, each request's id and stored row after)
        type Case = (&'static [usize], &'static [(u64, Option<u64>)]);
        let cases: [Case; 4] = [
            (&[], &[(1, Some(0)), (2, None), (3, Some(1)), (4, Some(2))]),
            (&[0], &[(2, None), (3, Some(0)), (4, Some(1))]),
            (&[1], &[(1, Some(0)), (2, None), (4, Some(1))]),
            (&[0, 2], &[(2, None), (3, Some(0))]),
        ];
        for (dropped, want) in cases {
            let mut facts = Facts {
                requests: vec![
                    request(1, Some(0)),
                    request(2, None),
                    request(3, Some(1)),
                    request(4, Some(2)),
                ],
                ..Facts::default()
            };
            facts.drop_stored(dropped, &[]);
            let got: Vec<(u64, Option<u64>)> =
                facts.requests.iter().map(|r| (r.id, r.stored)).collect();
            assert_eq!(got, want, "{dropped:?}");
        }
    }

    /// A list built in one pass equals the head's joined with the tail's, wherever the
    /// cut falls, beyond the kept length too.
    #[test]
    fn lists_join_as_one_pass() {
        let lines: Vec<u64> = (2..60).collect();
        let mut whole = Facts::default();
        for (i, line) in lines.iter().enumerate() {
            let side = if i % 3 == 0 {
                Side::Before
            } else {
                Side::After
            };
            whole.note_buffer(side, place(*line));
        }
        for cut in 0..lines.len() {
            let (mut head, mut tail) = (Facts::default(), Facts::default());
            for (i, line) in lines.iter().enumerate() {
                let side = if i % 3 == 0 {
                    Side::Before
                } else {
                    Side::After
                };
                if i < cut {
                    head.note_buffer(side, place(*line));
                } else {
                    // The tail counts its lines and rows from the cut.
                    let at = lines[cut] - 1;
                    tail.note_buffer(side, place(*line - at));
                }
            }
            let at = lines.get(cut).map_or(0, |l| l - 1);
            head.append_shifted(tail, at, at, 0);
            assert_eq!(head, whole, "cut at {cut}");
        }
        assert_eq!(whole.after_window.count, 38);
        assert_eq!(whole.after_window.places.len(), LISTED);
    }
}
