//! The grouped path against the row path: the same Pricing, field by field and as text
//! (so every sum's decimal places too), on random rows, cards and rate edits.

use std::collections::BTreeMap;
use std::str::FromStr;

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::Groups;
use crate::ingest::{GatewayRow, LoggedRatios, RowKind, TokenSemantic};
use crate::policy::Outcome;
use crate::price::price;
use crate::ratecard::{FactorText, RateText};
use crate::settings::{Settings, ValidSettings};

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

/// Ratio sets a log holds: the card's own prices, a discount group, one in other
/// decimal places, a tool surcharge, the audio formula, none at all.
fn ratio_set(i: usize) -> Option<LoggedRatios> {
    let set = |model: &str, completion: &str, cache: &str, group: &str| LoggedRatios {
        model_ratio: Some(d(model)),
        completion_ratio: Some(d(completion)),
        cache_ratio: Some(d(cache)),
        group_ratio: Some(d(group)),
        ..LoggedRatios::default()
    };
    match i {
        0 => Some(set("1.25", "4", "0.5", "1")),
        1 => Some(set("1.25", "4", "0.5", "0.8")),
        2 => Some(set("1.250", "4.0", "0.50", "1.0")),
        3 => Some(set("1.5", "5", "0.1", "1")),
        4 => Some(LoggedRatios {
            tool_surcharge_usd: d("0.01"),
            ..set("1.25", "4", "0.5", "1")
        }),
        5 => Some(LoggedRatios {
            audio_ratio: Some(d("16")),
            audio_completion_ratio: Some(d("2")),
            ..set("1.25", "4", "0.5", "1")
        }),
        6 => Some(LoggedRatios {
            model_ratio: None,
            ..set("1", "1", "1", "1")
        }),
        _ => None,
    }
}

prop_compose! {
    fn a_row()(
        model in 0usize..5,
        refund in 0u8..12,
        outcome in 0usize..8,
        day in 0i64..4,
        second in 0i64..86_400,
        untimed in 0u8..20,
        prompt in 0u64..40_000,
        zeros in 0u32..4,
        completion in 0u64..5_000,
        cache in 0u64..100,
        write in 0u64..3,
        reasoning in 0u64..100,
        tools in 0u64..3,
        requests in 0u64..4,
        additive in any::<bool>(),
        ratios in 0usize..9,
        quota in -10i64..100_000,
    ) -> GatewayRow {
        let prompt = prompt * 10u64.pow(zeros);
        let cache = prompt * cache / 100;
        let model = ["a", "b", "p", "z", "t"][model];
        let per_call = model == "p";
        GatewayRow {
            at: if untimed == 0 {
                crate::ingest::UNTIMED
            } else {
                jiff::Timestamp::from_second(1_767_225_600 + day * 86_400 + second).unwrap()
            },
            kind: if refund == 0 { RowKind::Refund } else { RowKind::Consume },
            outcome: Outcome::ALL[if outcome < 5 { 0 } else { outcome }],
            model: model.into(),
            quota: if refund == 0 { quota.abs() } else { quota },
            prompt_tokens: if per_call { 0 } else { prompt },
            completion_tokens: if per_call { 0 } else { completion },
            cache_read_tokens: if per_call { 0 } else { cache },
            cache_write_tokens: if additive && !per_call { write * 1000 } else { 0 },
            cache_write_1h_tokens: 0,
            reasoning_tokens: reasoning.min(completion),
            tool_calls: tools / 2,
            audio_input_tokens: 0,
            audio_cached_input_tokens: 0,
            audio_output_tokens: 0,
            text_input_tokens: 0,
            text_output_tokens: 0,
            requests: (requests > 0).then_some(if requests == 3 { 2 } else { 1 }),
            semantic: if additive { TokenSemantic::Additive } else { TokenSemantic::Inclusive },
            model_price: per_call.then(|| d(if ratios % 2 == 0 { "0.1" } else { "0.10" })),
            ratios: ratio_set(ratios),
        }
    }
}

/// Prices with decimal places from 0 to 9, so sums' scales differ row by row.
const PRICES: [&str; 8] = [
    "2.5",
    "2.50",
    "10",
    "0.000001",
    "1.25",
    "0.1234567",
    "3",
    "0",
];

