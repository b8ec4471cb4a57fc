//! Reading in parts gives the report one pass gives: any chunking, any encoding and
//! layout, damaged or gzip-compressed; a tail read apart and joined at any cut.

use super::*;
use crate::ingest::ingest;
use crate::ingest::samples::{damaged, file, invalid, row, with_invalid, Row};
use proptest::prelude::*;

fn chunked(name: &str, bytes: &[u8], cuts: &[usize]) -> FileReport {
    chunked_hashing(name, bytes, cuts, Hashing::Inline)
}

fn chunked_hashing(name: &str, bytes: &[u8], cuts: &[usize], hashing: Hashing) -> FileReport {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut ingestor = Ingestor::with_hashing(name, Rules::default(), hashing);
    let mut at = 0;
    for cut in cuts.into_iter().chain([bytes.len()]) {
        ingestor.push(&bytes[at..cut]);
        at = cut;
    }
    ingestor.finish()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any chunking gives the very report reading the whole file gives: ledger,
    /// rejections, rows (compared with their decimal scales), fingerprint, problem;
    /// with invalid bytes mid-file too, cut from their neighbours.
    #[test]
    fn chunked_is_the_same_as_whole(
        rows in proptest::collection::vec(row(), 0..160),
        layout in 0u8..4,
        encoding in 0u8..4,
        damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3),
        invalid in invalid(),
        cuts in proptest::collection::vec(any::<usize>(), 0..40),
        step in 7usize..64,
    ) {
        let (bytes, written) = with_invalid(damaged(file(&rows, layout, encoding), &damage), &invalid);
        let whole = ingest("log", &bytes, Rules::default());
        prop_assert!(whole.ledger.is_balanced());
        prop_assert_eq!(whole.rows.len() as u64, whole.ledger.accepted);
        let cuts: Vec<usize> = cuts.into_iter().chain(written.iter().flat_map(|&at| [at, at + 1])).collect();
        let pieces = chunked("log", &bytes, &cuts);
        prop_assert_eq!(format!("{pieces:?}"), format!("{whole:?}"));
        // And in tiny pieces (one byte at a time for small files, the worst there is).
        let step = if bytes.len() < 3000 { 1 } else { step };
        let tiny = (0..bytes.len()).step_by(step).collect::<Vec<_>>();
        prop_assert_eq!(format!("{:?}", chunked("log", &bytes, &tiny)), format!("{whole:?}"));
    }

    /// Hashing elsewhere leaves the digest to a [`FileHasher`] given the same
    /// pieces; put together, the report is the one hashing inline gives.
    #[test]
    fn hashing_elsewhere_joins_to_the_same_report(
        rows in proptest::collection::vec(row(), 0..60),
        layout in 0u8..4,
        cuts in proptest::collection::vec(any::<usize>(), 0..20),
    ) {
        let bytes = file(&rows, layout, 0);
        let mut apart = chunked_hashing("log", &bytes, &cuts, Hashing::Elsewhere);
        prop_assert_eq!(apart.fingerprint.sha256.as_str(), "");
        let mut hasher = FileHasher::new();
        for piece in bytes.chunks(cuts.first().map_or(1, |c| c % 97 + 1)) {
            hasher.push(piece);
        }
        apart.fingerprint = hasher.finish();
        let whole = ingest("log", &bytes, Rules::default());
        prop_assert_eq!(format!("{apart:?}"), format!("{whole:?}"));
    }
}

