//! The shell's ways of reading give the report one pass gives: in two parts on threads,
//! hashed on a thread, at any cut and in any chunking.

use proptest::prelude::*;

use super::*;
use crate::ingest::samples::{damaged, file, invalid, row, with_invalid};
use crate::ingest::{ingest, FileReport, Fingerprint, Ingestor, Rules, Window};
use crate::price::groups::Groups;
use crate::settings::Settings;

/// Either ingestor, the same way: chunks cut at `cuts`.
trait Push {
    fn push(&mut self, chunk: &[u8]);
    fn finish(self) -> FileReport;
}

impl Push for Ingestor {
    fn push(&mut self, chunk: &[u8]) {
        Ingestor::push(self, chunk)
    }
    fn finish(self) -> FileReport {
        Ingestor::finish(self)
    }
}

impl Push for ThreadedIngestor {
    fn push(&mut self, chunk: &[u8]) {
        ThreadedIngestor::push(self, chunk)
    }
    fn finish(self) -> FileReport {
        ThreadedIngestor::finish(self)
    }
}

fn chunked(mut ingestor: impl Push, bytes: &[u8], cuts: &[usize]) -> FileReport {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut at = 0;
    for cut in cuts.into_iter().chain([bytes.len()]) {
        ingestor.push(&bytes[at..cut]);
        at = cut;
    }
    ingestor.finish()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Hashed on a second thread, in any chunking, or hashed apart on bytes in memory:
    /// the very report one pass gives, fingerprint included.
    #[test]
    fn hashing_on_a_thread_is_the_same_as_inline(
        rows in proptest::collection::vec(row(), 0..120),
        layout in 0u8..4,
        encoding in 0u8..4,
        damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3),
        invalid in invalid(),
        cuts in proptest::collection::vec(any::<usize>(), 0..40),
    ) {
        let (bytes, written) = with_invalid(damaged(file(&rows, layout, encoding), &damage), &invalid);
        let whole = format!("{:?}", ingest("log", &bytes, Rules::default()));
        let cuts: Vec<usize> = cuts.into_iter().chain(written.iter().flat_map(|&at| [at, at + 1])).collect();
        let threaded = chunked(ThreadedIngestor::new("log", Rules::default()), &bytes, &cuts);
        prop_assert_eq!(format!("{threaded:?}"), whole.clone());
        let apart = ingest_hashing_apart("log", &bytes, Rules::default());
        prop_assert_eq!(format!("{apart:?}"), whole);
    }

    /// Read in two parts on threads, cut anywhere: the very report one pass gives (rows
    /// byte for byte, rejections at their own lines and rows).
    #[test]
    fn read_in_two_on_threads_is_the_same_as_whole(
        rows in proptest::collection::vec(row(), 0..120),
        layout in 0u8..4,
        encoding in 0u8..4,
        damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3),
        invalid in invalid(),
        cut in any::<prop::sample::Index>(),
        windowed in any::<bool>(),
    ) {
        let (bytes, _) = with_invalid(damaged(file(&rows, layout, encoding), &damage), &invalid);
        let mut rules = Rules::default();
        if windowed {
            rules.window = Some(Window {
                start: jiff::Timestamp::from_second(1_767_226_000).unwrap(),
                end: jiff::Timestamp::from_second(1_767_228_500).unwrap(),
            });
            rules.buffer_minutes = 10;
        }
        let one_pass = ingest("log", &bytes, rules.clone());
        let cut = cut.index(bytes.len() + 1) as u64;
        let settings = Settings::default().validate().unwrap();
        let (threads, groups) = ingest_in_two("log", &bytes[..], rules, cut, Some(&settings)).unwrap();
        prop_assert_eq!(format!("{threads:?}"), format!("{one_pass:?}"));
        prop_assert_eq!(threads.rows.to_bytes(), one_pass.rows.to_bytes());
        // Filed on the two threads: the groups of one pass over the rows, when joined.
        if let Some(groups) = groups {
            prop_assert_eq!(groups.rows(), one_pass.rows.len() as u64);
            let whole = Groups::build_stored([&one_pass.rows], &settings);
            prop_assert_eq!(format!("{:?}", groups.price(&settings)), format!("{:?}", whole.price(&settings)));
        }
    }
}