prop_compose! {
    fn a_card()(
        prices in proptest::collection::vec(0usize..PRICES.len(), 12),
        tier in 0u64..3,
        split in any::<bool>(),
        factor in 0u8..3,
        rounding in 0u8..3,
        quota_rounding in 0usize..3,
        policy in any::<bool>(),
        zone in any::<bool>(),
    ) -> Settings {
        let p = |i: usize| PRICES[prices[i]].to_string();
        let mut a = RateText {
            model: "a".into(),
            input: p(0),
            cached_input: p(1),
            output: p(2),
            reasoning: if tier == 2 { p(3) } else { String::new() },
            per_1k_tool_calls: p(4),
            label: "verified".into(),
            ..RateText::default()
        };
        if tier > 0 {
            a.long_context_above = (20_000 * tier).to_string();
            a.long_context_input = p(5);
            a.long_context_output = p(6);
        }
        let b = |from: &str, to: &str, input: String| RateText {
            model: "b".into(),
            aliases: "t".into(),
            input,
            output: p(7),
            cache_write: p(8),
            effective_from: from.into(),
            effective_to: to.into(),
            label: "inferred".into(),
            ..RateText::default()
        };
        let mut rates = vec![a];
        if split {
            rates.push(b("2026-01-01T00:00:00Z", "2026-01-02T13:00:00Z", p(9)));
            rates.push(b("2026-01-02T13:00:00Z", "", p(10)));
        } else {
            rates.push(b("", "", p(9)));
        }
        rates.push(RateText {
            model: "p".into(),
            per_call: p(11),
            label: "verified".into(),
            ..RateText::default()
        });
        let factors = match factor {
            0 => vec![],
            _ => vec![FactorText {
                name: "discount".into(),
                value: if factor == 1 { "0.9".into() } else { "0.875".into() },
                applies_to: "tokens".into(),
                label: "verified".into(),
                ..FactorText::default()
            }],
        };
        let mut settings = Settings { rates, factors, ..Settings::default() };
        settings.quota_rounding = ["round", "truncate", "ceil"][quota_rounding].into();
        if rounding > 0 {
            settings.rounding.scope = if rounding == 1 { "per_line" } else { "per_total" }.into();
            settings.rounding.decimals = "2".into();
            settings.rounding.strategy = "half_even".into();
            settings.rounding.source_url = "https://example.invalid/rounding".into();
        }
        if policy {
            settings.outcome_policy.failed_unspecified = "unknown".into();
        }
        if zone {
            settings.review.finance_time_zone = "America/New_York".into();
        }
        settings
    }
}

fn valid(settings: &Settings) -> ValidSettings {
    settings.validate().unwrap_or_else(|e| panic!("{e:?}"))
}