/// Reads `bytes` as the page's two workers do: the tail from the first line start at
/// or after `cut`, sent over the wire; the head joins it, or reads on where it cannot.
/// Also says whether the tail was joined.
fn in_two_by_hand(bytes: &[u8], cut: usize, step: usize, rules: &Rules) -> (FileReport, bool) {
    let start = line_start(&bytes[cut..]).map(|at| cut + at);
    let tail = start.and_then(|start| {
        let mut tail = Ingestor::with_hashing("log", rules.clone(), Hashing::Elsewhere);
        for piece in bytes.chunks(step) {
            tail.push(piece);
            if tail.splittable() {
                break;
            }
        }
        if !tail.start_tail() {
            return None;
        }
        tail.push(&bytes[start..]);
        let sent = tail.finish_tail()?.to_bytes();
        Some(Tail::from_bytes(&sent).expect("a tail reads back"))
    });
    let mut head = Ingestor::with_hashing("log", rules.clone(), Hashing::Elsewhere);
    let end = start.unwrap_or(bytes.len());
    for piece in bytes[..end].chunks(step) {
        head.push(piece);
    }
    let joined = tail.is_some_and(|tail| head.join_tail(tail));
    if !joined {
        head.push(&bytes[end..]);
    }
    let mut report = head.finish();
    report.fingerprint = Fingerprint::of(bytes);
    (report, joined)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    /// Read in two parts, cut anywhere, the tail sent over the wire: the very report
    /// one pass gives (rows byte for byte, rejections at their own lines and rows).
    #[test]
    fn read_in_two_is_the_same_as_whole(
        rows in proptest::collection::vec(row(), 0..120),
        layout in 0u8..4,
        encoding in 0u8..4,
        damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3),
        invalid in invalid(),
        cut in any::<prop::sample::Index>(),
        step in 1usize..5000,
        windowed in any::<bool>(),
    ) {
        let (bytes, written) = with_invalid(damaged(file(&rows, layout, encoding), &damage), &invalid);
        // Half the time a window that leaves out about half the rows: the ratio
        // sets of rows left out are interned too, and must keep their indexes.
        let mut rules = Rules::default();
        if windowed {
            rules.window = Some(crate::ingest::filing::Window {
                start: jiff::Timestamp::from_second(1_767_226_000).unwrap(),
                end: jiff::Timestamp::from_second(1_767_228_500).unwrap(),
            });
        }
        let one_pass = ingest("log", &bytes, rules.clone());
        let whole = format!("{one_pass:?}");
        let cut = cut.index(bytes.len() + 1);
        let (by_hand, joined) = in_two_by_hand(&bytes, cut, step, &rules);
        prop_assert_eq!(format!("{by_hand:?}"), whole.clone());
        // The stored rows, tables and all, byte for byte.
        prop_assert_eq!(by_hand.rows.to_bytes(), one_pass.rows.to_bytes());
        // Undamaged UTF-8 JSON lines always split where a line starts after a cut
        // past the start that decides how a file reads: the check above is not
        // only the fallback's.
        let later_line = bytes[cut..].iter().rev().skip(1).any(|b| *b == b'\n');
        let clean = damage.is_empty() && written.is_empty();
        if layout == 0 && encoding < 2 && clean && later_line && cut >= shape::HEAD {
            prop_assert!(joined);
        }
    }
}

proptest! {
    /// A damaged tail is refused with a sentence, never a panic.
    #[test]
    fn a_damaged_tail_is_refused(
        lines_before in 70usize..200,
        damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let line = r#"{"created_at":1767225600,"type":2,"model_name":"m","quota":5,"prompt_tokens":1,"completion_tokens":1,"request_id":"r"}"#;
        let bytes = format!("{line}\n").repeat(200).into_bytes();
        let mut tail = Ingestor::with_hashing("log", Rules::default(), Hashing::Elsewhere);
        tail.push(&bytes);
        prop_assert!(tail.start_tail());
        let cut = lines_before * (line.len() + 1);
        tail.push(&bytes[cut..]);
        let mut sent = tail.finish_tail().unwrap().to_bytes();
        for (at, byte) in damage {
            let at = at.index(sent.len());
            sent[at] = byte;
        }
        // What is accepted still adds up: every row accounted for, once.
        if let Ok(tail) = Tail::from_bytes(&sent) {
            let mut head = Ingestor::with_hashing("log", Rules::default(), Hashing::Elsewhere);
            head.push(&bytes[..cut]);
            prop_assert!(head.join_tail(tail));
            let report = head.finish();
            prop_assert!(report.ledger.is_balanced());
            prop_assert_eq!(report.rows.len() as u64, report.ledger.accepted);
        }
    }
}

