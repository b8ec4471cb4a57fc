//! Property tests: no input panics, and generated valid rows are all read, in any layout.

use super::*;

/// Raw bytes, sometimes behind a prefix that steers the sniffer into each reader.
fn hostile_bytes() -> impl Strategy<Value = Vec<u8>> {
    let prefixes: [&[u8]; 6] = [
        b"",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"[",
        b"{\"data\":{\"items\":[",
        b"created_at,model_name,quota,prompt_tokens,completion_tokens\n",
    ];
    let body = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..2048),
        "[ -~\n]{0,1024}".prop_map(String::into_bytes),
    ];
    (proptest::sample::select(prefixes.to_vec()), body).prop_map(|(p, b)| [p, &b[..]].concat())
}

/// One valid new-api row; cache reads never exceed prompt_tokens (OpenAI style counts
/// them inside it), so every generated row must be accepted or excluded, never rejected.
#[derive(Clone, Debug)]
pub(super) struct GenRow {
    pub(super) at: i64,
    pub(super) kind: u8,
    pub(super) model: &'static str,
    pub(super) quota: i64,
    pub(super) prompt: u64,
    pub(super) completion: u64,
    pub(super) cache: u64,
    pub(super) anthropic: bool,
}

impl GenRow {
    pub(super) fn other(&self) -> String {
        let semantic = if self.anthropic {
            r#","usage_semantic":"anthropic""#
        } else {
            ""
        };
        let cache = self.cache;
        format!(r#"{{"model_ratio":1.25,"group_ratio":1,"cache_tokens":{cache}{semantic}}}"#)
    }
}

pub(super) fn gen_row() -> impl Strategy<Value = GenRow> {
    let kind = proptest::sample::select(vec![2u8, 5, 6]);
    let model = proptest::sample::select(vec!["gpt-4o", "claude-sonnet-4-5-20250929", "mj_x"]);
    let tokens = (0u64..2_000_000, 0u64..200_000, 0u64..=100, any::<bool>());
    (0i64..86_400, kind, model, -1_000i64..5_000_000, tokens).prop_map(
        |(offset, kind, model, quota, (prompt, completion, cache_percent, anthropic))| GenRow {
            at: 1_767_225_600 + offset,
            kind,
            model,
            quota,
            prompt,
            completion,
            cache: prompt * cache_percent / 100,
            anthropic,
        },
    )
}

pub(super) fn as_csv(rows: &[GenRow]) -> Vec<u8> {
    let mut out = format!("{HEADER},other\n");
    for r in rows {
        let other = r.other().replace('"', "\"\"");
        let (at, kind, model, quota) = (r.at, r.kind, r.model, r.quota);
        let (prompt, completion) = (r.prompt, r.completion);
        out += &format!("{at},{kind},{model},{quota},{prompt},{completion},\"{other}\"\n");
    }
    out.into_bytes()
}

pub(super) fn as_json_array(rows: &[GenRow]) -> Vec<u8> {
    let row = |r: &GenRow| {
        json!({"created_at": r.at, "type": r.kind, "model_name": r.model, "quota": r.quota,
            "prompt_tokens": r.prompt, "completion_tokens": r.completion, "other": r.other()})
    };
    serde_json::to_vec_pretty(&rows.iter().map(row).collect::<Vec<_>>()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn ingest_never_panics_and_always_balances(bytes in hostile_bytes()) {
        let report = read("fuzz.csv", &bytes);
        prop_assert!(report.ledger.is_balanced(), "{:?}", report.ledger);
        prop_assert_eq!(report.ledger.accepted as usize, report.rows.len());
        if report.format.is_none() {
            prop_assert_eq!(report.ledger.rows_read, 0);
            prop_assert!(report.problem.is_some(), "an unreadable file says why");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn csv_and_json_array_agree(rows in proptest::collection::vec(gen_row(), 0..24)) {
        let csv = read("gen.csv", &as_csv(&rows));
        let json = read("gen.json", &as_json_array(&rows));
        prop_assert_eq!(csv.format, Some(Format::NewApiCsv));
        prop_assert_eq!(json.format, Some(Format::NewApiJsonArray));
        for report in [&csv, &json] {
            let l = &report.ledger;
            prop_assert_eq!(&report.problem, &None);
            prop_assert_eq!(l.rows_read, rows.len() as u64, "no row is lost");
            prop_assert_eq!(l.rejected, 0, "valid rows rejected: {:?}", l.rejections);
            // Error rows are accepted or excluded as the outcome policy says, never lost.
            prop_assert_eq!(l.accepted + l.excluded_total(), rows.len() as u64);
        }
        prop_assert_eq!(&csv.ledger, &json.ledger);
        prop_assert_eq!(&csv.rows, &json.rows);
    }
}