/// The same figures, and the same text for every figure (decimal places included).
fn same(
    grouped: &crate::price::Pricing,
    rows: &crate::price::Pricing,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(grouped, rows);
    let text = |p| serde_json::to_string(p).unwrap();
    prop_assert_eq!(text(grouped), text(rows));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn groups_price_as_rows_do(
        rows in proptest::collection::vec(a_row(), 0..60),
        card in a_card(),
        edited in proptest::collection::vec(0usize..PRICES.len(), 12),
    ) {
        let settings = valid(&card);
        let groups = Groups::build(&rows, &settings);
        // From two stores (decoded into one reused row, ratio sets by their place): the
        // same groups, priced the same.
        let half = rows.len() / 2;
        let stores: [crate::ingest::Rows; 2] =
            [rows[..half].iter().cloned().collect(), rows[half..].iter().cloned().collect()];
        let stored = Groups::build_stored(&stores, &settings);
        prop_assert_eq!(format!("{:?}", stored.price(&settings)), format!("{:?}", groups.price(&settings)));
        let by_rows = price(&rows, &settings);
        match (groups.price(&settings), &by_rows) {
            (Some(Ok(grouped)), Ok(by_rows)) => same(&grouped, by_rows)?,
            (Some(Err(a)), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (Some(got), want) => prop_assert!(false, "grouped {got:?}, rows {want:?}"),
            (None, _) => {}
        }
        // A rate edit: every price another value, the card's shape unchanged.
        let mut edit = card.clone();
        for (rate, i) in edit.rates.iter_mut().zip(edited) {
            for field in [&mut rate.input, &mut rate.output, &mut rate.per_call] {
                if !field.is_empty() {
                    *field = PRICES[i].to_string();
                }
            }
        }
        let edit = valid(&edit);
        prop_assert!(groups.fit(&edit));
        if let (Some(Ok(grouped)), Ok(by_rows)) = (groups.price(&edit), price(&rows, &edit)) {
            same(&grouped, &by_rows)?;
        }
        for settings in [&settings, &edit] {
            if let (Some(shares), Ok(by_rows)) = (groups.ledger_shares(settings), ledger_by_rows(&rows, settings)) {
                prop_assert_eq!(ledger_by_shares(&shares), by_rows);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A row whose quota new-api multiplied by further factors shares its ratio set's
    /// place with the same ratios without them (`ratios_key` leaves `factors` out), so
    /// the place's integer factors must never price it: wherever it stands, the groups
    /// decline and the rows are priced.
    #[test]
    fn a_row_with_multipliers_declines_the_groups(
        rows in proptest::collection::vec(a_row(), 1..30),
        at in any::<proptest::sample::Index>(),
        card in a_card(),
    ) {
        let mut rows = rows;
        let i = at.index(rows.len());
        rows[i].ratios = Some(LoggedRatios {
            factors: Some(d("2")),
            ..ratio_set(0).unwrap()
        });
        let settings = valid(&card);
        prop_assert!(Groups::build(&rows, &settings).price(&settings).is_none());
        let store: crate::ingest::Rows = rows.iter().cloned().collect();
        prop_assert!(Groups::build_stored([&store], &settings).price(&settings).is_none());
    }
}

/// Per ledger day, model, refund and completeness: rows, Σ expected (as text, with its
/// decimal places) and Σ net quota, summed as the dual ledger sums them.
type Buckets = BTreeMap<BucketKey, (u64, String, i64)>;
type BucketKey = (Option<jiff::civil::Date>, String, bool, bool);
type Sums = BTreeMap<BucketKey, (u64, Decimal, i64)>;

fn bucket(buckets: &mut Sums, key: BucketKey, rows: u64, expected: Decimal, net: i64) {
    let b = buckets.entry(key).or_insert((0, Decimal::ZERO, 0));
    b.0 += rows;
    b.1 = b.1.checked_add(expected).unwrap();
    b.2 += net;
}

fn as_text(buckets: Sums) -> Buckets {
    buckets
        .into_iter()
        .map(|(k, (r, e, n))| (k, (r, e.to_string(), n)))
        .collect()
}

fn ledger_by_rows(
    rows: &[GatewayRow],
    settings: &ValidSettings,
) -> Result<Buckets, crate::error::Error> {
    let zone = (settings.review.finance_zone.as_deref())
        .map_or(jiff::tz::TimeZone::UTC, |n| jiff::tz::db().get(n).unwrap());
    let mut buckets = BTreeMap::new();
    for row in rows {
        let c = crate::price::row_charge(row, settings)?;
        let day = row.time().map(|t| t.to_zoned(zone.clone()).date());
        let key = (
            day,
            c.model.to_string(),
            row.kind == RowKind::Refund,
            c.complete,
        );
        bucket(&mut buckets, key, 1, c.expected, c.net_quota);
    }
    Ok(as_text(buckets))
}

fn ledger_by_shares(shares: &[super::LedgerShare]) -> Buckets {
    let mut buckets = BTreeMap::new();
    for s in shares {
        let key = (s.day, s.model.to_string(), s.refund, s.complete);
        bucket(&mut buckets, key, s.rows, s.expected, s.net_quota);
    }
    as_text(buckets)
}

/// The fixtures' gateway logs (ratios of several models, refunds, errors, per-call
/// rows) price from their groups, not by falling back to the rows, before and after a
/// rate edit, with the row path's figures.
#[test]
fn the_fixture_logs_price_from_their_groups() {
    let text = include_str!("../../../tests/fixtures/settings.json");
    let card = Settings::from_json(text).unwrap();
    let mut edit = card.clone();
    let input = &mut edit.rates[0].input;
    *input = (d(input) + d("0.01")).to_string();
    let files: [(&str, &[u8]); 3] = [
        (
            "page.json",
            include_bytes!("../../../tests/fixtures/cometapi-log-page.json"),
        ),
        (
            "logs.csv",
            include_bytes!("../../../tests/fixtures/cometapi-logs.csv"),
        ),
        (
            "rows.jsonl",
            include_bytes!("../../../tests/fixtures/cometapi-log-rows.jsonl"),
        ),
    ];
    for (name, bytes) in files {
        let mut ingestor = crate::ingest::Ingestor::new(name, crate::ingest::Rules::default());
        ingestor.push(bytes);
        let rows: Vec<GatewayRow> = ingestor.finish().rows.iter().collect();
        assert!(rows.len() > 3, "{name}");
        let groups = Groups::build(&rows, &valid(&card));
        assert!(
            groups.len() < rows.len() || rows.len() < 10,
            "{name}: {} groups",
            groups.len()
        );
        for settings in [valid(&card), valid(&edit)] {
            let grouped = groups
                .price(&settings)
                .unwrap_or_else(|| panic!("{name}: declined"));
            let text = |p: &crate::price::Pricing| serde_json::to_string(p).unwrap();
            let by_rows = price(&rows, &settings).unwrap();
            assert_eq!(text(&grouped.unwrap()), text(&by_rows), "{name}");
            assert!(groups.ledger_shares(&settings).is_some(), "{name}");
        }
    }
}

/// The bridge's own causes (tests/pipeline/causes.rs): rows whose quota part is the
/// minimum or another reading of their fields price from their groups, with the row
/// path's figures; a row that may be an alias, has no usage or carries multipliers of
/// its own (`other_ratios`) leaves it to the rows (declined), so no figure ever differs.
#[test]
fn the_causes_fixtures_price_from_groups_or_decline() {
    let mut doc: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/fixtures/settings.json")).unwrap();
    let rate = |model: &str, input: &str, cached: &str, output: &str| {
        serde_json::json!({
            "model": model, "per_call": "", "source_url": "https://example.com/p",
            "captured_at": "2026-01-02T09:00:00Z", "label": "verified",
            "input": input, "cached_input": cached, "cache_write": "", "output": output
        })
    };
    let rates = doc["rates"].as_array_mut().unwrap();
    rates.push(rate("gpt-4o-mini", "0.15", "0.075", "0.60"));
    rates.push(rate("text-embedding-3-small", "0.02", "", ""));
    let settings = valid(&Settings::from_json(&doc.to_string()).unwrap());
    let files: [(&str, &[u8], bool); 8] = [
        (
            "minimum",
            include_bytes!("../../../tests/fixtures/causes/minimum-charge.jsonl"),
            true,
        ),
        (
            "cached twice",
            include_bytes!("../../../tests/fixtures/causes/cached-counted-twice.jsonl"),
            true,
        ),
        (
            "cached inside",
            include_bytes!("../../../tests/fixtures/causes/cached-read-as-inside.jsonl"),
            true,
        ),
        (
            "reasoning",
            include_bytes!("../../../tests/fixtures/causes/reasoning-counted-twice.jsonl"),
            true,
        ),
        (
            "cache write",
            include_bytes!("../../../tests/fixtures/causes/cache-write-as-input.jsonl"),
            true,
        ),
        (
            "alias",
            include_bytes!("../../../tests/fixtures/causes/alias-priced-as-other.jsonl"),
            false,
        ),
        (
            "no usage",
            include_bytes!("../../../tests/fixtures/causes/missing-usage-field.jsonl"),
            false,
        ),
        (
            "multipliers",
            include_bytes!("../../../tests/fixtures/causes/image-and-video-tasks.jsonl"),
            false,
        ),
    ];
    for (name, bytes, grouped) in files {
        let mut ingestor =
            crate::ingest::Ingestor::new("log.jsonl", crate::ingest::Rules::default());
        ingestor.push(bytes);
        let rows: Vec<GatewayRow> = ingestor.finish().rows.iter().collect();
        assert!(!rows.is_empty(), "{name}");
        let groups = Groups::build(&rows, &settings);
        let by_rows = price(&rows, &settings).unwrap();
        match groups.price(&settings) {
            Some(result) => {
                assert!(
                    grouped,
                    "{name}: priced from groups, but a row of it decides alone"
                );
                let text = |p: &crate::price::Pricing| serde_json::to_string(p).unwrap();
                assert_eq!(text(&result.unwrap()), text(&by_rows), "{name}");
            }
            None => assert!(!grouped, "{name}: declined"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Rows filed in two parts (a file's head and tail, as the page's two workers read
    /// them) and joined are the groups one pass files: key for key and sum for sum,
    /// decimal places included; from stores too, the tail across the wire.
    #[test]
    fn parts_joined_are_the_one_pass(
        rows in proptest::collection::vec(a_row(), 0..30),
        repeat in 1usize..4,
        at in any::<proptest::sample::Index>(),
        card in a_card(),
    ) {
        // Rows repeated, so the parts share groups.
        let rows: Vec<GatewayRow> = rows.iter().cycle().take(rows.len() * repeat).cloned().collect();
        let settings = valid(&card);
        let cut = at.index(rows.len() + 1);
        let whole = Groups::build(&rows, &settings);
        let joined =
            Groups::build(&rows[..cut], &settings).then(Groups::build(&rows[cut..], &settings));
        match (&whole.declined, &joined) {
            (Some(_), joined) => prop_assert!(joined.is_none()),
            (None, Some(joined)) => prop_assert_eq!(format!("{joined:?}"), format!("{whole:?}")),
            (None, None) => prop_assert!(false, "the parts declined where one pass did not"),
        }
        let store: crate::ingest::Rows = rows.iter().cloned().collect();
        let tail: crate::ingest::Rows = rows[cut..].iter().cloned().collect();
        let tail = Groups::build_stored([&tail], &settings).to_wire();
        let tail = tail.map(|bytes| Groups::from_wire(&bytes, &settings).expect("read back"));
        let head = Groups::build_stored_head(&store, cut, &settings);
        let joined = tail.and_then(|tail| head.then(tail));
        let stored = Groups::build_stored([&store], &settings);
        prop_assert_eq!(joined.is_some(), stored.declined.is_none());
        if let Some(joined) = joined {
            prop_assert_eq!(joined.rows(), rows.len() as u64);
            let text = |g: &Groups| format!("{:?} {:?}", g.price(&settings), g.ledger_shares(&settings));
            prop_assert_eq!(text(&joined), text(&stored));
        }
    }

    /// Rows filed as they are read, a few at a time while the store still grows (new
    /// models and ratio sets arriving between the chunks), are the groups one pass over
    /// the finished store files: key for key and sum for sum, decimal places included.
    #[test]
    fn rows_filed_as_read_are_the_one_pass(
        rows in proptest::collection::vec(a_row(), 0..40),
        cuts in proptest::collection::vec(any::<proptest::sample::Index>(), 0..6),
        last in 0usize..3,
        card in a_card(),
    ) {
        let settings = valid(&card);
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(rows.len() + 1)).collect();
        cuts.sort_unstable();
        // The rows of the last line come only when the store is finished.
        let stored_while_read = rows.len().saturating_sub(last);
        let mut builder = crate::ingest::RowsBuilder::default();
        let mut as_read = super::FiledAsRead::new(settings.clone());
        let mut pushed = 0;
        for cut in cuts.into_iter().map(|c| c.min(stored_while_read)) {
            rows[pushed..cut.max(pushed)].iter().for_each(|r| builder.push(r));
            pushed = cut.max(pushed);
            as_read.file(|mark| builder.iter_from(mark));
        }
        rows[pushed..].iter().for_each(|r| builder.push(r));
        let store = builder.finish();
        let filed = as_read.finish(|mark| store.iter_from(mark));
        let one_pass = Groups::build_stored([&store], &settings);
        match (&one_pass.declined, filed) {
            (Some(_), filed) => prop_assert!(filed.is_none()),
            (None, Some(filed)) => prop_assert_eq!(format!("{filed:?}"), format!("{one_pass:?}")),
            (None, None) => prop_assert!(false, "filed as read, the rows declined"),
        }
    }
}

/// Groups filed as read stand only for the rows of the store they are finished with:
/// not for a store with other rows, nor for one that lost the rows filed (a file found
/// unreadable after some of its rows were read).
#[test]
fn rows_filed_as_read_stand_only_for_their_store() {
    let settings = valid(&plain_card());
    let rows: Vec<GatewayRow> = (0..12).map(|i| row_of((i % 3) as usize, i)).collect();
    let store: crate::ingest::Rows = rows.iter().cloned().collect();
    let filed_once = || {
        let mut as_read = super::FiledAsRead::new(settings.clone());
        as_read.file(|mark| store.iter_from(mark));
        as_read
    };
    let as_read = filed_once();
    assert!(
        as_read.finish(|_| store.iter()).is_none(),
        "the rows filed twice"
    );
    let (as_read, dropped) = (filed_once(), crate::ingest::Rows::default());
    assert!(
        as_read.finish(|mark| dropped.iter_from(mark)).is_none(),
        "rows lost"
    );
    let as_read = filed_once();
    let groups = as_read
        .finish(|mark| store.iter_from(mark))
        .expect("every row, once");
    let one_pass = Groups::build_stored([&store], &settings);
    assert_eq!(format!("{groups:?}"), format!("{one_pass:?}"));
}

/// A file's new models get rate rows with no prices when it loads: groups filed before
/// still fit, and price as the rows do under the new card.
#[test]
fn rows_for_new_models_keep_the_groups() {
    let rows: Vec<GatewayRow> = (0..40).map(|i| row_of((i % 3) as usize, i)).collect();
    let mut card = plain_card();
    let before = valid(&card);
    let groups = Groups::build(&rows, &before);
    card.ensure_rate_rows(["a-model-of-the-file"]);
    let after = valid(&card);
    assert!(groups.fit(&after));
    match (groups.price(&after), price(&rows, &after)) {
        (Some(Ok(grouped)), Ok(by_rows)) => {
            assert_eq!(format!("{grouped:?}"), format!("{by_rows:?}"))
        }
        other => panic!("{other:?}"),
    }
    // A price in the new row changes what the rows are filed under.
    card.rates.last_mut().unwrap().input = "1".into();
    assert!(!groups.fit(&valid(&card)));
}

/// Parts whose rows could carry a sum near an integer's or Decimal's limits, or filed
/// under other settings, are not joined: the caller files the rows in one pass.
#[test]
fn parts_that_could_differ_from_one_pass_are_not_joined() {
    let settings = valid(&plain_card());
    let huge = |i| GatewayRow {
        quota: 1 << 60,
        ..row_of(0, i)
    };
    let part = |rows: &[GatewayRow]| Groups::build(rows, &settings);
    assert!(part(&[row_of(0, 1)]).then(part(&[row_of(1, 2)])).is_some());
    assert!(part(&[huge(1)]).then(part(&[huge(2)])).is_none());
    let mut other = plain_card();
    other.quota_rounding = "ceil".into();
    let other = Groups::build(&[row_of(1, 2)], &valid(&other));
    assert!(part(&[row_of(0, 1)]).then(other).is_none());
    // Quotas worth more USD than Decimal holds (a tiny quota per USD): declined, not a panic.
    let mut tiny = plain_card();
    tiny.quota_per_usd = "0.00000000001".into();
    let tiny = valid(&tiny);
    let big = |i| GatewayRow {
        quota: 1 << 58,
        ..row_of(0, i)
    };
    let part = |rows: &[GatewayRow]| Groups::build(rows, &tiny);
    assert!(part(&[big(1)]).then(part(&[big(2)])).is_none());
}

fn plain_card() -> Settings {
    let rate = |model: &str| RateText {
        model: model.into(),
        input: "2.5".into(),
        output: "10".into(),
        label: "verified".into(),
        ..RateText::default()
    };
    Settings {
        rates: vec![rate("a"), rate("b")],
        ..Settings::default()
    }
}

/// A consume row of model `["a", "b", "z"][model]`, its usage and time from `i`.
fn row_of(model: usize, i: i64) -> GatewayRow {
    let tokens = 1_000 + 37 * i.unsigned_abs();
    GatewayRow {
        at: jiff::Timestamp::from_second(1_767_225_600 + 3_600 * i).unwrap(),
        quota: 1_250 + i,
        ratios: ratio_set(0),
        ..crate::price::tests::row(["a", "b", "z"][model], tokens, tokens / 4)
    }
}