/// The command line's way for a file past [`SPLIT_FROM`]: a broken line and a bad
/// count far into the second half keep their own line and row numbers.
#[test]
fn a_large_file_read_in_parts_keeps_positions() {
    let line = |quota: &str| {
        format!(
            r#"{{"created_at":1767225600,"type":2,"model_name":"gpt-4o","quota":{quota},"prompt_tokens":10,"completion_tokens":5}}"#
        )
    };
    let mut text = String::new();
    for n in 1..=20_000u32 {
        match n {
            15_000 => text.push_str("{not json\n"),
            15_001 => text.push('\n'),
            17_500 => text.push_str(&(line("\"12.5\"") + "\n")),
            _ => text.push_str(&(line("100") + "\n")),
        }
    }
    assert!(text.len() as u64 > 2 * SPLIT_FROM);
    let settings = Settings::default().validate().unwrap();
    let (parts, groups) =
        ingest_in_parts("log", text.as_bytes(), Rules::default(), Some(&settings));
    // Its two parts filed on two threads, joined: every row, priced as one pass prices them.
    let groups = groups.expect("both parts filed");
    assert_eq!(groups.rows(), parts.rows.len() as u64);
    let whole = Groups::build_stored([&parts.rows], &settings);
    let price = |g: &Groups| format!("{:?}", g.price(&settings));
    assert_eq!(price(&groups), price(&whole));
    assert_eq!(
        format!("{parts:?}"),
        format!("{:?}", ingest("log", text.as_bytes(), Rules::default()))
    );
    let at: Vec<_> = parts
        .ledger
        .rejections
        .iter()
        .map(|r| (r.position.line, r.position.row))
        .collect();
    // The blank line 15,001 is no row: rows after it are one behind their lines.
    assert_eq!(
        at,
        [(Some(15_000), Some(15_000)), (Some(17_500), Some(17_499))]
    );
    assert_eq!(
        parts.problem.as_ref().and_then(|p| p.position.line),
        Some(15_000)
    );
    assert_eq!(parts.ledger.accepted, 19_997);
}

/// Files larger than one batch, so several batches cross to the hashing thread and
/// their buffers come back for reuse; known digests, so the threaded hash is not
/// only checked against the inline one.
#[test]
fn threaded_hash_table() {
    let big: Vec<u8> = (0..(5u32 << 20) / 2)
        .flat_map(|i| (i as u16).to_le_bytes())
        .collect();
    let cases: [(&[u8], usize); 4] = [(b"", 1), (b"abc", 1), (&big, 8 << 20), (&big, 4096)];
    for (bytes, step) in cases {
        let cuts: Vec<usize> = (0..bytes.len()).step_by(step).collect();
        let inline = chunked(Ingestor::new("x", Rules::default()), bytes, &cuts);
        let threaded = chunked(ThreadedIngestor::new("x", Rules::default()), bytes, &cuts);
        assert_eq!(threaded.fingerprint, inline.fingerprint);
        assert_eq!(threaded.fingerprint, Fingerprint::of(bytes));
        assert_eq!(format!("{threaded:?}"), format!("{inline:?}"));
    }
    assert_eq!(
        chunked(ThreadedIngestor::new("x", Rules::default()), b"abc", &[1])
            .fingerprint
            .sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

/// A file on disk read in two parts straight from it (the command line's way past
/// [`SPLIT_FROM`]): the report of the same bytes read in memory, positions and
/// fingerprint included, at cuts in either half.
#[cfg(unix)]
#[test]
fn a_file_read_from_the_disk_is_the_same_as_in_memory() {
    let mut text = String::new();
    for n in 1..=30_000u32 {
        let quota = if n == 25_000 {
            "\"12.5\"".to_string()
        } else {
            n.to_string()
        };
        text.push_str(&format!(
            "{{\"created_at\":{},\"type\":2,\"model_name\":\"gpt-4o\",\"quota\":{quota},\"prompt_tokens\":10,\"completion_tokens\":5}}\n",
            1_767_225_600 + n
        ));
    }
    assert!(text.len() as u64 > 2 * SPLIT_FROM);
    let path = std::env::temp_dir().join(format!(
        "spend-reconciler-disk-{}.jsonl",
        std::process::id()
    ));
    std::fs::write(&path, &text).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let settings = Settings::default().validate().unwrap();
    let in_memory = ingest("log", text.as_bytes(), Rules::default());
    for cut in [
        text.len() as u64 / 3,
        text.len() as u64 / 2,
        text.len() as u64 * 9 / 10,
    ] {
        let (from_disk, groups) =
            ingest_in_two("log", &file, Rules::default(), cut, Some(&settings)).unwrap();
        assert_eq!(
            format!("{from_disk:?}"),
            format!("{in_memory:?}"),
            "cut at {cut}"
        );
        assert_eq!(groups.map(|g| g.rows()), Some(in_memory.rows.len() as u64));
    }
    let _ = std::fs::remove_file(&path);
}
