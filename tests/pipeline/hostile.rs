//! Hostile inputs: each is refused as a whole, rejects its one row at an exact position,
//! loses only its one corrupt row, or loads and yields exactly the reference row. The
//! exact sentences are pinned by the `hostile_inputs` snapshot, which reads like what a
//! reviewer sees.

use super::*;

fn with_delimiter(delimiter: u8) -> Vec<u8> {
    let swap = |b: &u8| if *b == b',' { delimiter } else { *b };
    csv(ROW).iter().map(swap).collect()
}

enum Expect {
    /// Refused as a whole with a file-level problem; no row read.
    Unreadable,
    /// The rows before a break are all read and none rejected; the break is the problem.
    Partial(u64),
    /// Exactly one row, rejected at (line, row, column).
    Rejected(Option<u64>, u64, &'static str),
    /// Every row read, and all but one accepted: that one rejected whole at (line, row).
    LosesOne(Option<u64>, u64),
    /// Loads, and yields the same row as the plain reference CSV.
    Loads,
    /// Read without a problem, and holds no row.
    Empty,
}

/// A table of `"name": bytes => expectation;` rows (rustfmt keeps it one case a line).
macro_rules! cases {
    ($($name:literal: $bytes:expr => $expect:expr;)*) => {
        vec![$(($name, Vec::<u8>::from($bytes), $expect)),*]
    };
}

fn hostile_cases() -> Vec<(&'static str, Vec<u8>, Expect)> {
    use Expect::*;
    let page = fixture("cometapi-log-page.json");
    let cut = page
        .windows(10)
        .position(|w| w == br#"{"id": 422"#)
        .unwrap()
        + 40;
    let utf16 = String::from_utf8(csv(ROW)).unwrap();
    let utf16 = [0xff, 0xfe]
        .into_iter()
        .chain(utf16.encode_utf16().flat_map(u16::to_le_bytes));
    let apostrophes: Vec<String> = ROW.split(',').map(|c| format!("'{c}")).collect();
    let html = "<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n";
    let no_model = "created_at,type,quota,prompt_tokens,completion_tokens\n1767225723,2,1,1,1\n";
    let api_error = r#"{"success": false, "message": "access token is invalid", "data": null}"#;
    // Go writes an empty slice as null: new-api's page past the last row.
    let empty_page =
        r#"{"success": true, "message": "", "data": {"items": null, "total": 7, "page": 3}}"#;
    let json_fraction = r#"[{"created_at": 1767225723, "model_name": "gpt-4o", "quota": 1750,
        "prompt_tokens": 1.5, "completion_tokens": 100}]"#;
    // Fork exports with the UI's labels; the columns we do not read are skipped.
    let english = "Time,Token,Group,Type,Model,Use time (s),Prompt,Completion,Quota,Details\n\
                   1767225723,my-key,default,Consume,gpt-4o,3,59200,100,1750,ratio 1.25\n";
    let chinese = "时间,令牌,分组,类型,模型,用时/首字,提示,补全,额度,详情\n\
                   1767225723,my-key,default,消费,gpt-4o,3 s / 1 s,59200,100,1750,倍率\n";
    let cost_only =
        "时间,令牌,类型,模型,提示,补全,花费\n1767225723,k,消费,gpt-4o,59200,100,$0.0035\n";
    let gzip = |bytes: &[u8]| {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    };
    let packed = gzip(&csv(ROW));
    // A corrupt byte past the first lines costs its row; text in another encoding
    // (Windows-1252's é) early, or on more than 1 line in 1,000, refuses the file.
    let rows = |count: usize, bad: &[usize], model: &[u8]| -> Vec<u8> {
        let row = |n| {
            let model = if bad.contains(&n) { model } else { b"gpt-4o" };
            [&b"1767225723,2,"[..], model, b",1750,59200,100\n"].concat()
        };
        [
            format!("{HEADER}\n").into_bytes(),
            (1..=count).flat_map(row).collect(),
        ]
        .concat()
    };
    let corrupt = rows(30, &[25], b"gpt-\xff4o");
    let cut_short = [
        &rows(30, &[], b"")[..],
        b"1767225723,2,gpt-4o,1750,59200,\xe6\x97",
    ]
    .concat();
    let latin1 = rows(30, &[1], b"gpt-4o-caf\xe9");
    let latin1_late = rows(1200, &[30, 130, 230], b"gpt-4o-caf\xe9");
    // A low surrogate with no high one before it, in row 25's model.
    let row_25 = HEADER.len() + 1 + 24 * (ROW.len() + 1);
    let corrupt_utf16: Vec<u8> = String::from_utf8(rows(30, &[], b""))
        .unwrap()
        .encode_utf16()
        .enumerate()
        .map(|(i, unit)| if i == row_25 + 17 { 0xdc00 } else { unit })
        .fold(vec![0xff, 0xfe], |mut bytes, unit| {
            bytes.extend(unit.to_le_bytes());
            bytes
        });
    // file name: bytes => expectation
    cases! {
        "empty.csv": vec![] => Unreadable;
        "binary.csv": vec![0x00, 0x01, 0x02, 0xff, b'a'] => Unreadable;
        "report.csv": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec() => Unreadable;
        "usage.xlsx": b"PK\x03\x04\x14\x00\x06\x00".to_vec() => Unreadable;
        "502.csv": html => Unreadable;
        "cut.json": &page[..cut] => Partial(5);
        "quota-text.csv": csv("1767225723,2,gpt-4o,abc,59200,100") => Rejected(Some(2), 1, "quota");
        "fraction.csv": csv("1767225723,2,gpt-4o,1750,1.5,100") => Rejected(Some(2), 1, "prompt_tokens");
        "fraction.json": json_fraction => Rejected(None, 1, "prompt_tokens");
        "negative.csv": csv("1767225723,2,gpt-4o,1750,59200,-3") => Rejected(Some(2), 1, "completion_tokens");
        "no-model.csv": no_model => Unreadable;
        "api-error.json": api_error => Unreadable;
        "empty-page.json": empty_page => Empty;
        "no-zone.csv": csv("2026-01-01 08:02:03,2,gpt-4o,1750,59200,100") => Rejected(Some(2), 1, "created_at");
        "bom.csv": [&b"\xef\xbb\xbf"[..], &csv(ROW)].concat() => Loads;
        "utf16le.csv": utf16.collect::<Vec<u8>>() => Loads;
        "semicolon.csv": with_delimiter(b';') => Loads;
        "tab.csv": with_delimiter(b'\t') => Loads;
        "apostrophes.csv": csv(&apostrophes.join(",")) => Loads;
        "dot-zero.csv": csv("1767225723,2,gpt-4o,1750,59200.0,100.0") => Loads;
        "millis.csv": csv("1767225723000,2,gpt-4o,1750,59200,100") => Loads;
        "offset.csv": csv("2026-01-01T08:02:03+08:00,2,gpt-4o,1750,59200,100") => Loads;
        "english-ui.csv": english => Loads;
        "chinese-ui.csv": chinese => Loads;
        "cost-only.csv": cost_only => Unreadable;
        "log.csv.gz": packed.clone() => Loads;
        "cut.csv.gz": &packed[..packed.len() - 4] => Unreadable;
        "twice.csv.gz": gzip(&packed) => Unreadable;
        "corrupt-byte.csv": corrupt => LosesOne(Some(26), 25);
        "cut-short.csv": cut_short => LosesOne(Some(32), 31);
        "corrupt-utf16.csv": corrupt_utf16 => LosesOne(Some(26), 25);
        "windows-1252.csv": latin1 => Unreadable;
        "windows-1252-late.csv": latin1_late => Unreadable;
    }
}