/// A ratio set met first in a row the window leaves out is interned all the same,
/// by a single pass and by a tail: the next new set gets the same index either way.
#[test]
fn a_tail_keeps_the_ratio_sets_of_rows_left_out() {
    let line = |at: u32, ratio: &str| {
        let other = format!(r#"{{\"model_ratio\":{ratio},\"group_ratio\":1}}"#);
        format!(
            r#"{{"created_at":{at},"type":2,"model_name":"m","quota":5,"prompt_tokens":1,"completion_tokens":1,"other":"{other}"}}"#
        ) + "\n"
    };
    let head = line(1_767_226_000, "1").repeat(100);
    let text = format!(
        "{head}{}{}",
        line(1_767_000_000, "2"),
        line(1_767_226_000, "3")
    );
    let rules = Rules {
        window: Some(crate::ingest::filing::Window {
            start: jiff::Timestamp::from_second(1_767_225_000).unwrap(),
            end: jiff::Timestamp::from_second(1_767_230_000).unwrap(),
        }),
        ..Rules::default()
    };
    let whole = ingest("log", text.as_bytes(), rules.clone());
    assert_eq!(whole.ledger.excluded_total(), 1);
    let (parts, joined) = in_two_by_hand(text.as_bytes(), head.len() - 1, 4096, &rules);
    assert!(joined);
    assert_eq!(parts.rows.to_bytes(), whole.rows.to_bytes());
}

#[test]
fn a_cut_inside_a_quoted_cell_is_read_by_the_head() {
    let head = "created_at,type,model_name,quota,prompt_tokens,completion_tokens,other\n";
    let row = "1767225600,2,gpt-4o,100,10,5,\"{\n\"\"model_ratio\"\":1}\"\n";
    let text = format!("{head}{}", row.repeat(400));
    let bytes = text.as_bytes();
    let whole = format!("{:?}", ingest("log", bytes, Rules::default()));
    // Past the start that decides how the file reads.
    let record = head.len() + 200 * row.len();
    let inner = row.find('\n').unwrap() + 1;
    // The tail starts past the first line break from the cut: the one ending the
    // record before (joins), the one inside this record's quoted cell (the head reads
    // on), or the one ending this record (joins).
    for (cut, joins) in [
        (record - 1, true),
        (record, false),
        (record + 3, false),
        (record + inner, true),
    ] {
        let (report, joined) = in_two_by_hand(bytes, cut, 4096, &Rules::default());
        assert_eq!(joined, joins, "cut at {cut}");
        assert_eq!(format!("{report:?}"), whole);
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// What a file says, apart from its fingerprint (which is over the bytes as given).
fn reading(report: &FileReport) -> String {
    format!(
        "{:?} {:?} {:?} {:?}",
        report.format, report.problem, report.ledger, report.rows
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A gzip of a file, in any chunking, reads as the plain file does; its
    /// fingerprint is that of the compressed bytes.
    #[test]
    fn gzip_reads_as_the_plain_file(
        rows in proptest::collection::vec(row(), 0..80),
        layout in 0u8..4,
        encoding in 0u8..4,
        cuts in proptest::collection::vec(any::<usize>(), 0..20),
    ) {
        let plain = file(&rows, layout, encoding);
        let packed = gzip(&plain);
        let whole = ingest("log", &plain, Rules::default());
        let pieces = chunked("log", &packed, &cuts);
        prop_assert_eq!(reading(&pieces), reading(&whole));
        prop_assert_eq!(&pieces.fingerprint, &ingest("x", &packed, Rules::default()).fingerprint);
        prop_assert_eq!(pieces.fingerprint.bytes, packed.len() as u64);
    }
}

#[test]
fn gzip_table() {
    let csv = b"created_at,type,model_name,quota,prompt_tokens,completion_tokens\n\
                1767225600,2,gpt-4o,150,100,10\n";
    let packed = gzip(csv);
    let twice = [packed.clone(), gzip(b"1767225601,2,gpt-4o,1,1,1\n")].concat();
    let cases: [(Vec<u8>, u64, Option<&str>); 6] = [
        (packed.clone(), 1, None),
        // Two gzip members one after the other are one file (`cat a.gz b.gz`).
        (twice, 2, None),
        (packed[..packed.len() - 5].to_vec(), 0, Some("expected a complete gzip-compressed file, but found it cut short")),
        ([&packed[..12], &[0xff; 40][..]].concat(), 0, Some("expected gzip-compressed data, but found a damaged gzip stream")),
        (gzip(b" \n\t"), 0, Some("the file is empty")),
        (gzip(&packed), 0, Some("this is a gzip file inside a gzip file; decompress the outer one first, not a CSV or JSON export")),
    ];
    for (bytes, accepted, problem) in cases {
        let report = ingest("log.gz", &bytes, Rules::default());
        assert_eq!(
            (
                report.ledger.accepted,
                report.problem.as_ref().map(ToString::to_string).as_deref()
            ),
            (accepted, problem)
        );
        assert!(report.ledger.is_balanced());
        assert_eq!(report.fingerprint.bytes, bytes.len() as u64);
    }
    // One byte, or a lone gzip magic byte: read as (tiny) text, not as gzip.
    assert_eq!(ingest("x", &[0x1f], Rules::default()).fingerprint.bytes, 1);
}

#[test]
fn undamaged_files_read_every_row() {
    let rows: Vec<Row> = (0..200)
        .map(|i| {
            (
                1_767_225_000 + i,
                2,
                "gpt-4o",
                10,
                100,
                10,
                r#"{"model_ratio":1}"#.into(),
            )
        })
        .collect();
    for layout in 0..4 {
        for encoding in 0..4 {
            let bytes = file(&rows, layout, encoding);
            let report = ingest("log", &bytes, Rules::default());
            assert!(bytes.len() > shape::HEAD, "larger than the sniffed head");
            assert_eq!(
                (report.ledger.accepted, &report.problem),
                (200, &None),
                "{layout} {encoding}"
            );
        }
    }
}
