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
    in_two_by_hand_via(bytes, cut, step, rules, true)
}

/// [`in_two_by_hand`], the tail sent over the wire, or (not `wire`) held in this
/// process as the command line's second thread holds it.
fn in_two_by_hand_via(
    bytes: &[u8],
    cut: usize,
    step: usize,
    rules: &Rules,
    wire: bool,
) -> (FileReport, bool) {
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
        let tail = tail.finish_tail()?;
        if !wire {
            return Some(SentTail::from(tail));
        }
        let sent = tail.to_bytes();
        let (mut pieces, data) = tail.to_wire();
        pieces.extend_from_slice(data);
        assert_eq!(pieces, sent, "the worker's two pieces make the one buffer");
        Some(SentTail::read(Box::new(sent)).expect("a tail reads back"))
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

    /// Read in two parts, cut anywhere, the tail sent over the wire or held: the very report
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
        wire in any::<bool>(),
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
            // And a buffer that takes some of the rows outside it, on both sides.
            rules.buffer_minutes = 10;
        }
        let one_pass = ingest("log", &bytes, rules.clone());
        let whole = format!("{one_pass:?}");
        let cut = cut.index(bytes.len() + 1);
        let (by_hand, joined) = in_two_by_hand_via(&bytes, cut, step, &rules, wire);
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
    /// A damaged tail is refused with a sentence, never a panic: on its way in, or at
    /// the join, which then changes nothing (the head reads on to one pass's report).
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
        if let Ok(tail) = SentTail::read(Box::new(sent)) {
            let mut head = Ingestor::with_hashing("log", Rules::default(), Hashing::Elsewhere);
            head.push(&bytes[..cut]);
            if head.join_tail(tail) {
                // What is accepted still adds up: every row accounted for, once.
                let report = head.finish();
                prop_assert!(report.ledger.is_balanced());
                prop_assert_eq!(report.rows.len() as u64, report.ledger.accepted);
            } else {
                head.push(&bytes[cut..]);
                let mut report = head.finish();
                report.fingerprint = Fingerprint::of(&bytes);
                let whole = ingest("log", &bytes, Rules::default());
                prop_assert_eq!(format!("{report:?}"), format!("{whole:?}"));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// A tail of tens of thousands of rows, sent or held, which join a slice at a time
    /// (`rows::SLICE`: a row cut by a slice's end is read whole from the next), joins
    /// as one pass reads, byte for byte.
    #[test]
    fn a_long_tail_joins_as_one_pass(
        rows in proptest::collection::vec(row(), 1..40),
        count in 30_000usize..50_000,
        delimited in any::<bool>(),
        wire in any::<bool>(),
        cut in any::<prop::sample::Index>(),
    ) {
        // Consumption rows (type 2), which are kept: the tail's rows span many slices.
        let consumed = rows.iter().map(|r| (r.0, 2, r.2, r.3, r.4, r.5, r.6.clone()));
        let rows: Vec<Row> = consumed.cycle().take(count).collect();
        let bytes = file(&rows, if delimited { 3 } else { 0 }, 0);
        let one_pass = ingest("log", &bytes, Rules::default());
        let cut = shape::HEAD + cut.index(bytes.len() / 2);
        let (by_hand, joined) = in_two_by_hand_via(&bytes, cut, 1 << 16, &Rules::default(), wire);
        // A cut inside a quoted cell holding a line break is read by the head.
        prop_assert!(joined || delimited);
        // At least ten bytes a row: more than two slices of the wire.
        prop_assert!(one_pass.rows.encoded_len() > 2 * crate::ingest::store::rows::SLICE);
        prop_assert_eq!(by_hand.rows.to_bytes(), one_pass.rows.to_bytes());
        prop_assert_eq!(format!("{by_hand:?}"), format!("{one_pass:?}"));
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

/// A gateway log row as a JSON object, its model written as given (bytes, to damage).
fn log_object(model: &[u8]) -> Vec<u8> {
    [
        &br#"{"created_at":1767225600,"type":2,"model_name":""#[..],
        model,
        br#"","quota":5,"prompt_tokens":1,"completion_tokens":1}"#,
    ]
    .concat()
}

/// `count` items, `damaged` (1-based) written by `bad`, the others by `good`, joined.
fn items(count: usize, damaged: &[usize], good: &[u8], bad: &[u8], join: &[u8]) -> Vec<u8> {
    let items: Vec<Vec<u8>> = (1..=count)
        .map(|n| log_object(if damaged.contains(&n) { bad } else { good }))
        .collect();
    items.join(join)
}

/// `bytes` with the first `from` replaced by `to`.
fn replaced(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("found");
    [&bytes[..at], to, &bytes[at + from.len()..]].concat()
}

/// What a reviewer reads about one file: (read, accepted, rejected), the rejections and
/// the problem; the same whole and a byte at a time.
fn seen(name: &str, bytes: &[u8]) -> ((u64, u64, u64), Vec<String>, Option<String>) {
    let report = ingest(name, bytes, Rules::default());
    let bytewise = chunked(name, bytes, &(0..bytes.len()).collect::<Vec<_>>());
    assert_eq!(format!("{bytewise:?}"), format!("{report:?}"), "{name}");
    assert!(report.ledger.is_balanced(), "{name}");
    let l = &report.ledger;
    (
        (l.rows_read, l.accepted, l.rejected),
        l.rejections
            .iter()
            .map(|r| format!("{}: {}", r.position, r.message))
            .collect(),
        report.problem.as_ref().map(ToString::to_string),
    )
}

/// Each reader rejects the row holding an invalid byte, and reads the rest; a file
/// in another encoding (an invalid byte in its first lines, or on more than one line in
/// a thousand) is refused whole; a JSON document stops where its JSON cannot be read.
#[test]
fn an_invalid_byte_costs_its_row_in_each_reader() {
    let (good, bad) = (&b"gpt-4o"[..], &b"gpt-\xff4o"[..]);
    let lines =
        |count, damaged: &[usize]| [items(count, damaged, good, bad, b"\n"), vec![b'\n']].concat();
    let csv_head = &b"created_at,type,model_name,quota,prompt_tokens,completion_tokens,other\n"[..];
    let csv_rows = |count, damaged: usize, model: &[u8]| {
        let row = |n| {
            [
                &b"1767225600,2,"[..],
                if n == damaged { model } else { good },
                b",100,10,5,\n",
            ]
            .concat()
        };
        [csv_head.to_vec(), (1..=count).flat_map(row).collect()].concat()
    };
    // Rows whose `other` cell spans two lines; the 12th holds a bad byte on its second.
    let multi: Vec<u8> = (1..=15)
        .flat_map(|n| {
            let second: &[u8] = if n == 12 {
                b"\xff\"\"model_ratio\"\":1}\"\n"
            } else {
                b"\"\"model_ratio\"\":1}\"\n"
            };
            [&b"1767225600,2,gpt-4o,100,10,5,\"{\n"[..], second].concat()
        })
        .collect();
    // A character cut short by the end of the file, on its last line.
    let cut = [
        &csv_rows(30, 0, good)[..],
        b"1767225600,2,gpt-4o,100,10,5,\xe6\x97",
    ]
    .concat();
    let array = [&b"[\n"[..], &items(30, &[24], good, bad, b",\n"), b"\n]\n"].concat();
    // The comma after the 24th element damaged: the JSON cannot be read past it.
    let comma = [
        &b"[\n"[..],
        &items(24, &[], good, bad, b",\n"),
        b"\xac\n",
        &items(6, &[], good, bad, b",\n"),
        b"\n]\n",
    ]
    .concat();
    let page = [
        &br#"{"success":true,"message":"","data":{"items":["#[..],
        b"\n",
        &items(30, &[], good, bad, b",\n"),
        b"\n],\"total\":30},\"note\":\"caf\xe9\"}\n",
    ]
    .concat();
    let chat = &br#"{"model":"gpt-4o","created":1767225600,"usage":{"prompt_tokens":1,"completion_tokens":1}}"#[..];
    let client: Vec<u8> = (1..=25)
        .flat_map(|n| {
            [
                if n == 22 {
                    replaced(chat, b"4o", b"\xff")
                } else {
                    chat.to_vec()
                },
                vec![b'\n'],
            ]
            .concat()
        })
        .collect();
    let costs = std::fs::read("tests/fixtures/evidence/openai-costs.json").unwrap();
    let costs = replaced(
        &costs,
        br#""has_more": false"#,
        b"\"has_more\": false, \"note\": \"caf\xe9\"",
    );
    // UTF-16 with a lone low surrogate on line 25.
    let utf16_text = String::from_utf8(lines(30, &[])).unwrap();
    let utf16: Vec<u8> = [0xfeff]
        .into_iter()
        .chain(
            utf16_text
                .split_inclusive('\n')
                .enumerate()
                .flat_map(|(i, line)| {
                    line.encode_utf16()
                        .enumerate()
                        .map(move |(j, u)| if (i, j) == (24, 52) { 0xdc00 } else { u })
                }),
        )
        .flat_map(u16::to_le_bytes)
        .collect();
    let minified = [&b"["[..], &items(30, &[24], good, bad, b","), b"]"].concat();
    let lone = [
        items(24, &[], good, bad, b"\n"),
        b"\n\xff\n".to_vec(),
        lines(5, &[]),
    ]
    .concat();
    let blank_start = [vec![b'\n'; 24], lines(30, &[1])].concat();
    let refused = |line: u64| {
        format!("line {line}: expected UTF-8 text, but found bytes that are not (save the export as UTF-8)")
    };
    type Seen = ((u64, u64, u64), Vec<String>, Option<String>);
    let rejected =
        |read, line: &str| -> Seen { ((read, read - 1, 1), vec![line.to_string()], None) };
    let cases: Vec<(&str, Vec<u8>, Seen)> = vec![
        ("late.jsonl", lines(30, &[25]), rejected(30, "late.jsonl, line 25, row 25: this line is not valid UTF-8 (byte 0xFF at column 53)")),
        ("early.jsonl", lines(30, &[20]), ((0, 0, 0), vec![], Some(refused(20)))),
        ("lone.jsonl", lone, rejected(30, "lone.jsonl, line 25, row 25: this line is not valid UTF-8 (byte 0xFF at column 1)")),
        ("blank-start.jsonl", blank_start, rejected(30, "blank-start.jsonl, line 25, row 1: this line is not valid UTF-8 (byte 0xFF at column 53)")),
        // One line in a thousand, a short file counting as a thousand lines: both sides.
        ("two-in-1999.jsonl", lines(1999, &[100, 1400]), ((0, 0, 0), vec![], Some("line 100: expected UTF-8 text, but found bytes that are not on 2 of its 1999 lines, more than 1 in 1000 (save the export as UTF-8)".into()))),
        ("two-in-2000.jsonl", lines(2000, &[100, 1400]), ((2000, 1998, 2), vec![
            "two-in-2000.jsonl, line 100, row 100: this line is not valid UTF-8 (byte 0xFF at column 53)".into(),
            "two-in-2000.jsonl, line 1400, row 1400: this line is not valid UTF-8 (byte 0xFF at column 53)".into(),
        ], None)),
        ("log.csv", csv_rows(30, 25, bad), rejected(30, "log.csv, line 26, row 25: this line is not valid UTF-8 (byte 0xFF at column 18)")),
        ("early.csv", csv_rows(30, 3, bad), ((0, 0, 0), vec![], Some(refused(4)))),
        ("cut.csv", cut, rejected(31, "cut.csv, line 32, row 31: this line is not valid UTF-8 (byte 0xE6 at column 30)")),
        ("multi.csv", [csv_head, &multi].concat(), rejected(15, "multi.csv, line 24, row 12: this row is not valid UTF-8 (byte 0xFF on its 2nd line, column 1)")),
        ("array.json", array, rejected(30, "array.json, row 24: this row is not valid UTF-8 (byte 0xFF at line 25, column 53)")),
        ("comma.json", comma, ((24, 24, 0), vec![], Some("line 25, column 107: the text is not valid UTF-8 here (byte 0xAC), and the JSON does not read on past it; rows before this point were read".into()))),
        ("page.json", page, ((30, 30, 0), vec![], Some("line 32, column 26: the text is not valid UTF-8 here (byte 0xE9), and the JSON does not read on past it; rows before this point were read".into()))),
        ("client.jsonl", client, rejected(25, "client.jsonl, line 22, row 22: this line is not valid UTF-8 (byte 0xFF at column 15)")),
        ("costs.json", costs, ((0, 0, 0), vec![], Some("line 22, column 34: the text is not valid UTF-8 here (byte 0xE9); this document is read whole, so no row was read (save the export as UTF-8 again)".into()))),
        ("utf16.jsonl", utf16, rejected(30, "utf16.jsonl, line 25, row 25: this line is not valid UTF-16 (code unit 0xDC00 at column 53)")),
        // A document on one line is all line 1: refused whole, as before.
        ("minified.json", minified, ((0, 0, 0), vec![], Some(refused(1)))),
    ];
    for (name, bytes, want) in cases {
        assert_eq!(seen(name, &bytes), want, "{name}");
    }
}

/// Read in two parts, a damaged line in each joins as one pass reads it (the tail's
/// count joins the head's); one in the tail's own first lines (which could be the
/// file's first) sends the tail back to the head, which knows the true line numbers.
#[test]
fn invalid_bytes_in_both_parts_join_as_one_pass() {
    let (good, bad) = (&b"gpt-4o"[..], &b"gpt-\xff4o"[..]);
    let text = [items(3000, &[100, 2900], good, bad, b"\n"), vec![b'\n']].concat();
    let line = |n: usize| (n - 1) * (log_object(good).len() + 1);
    let whole = ingest("log", &text, Rules::default());
    assert_eq!((whole.ledger.rejected, &whole.problem), (2, &None));
    // (cut, joined): the tail starts at line 1001; at line 2891, so line 2900 is its
    // tenth; at line 91, so line 100 is its tenth.
    for (cut, joins) in [(line(1000), true), (line(2890), false), (line(90), false)] {
        let (report, joined) = in_two_by_hand(&text, cut, 4096, &Rules::default());
        assert_eq!(joined, joins, "cut at {cut}");
        assert_eq!(format!("{report:?}"), format!("{whole:?}"), "cut at {cut}");
    }
    // The same cuts join a file with no invalid byte.
    let clean = [items(3000, &[], good, bad, b"\n"), vec![b'\n']].concat();
    for cut in [line(2890), line(90)] {
        assert!(
            in_two_by_hand(&clean, cut, 4096, &Rules::default()).1,
            "cut at {cut}"
        );
    }
    // Three damaged lines in 2,999: refused whole however it is read.
    let text = [
        items(2999, &[100, 1500, 2900], good, bad, b"\n"),
        vec![b'\n'],
    ]
    .concat();
    let whole = ingest("log", &text, Rules::default());
    assert!(whole
        .problem
        .is_some_and(|p| p.message.contains("on 3 of its 2999 lines")));
    let (report, joined) = in_two_by_hand(&text, line(1000), 4096, &Rules::default());
    assert!(joined);
    assert_eq!(
        format!("{report:?}"),
        format!("{:?}", ingest("log", &text, Rules::default()))
    );
}

/// A client request log offered to two readers counts each request's outcome, unknown
/// usage and cost once, as one pass does, whether the head joins the tail or reads on.
#[test]
fn a_client_log_read_in_two_counts_as_one_pass() {
    let mut text = String::new();
    for i in 0..400 {
        let (status, timeout, usage) = match i % 4 {
            0 => (
                200,
                false,
                r#","usage_from_response":{"prompt_tokens":10,"completion_tokens":2}"#,
            ),
            1 => (500, false, ""),
            2 => (408, true, ""),
            _ => (
                200,
                false,
                r#","usage_from_response":{"prompt_tokens":7,"completion_tokens":1}"#,
            ),
        };
        text.push_str(&format!(
            r#"{{"event_type":"ai_request_cost_observation","request_correlation_id":"req_{i}","configured_model":"gpt-4o","started_at_utc":"2026-01-01T00:{:02}:{:02}Z","http_status":{status},"client_timeout":{timeout},"computed_cost_usd":"0.001"{usage}}}"#,
            i / 60,
            i % 60
        ));
        text.push('\n');
    }
    let bytes = text.as_bytes();
    let whole = ingest("log", bytes, Rules::default());
    assert_eq!(whole.ledger.rows_read, 400);
    for cut in [bytes.len() / 3, bytes.len() / 2, bytes.len() * 9 / 10] {
        let (report, _joined) = in_two_by_hand(bytes, cut, 4096, &Rules::default());
        assert_eq!(report.evidence, whole.evidence, "cut at {cut}");
        assert_eq!(report, whole, "cut at {cut}");
    }
}