/// What a reviewer would read about one file: its ledger, problem and rejections.
fn describe(report: &FileReport) -> String {
    let l = &report.ledger;
    let mut lines = vec![format!(
        "{}: read {}, accepted {}, excluded {}, rejected {}",
        report.name,
        l.rows_read,
        l.accepted,
        l.excluded_total(),
        l.rejected
    )];
    lines.extend(report.problem.iter().map(|p| format!("  problem: {p}")));
    lines.extend(
        l.rejections
            .iter()
            .map(|r| format!("  rejected {}", rejection_text(r))),
    );
    lines.join("\n")
}

#[test]
fn hostile_inputs_fail_clearly_or_load() {
    let reference = read("reference.csv", &csv(ROW));
    assert_eq!(reference.rows.len(), 1);
    let mut seen = Vec::new();
    for (name, bytes, expect) in hostile_cases() {
        let report = read(name, &bytes);
        let l = &report.ledger;
        assert!(l.is_balanced(), "{name}: {l:?}");
        match expect {
            Expect::Unreadable => {
                assert!(report.problem.is_some(), "{name}");
                assert_eq!(l.rows_read, 0, "{name}");
            }
            Expect::Partial(read) => {
                assert!(report.problem.is_some(), "{name}");
                assert_eq!((l.rows_read, l.rejected), (read, 0), "{name}");
            }
            Expect::Rejected(line, row, column) => {
                assert_eq!(
                    (&report.problem, l.rows_read, l.rejected),
                    (&None, 1, 1),
                    "{name}"
                );
                let at = &l.rejections[0].position;
                assert_eq!(at.file, name);
                assert_eq!((at.line, at.row), (line, Some(row)), "{name}");
                assert_eq!(at.column.as_deref(), Some(column), "{name}");
            }
            Expect::LosesOne(line, row) => {
                assert_eq!(report.problem, None, "{name}");
                assert_eq!((l.accepted + 1, l.rejected), (l.rows_read, 1), "{name}");
                let at = &l.rejections[0].position;
                assert_eq!(
                    (at.line, at.row, &at.column),
                    (line, Some(row), &None),
                    "{name}"
                );
            }
            Expect::Loads => {
                assert_eq!(
                    (&report.problem, report.format),
                    (&None, Some(Format::NewApiCsv))
                );
                assert_eq!(report.rows, reference.rows, "{name}: not the reference row");
            }
            Expect::Empty => {
                assert_eq!((&report.problem, l.rows_read), (&None, 0), "{name}");
                assert!(report.format.is_some(), "{name}");
            }
        }
        seen.push(describe(&report));
    }
    snapshot("hostile_inputs", &seen.join("\n"));
}
