//! The bridge's causes, one fixture each (tests/fixtures/causes/), worked out by hand,
//! and a property: for any mix of the causes the steps and the residual add up to the
//! variance, every row is explained, and each field reading explains exactly what it
//! adds to the quota.
//!
//! The fixture card prices gpt-4o at 2.50 / cached 1.25 / 10 and Claude Sonnet 4.5 at
//! 3 / 0.30 / write 3.75 / 15 per 1M tokens, which is what the rows' own ratios say
//! (model ratio 1.25 and 1.5 at 500,000 quota per USD): each fixture's variance is its
//! cause alone, never a rate difference.

use super::*;
use spend_reconciler::classify::Cause;

/// The fixture settings with gpt-4o-mini on the card too (0.15 / cached 0.075 / 0.60 per
/// 1M tokens), so a row can be priced at another model's rates.
fn cause_settings() -> Value {
    let mut doc = settings_json();
    doc["rates"].as_array_mut().unwrap().push(json!({
        "model": "gpt-4o-mini", "per_call": "",
        "source_url": "https://apidoc.cometapi.com/about-pricing-873788m0",
        "captured_at": "2026-01-02T09:00:00Z", "label": "verified",
        "input": "0.15", "cached_input": "0.075", "cache_write": "", "output": "0.60"
    }));
    doc["rates"].as_array_mut().unwrap().push(json!({
        "model": "text-embedding-3-small", "per_call": "",
        "source_url": "https://apidoc.cometapi.com/about-pricing-873788m0",
        "captured_at": "2026-01-02T09:00:00Z", "label": "verified",
        "input": "0.02", "cached_input": "", "cache_write": "", "output": ""
    }));
    doc
}

/// text-embedding-3-small at model ratio 0.01 (0.02 per 1M, as the card says). 20 tokens
/// give 0.2 quota, which rounds to 0: new-api charges its minimum, 1 quota. Expected
/// 20 × 0.02 ÷ 1M = 0.0000004 = 0.2 ÷ 500,000; charged 1 ÷ 500,000 = 0.000002; the
/// minimum explains 0.8 quota = 0.0000016. The second row, 150 tokens = 1.5 quota logged
/// as 2, is rounding (0.5 quota = 0.000001), not the minimum.
#[test]
fn the_minimum_charge_by_hand() {
    let name = "causes/minimum-charge.jsonl";
    let review = run(&[(name, fixture(name))], &settings(&cause_settings()));
    let b = bridge(figures(&review));
    let steps: Vec<(Cause, Decimal)> = b.steps.iter().map(|s| (s.cause, s.amount)).collect();
    assert_eq!(
        steps,
        [
            (Cause::IntegerQuotaRounding, dec("0.000001")),
            (Cause::MinimumCharge, dec("0.0000016")),
        ]
    );
    let evidence: Vec<&str> = b.steps.iter().map(|s| s.evidence.as_str()).collect();
    assert_eq!(
        evidence,
        [
            "1 row whose logged quota is within ±1 of the quota their ratios give (Round rule)",
            "1 row charged new-api's minimum of 1 quota where their ratios give less (text-embedding-3-small)",
        ]
    );
    assert_eq!(b.residual, Decimal::ZERO);
    assert_conserved(&review, name);
}

/// gpt-4o-mini logged with gpt-4o's ratios (model 1.25, completion 4): 4,000 prompt and
/// 500 completion tokens, (4,000 + 500 × 4) × 1.25 = 7,500 quota = 0.015, exactly the
/// card's gpt-4o prices (2.50 and 10 per 1M). The card prices gpt-4o-mini at 0.15 and
/// 0.60: 0.0006 + 0.0003 = 0.0009 expected. The 0.0141 is the alias's, not a stale rate.
#[test]
fn an_alias_priced_at_another_models_rate_by_hand() {
    let name = "causes/alias-priced-as-other.jsonl";
    let review = run(&[(name, fixture(name))], &settings(&cause_settings()));
    let f = figures(&review);
    let b = bridge(f);
    let steps: Vec<(Cause, Decimal)> = b.steps.iter().map(|s| (s.cause, s.amount)).collect();
    assert_eq!(steps, [(Cause::AliasPricedAsOther, dec("0.0141"))]);
    assert_eq!(
        b.steps[0].evidence,
        "1 row whose logged ratios give exactly the verified rates of another model: gpt-4o-mini priced as gpt-4o"
    );
    assert_eq!(b.residual, Decimal::ZERO);
    assert!(b.rate_differences.is_empty(), "not a stale rate");
    assert_conserved(&review, name);
}

/// (file, cause, step amount, evidence, residual).
type Case = (
    &'static str,
    Cause,
    &'static str,
    &'static str,
    &'static str,
);

#[test]
fn each_field_interpretation_cause_by_hand() {
    let cases: [Case; 5] = [
        // gpt-4o, OpenAI style: 12,000 prompt of which 8,000 cached, 500 completion.
        // Stated: (4,000 + 8,000 × 0.5 + 500 × 4) × 1.25 = 12,500 quota = 0.025, as the
        // card prices it. Logged 22,501 = 12,500 + 8,000 × 1.25 (the cached tokens again,
        // as input) + 1: 10,000 ÷ 500,000 = 0.02, and the 1 quota left is rounding.
        (
            "cached-counted-twice.jsonl",
            Cause::CachedCountedTwice,
            "0.02",
            "1 row whose logged quota matches its own ratios only when its 8000 cached tokens (inside the prompt) are counted again beside it (gpt-4o)",
            "0",
        ),
        // Claude, Anthropic style: 12,000 uncached + 8,000 cached beside, 800 completion.
        // Stated: (12,000 + 8,000 × 0.1 + 800 × 5) × 1.5 = 25,200 = 0.0504. Logged 13,200
        // = 25,200 − 8,000 × 1.5 (the cached tokens taken out of the prompt):
        // −12,000 ÷ 500,000 = −0.024.
        (
            "cached-read-as-inside.jsonl",
            Cause::CachedReadAsInside,
            "-0.024",
            "1 row whose logged quota matches its own ratios only when its 8000 cached tokens (beside the prompt) are taken out of it (claude-sonnet-4-5-20250929)",
            "0",
        ),
        // gpt-4o: 1,000 prompt, 2,000 completion of which 1,500 reasoning. Stated:
        // (1,000 + 2,000 × 4) × 1.25 = 11,250 = 0.0225. Logged 18,750 = 11,250 + 1,500
        // × 4 × 1.25: 7,500 ÷ 500,000 = 0.015.
        (
            "reasoning-counted-twice.jsonl",
            Cause::ReasoningCountedTwice,
            "0.015",
            "1 row whose logged quota matches its own ratios only when its 1500 reasoning tokens (inside the completion) are counted again beside it (gpt-4o)",
            "0",
        ),
        // Claude (row 418 of the log page): stated (1,200 + 30,000 × 0.1 + 2,000 × 1.25
        // + 800 × 5) × 1.5 = 16,050 = 0.0321. Logged 19,050 = 16,050 + 2,000 × 1.5 (the
        // writes again, as input): 3,000 ÷ 500,000 = 0.006.
        (
            "cache-write-as-input.jsonl",
            Cause::CacheWriteAsInput,
            "0.006",
            "1 row whose logged quota matches its own ratios only when its 2000 cache-write tokens are also counted as input (claude-sonnet-4-5-20250929)",
            "0",
        ),
        // gpt-4o charged 1,000 quota with 0 prompt and 0 completion tokens: nothing
        // expected, 1,000 ÷ 500,000 = 0.002 charged.
        (
            "missing-usage-field.jsonl",
            Cause::MissingUsageField,
            "0.002",
            "1 row charged 1000 quota with every usage field empty (gpt-4o)",
            "0",
        ),
    ];
    for (file, cause, amount, evidence, residual) in cases {
        let name = format!("causes/{file}");
        let review = run_fixture(&name);
        let f = figures(&review);
        let b = bridge(f);
        let step = b
            .steps
            .iter()
            .find(|s| s.cause == cause)
            .unwrap_or_else(|| panic!("{file}: no {cause:?} step in {:?}", b.steps));
        assert_eq!(step.amount, dec(amount), "{file}");
        assert_eq!(step.evidence, evidence, "{file}");
        assert_eq!(
            step.class,
            spend_reconciler::classify::VarianceClass::FieldInterpretationGap
        );
        assert_eq!(b.residual, dec(residual), "{file}");
        assert_conserved(&review, file);
    }
}

/// The five rows in one log: each cause its own step, the one quota of rounding apart,
/// nothing left over, and the quota check counts the re-read rows on their own.
#[test]
fn the_field_causes_together_count_each_row_once() {
    let review = run_fixture("causes/field-gaps-mixed.jsonl");
    let f = figures(&review);
    let b = bridge(f);
    let steps: Vec<(Cause, Decimal)> = b.steps.iter().map(|s| (s.cause, s.amount)).collect();
    assert_eq!(
        steps,
        [
            (Cause::IntegerQuotaRounding, dec("0.000002")),
            (Cause::CachedCountedTwice, dec("0.02")),
            (Cause::CachedReadAsInside, dec("-0.024")),
            (Cause::ReasoningCountedTwice, dec("0.015")),
            (Cause::CacheWriteAsInput, dec("0.006")),
            (Cause::MissingUsageField, dec("0.002")),
        ]
    );
    assert_eq!(b.residual, Decimal::ZERO);
    assert_eq!(
        b.steps[0].evidence,
        "4 rows whose logged quota is within ±1 of the quota their ratios give (Round rule), 4 of them under another reading of their fields"
    );
    // 0.02 − 0.024 + 0.015 + 0.006 + 0.002 + 0.000002 = 0.019002.
    assert_eq!(f.reconciliation.total.variance, Some(dec("0.019002")));
    let q = &pricing(f).quota_check;
    assert_eq!(
        (q.consistent_rows, q.reread_rows, q.inconsistent_rows),
        (0, 4, 0)
    );
    assert_eq!(
        q.unchecked_rows, 1,
        "the row with no usage cannot be checked"
    );
    // The record carries the steps by their names.
    let record: Value = serde_json::from_str(&record_json(&review)).unwrap();
    let causes: Vec<&str> = record["variance_bridge"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["cause"].as_str().unwrap())
        .collect();
    assert_eq!(
        causes,
        [
            "integer_quota_rounding",
            "cached_counted_twice",
            "cached_read_as_inside",
            "reasoning_counted_twice",
            "cache_write_as_input",
            "missing_usage_field"
        ]
    );
    assert_eq!(record["quota_consistency"]["reread_rows"], 4);
    super::absent::assert_valid(&record, "field causes");
}

/// What a generated row is meant to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Meant {
    /// Logged as its ratios say (±1 quota).
    Plain,
    CachedTwice,
    CachedInside,
    ReasoningTwice,
    WriteAsInput,
    MissingUsage,
    /// 10,000 quota more than its ratios say, with nothing to read another way.
    Mismatch,
    /// A model the card does not price.
    Unpriced,
    /// An error row (its outcome unknown to the default policy).
    Error,
    /// gpt-4o-mini logged with gpt-4o's ratios (group 1).
    Alias,
    /// A few embedding tokens under 1 quota, charged new-api's 1-quota minimum.
    Minimum,
    Refund,
}

#[derive(Clone, Debug)]
struct CauseRow {
    meant: Meant,
    claude: bool,
    /// Group ratio 1 or 1.1 (a group the card does not know: a ratio mismatch).
    vip: bool,
    prompt: u64,
    completion: u64,
    /// The tokens the meant reading counts the other way (or the missing row's quota).
    misread: u64,
    /// 0 or 1 quota above the floor of the exact quota: the gateway's rounding.
    jitter: i64,
}

impl CauseRow {
    fn model_ratio(&self) -> Decimal {
        if self.meant == Meant::Minimum {
            return dec("0.01");
        }
        if self.claude {
            dec("1.5")
        } else {
            dec("1.25")
        }
    }

    fn group(&self) -> Decimal {
        if self.vip {
            dec("1.1")
        } else {
            Decimal::ONE
        }
    }

    fn completion_ratio(&self) -> Decimal {
        if self.claude {
            dec("5")
        } else {
            dec("4")
        }
    }

    /// The row's tokens as logged: (cache reads, cache writes, reasoning, Anthropic style).
    fn fields(&self) -> (u64, u64, u64, bool) {
        let m = self.misread;
        match self.meant {
            Meant::CachedTwice => (m, 0, 0, false),
            Meant::CachedInside => (m, 0, 0, true),
            Meant::ReasoningTwice => (0, 0, m, false),
            Meant::WriteAsInput => (0, m, 0, true),
            _ => (0, 0, 0, self.claude),
        }
    }

    /// The quota its ratios give under the stated reading, exactly, and what the meant
    /// reading adds to it.
    fn quota(&self) -> (Decimal, Decimal) {
        let (cache, writes, _, anthropic) = self.fields();
        let uncached = if anthropic {
            self.prompt
        } else {
            self.prompt - cache
        };
        let weighted = Decimal::from(uncached)
            + Decimal::from(cache) * dec("0.5")
            + Decimal::from(writes) * dec("1.25")
            + Decimal::from(self.completion) * self.completion_ratio();
        let scale = self.model_ratio() * self.group();
        let m = Decimal::from(self.misread);
        let extra = match self.meant {
            Meant::CachedTwice | Meant::WriteAsInput => m,
            Meant::CachedInside => -m,
            Meant::ReasoningTwice => m * self.completion_ratio(),
            _ => Decimal::ZERO,
        };
        let off = match self.meant {
            Meant::Mismatch => dec("10000"),
            _ => Decimal::ZERO,
        };
        (weighted * scale, extra * scale + off)
    }

    fn logged_quota(&self) -> i64 {
        if self.meant == Meant::MissingUsage {
            return self.misread as i64;
        }
        let (stated, extra) = self.quota();
        let floor = (stated + extra).floor();
        i64::try_from(floor).unwrap() + self.jitter
    }

    fn json(&self, at: i64) -> Value {
        let (cache, writes, reasoning, anthropic) = self.fields();
        let mut other = json!({
            "model_ratio": self.model_ratio(), "completion_ratio": self.completion_ratio(),
            "cache_ratio": 0.5, "cache_creation_ratio": 1.25, "group_ratio": self.group(),
            "model_price": -1, "cache_tokens": cache, "cache_creation_tokens": writes,
            "reasoning_tokens": reasoning,
        });
        if anthropic {
            other["usage_semantic"] = json!("anthropic");
        }
        let (prompt, completion) = match self.meant {
            Meant::MissingUsage => (0, 0),
            _ => (self.prompt, self.completion),
        };
        let model = match (self.meant, self.claude) {
            (Meant::Unpriced, _) => "mj_x",
            (Meant::Alias, _) => "gpt-4o-mini",
            (Meant::Minimum, _) => "text-embedding-3-small",
            (_, true) => "claude-sonnet-4-5-20250929",
            (_, false) => "gpt-4o",
        };
        let kind = match self.meant {
            Meant::Error => 5,
            Meant::Refund => 6,
            _ => 2,
        };
        json!({"created_at": at, "type": kind, "model_name": model,
            "quota": self.logged_quota(), "prompt_tokens": prompt,
            "completion_tokens": completion, "other": other.to_string()})
    }
}

fn cause_row() -> impl Strategy<Value = CauseRow> {
    use Meant::*;
    let meant = proptest::sample::select(vec![
        Plain,
        CachedTwice,
        CachedInside,
        ReasoningTwice,
        WriteAsInput,
        MissingUsage,
        Mismatch,
        Unpriced,
        Error,
        Refund,
        Alias,
        Minimum,
    ]);
    (
        meant,
        any::<bool>(),
        any::<bool>(),
        1u64..200_000,
        0u64..50_000,
        100u64..100_000,
        0i64..=1,
    )
        .prop_map(|(meant, claude, vip, base, completion, misread, jitter)| {
            // Cached tokens inside the prompt, reasoning inside the completion: the
            // prompt and completion hold what the reading counts the other way.
            let (prompt, completion) = match meant {
                CachedTwice | CachedInside => (base + misread, completion),
                ReasoningTwice => (base, completion + misread),
                // At most 40 × 0.01 × 1.1 = 0.44 quota: rounds to 0, the minimum applies.
                Minimum => (base % 40 + 1, 0),
                _ => (base, completion),
            };
            // The cached readings are tried first: a row meant for another reading
            // has no cache reads (fields()), so only its own reading can fit.
            let claude = match meant {
                CachedTwice | ReasoningTwice | Alias => false,
                CachedInside | WriteAsInput => true,
                _ => claude,
            };
            CauseRow {
                meant,
                claude,
                // gpt-4o's rates are group 1's: a vip alias is a ratio mismatch.
                vip: vip && meant != Alias,
                prompt,
                completion,
                misread,
                // The minimum row is logged at the 1 quota charged.
                jitter: if meant == Minimum { 1 } else { jitter },
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any mix of the causes: Σ steps + residual = variance, every part of every row is
    /// explained (the residual is 0, the gateway's own log being the provider side), and
    /// each field reading's step is exactly what its rows' reading adds.
    #[test]
    fn any_mix_of_causes_bridges_exactly(rows in proptest::collection::vec(cause_row(), 1..16)) {
        let lines: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| r.json(1_767_225_600 + 60 * i as i64).to_string())
            .collect();
        let log = lines.join("\n").into_bytes();
        let review = run(&[("mix.jsonl", log)], &settings(&cause_settings()));
        let f = figures(&review);
        prop_assert_eq!(review.files[0].ledger.rejected, 0);
        let variance = f.reconciliation.total.variance.expect("a variance");
        let b = bridge(f);
        let explained: Decimal = b.steps.iter().map(|s| s.amount).sum();
        prop_assert_eq!(explained + b.residual, variance);
        prop_assert_eq!(b.residual, Decimal::ZERO, "{:?}", b.steps);
        let step = |cause: Cause| cause_amount(b, cause);
        let meant = |m: Meant| -> Decimal {
            let usd = |r: &CauseRow| match m {
                Meant::MissingUsage => Decimal::from(r.misread) / dec("500000"),
                _ => r.quota().1 / dec("500000"),
            };
            rows.iter().filter(|r| r.meant == m).map(usd).sum()
        };
        // An alias row: its gateway charge against the card's gpt-4o-mini prices.
        let alias: Decimal = (rows.iter().filter(|r| r.meant == Meant::Alias))
            .map(|r| {
                let card = Decimal::from(r.prompt) * dec("0.15")
                    + Decimal::from(r.completion) * dec("0.60");
                r.quota().0 / dec("500000") - card / dec("1000000")
            })
            .sum();
        prop_assert_eq!(step(Cause::AliasPricedAsOther), alias);
        let minimum: Decimal = (rows.iter().filter(|r| r.meant == Meant::Minimum))
            .map(|r| (Decimal::ONE - r.quota().0) / dec("500000"))
            .sum();
        prop_assert_eq!(step(Cause::MinimumCharge), minimum);
        for (cause, m) in [
            (Cause::CachedCountedTwice, Meant::CachedTwice),
            (Cause::CachedReadAsInside, Meant::CachedInside),
            (Cause::ReasoningCountedTwice, Meant::ReasoningTwice),
            (Cause::CacheWriteAsInput, Meant::WriteAsInput),
            (Cause::MissingUsageField, Meant::MissingUsage),
        ] {
            prop_assert_eq!(step(cause), meant(m), "{:?}", cause);
        }
    }
}

/// A bill of daily buckets against a window of 1 Jan 00:00 to 2 Jan 12:00 UTC: the 1 Jan
/// bucket (gpt-4o 0.015) stands as the provider-side figure; the 2 Jan bucket's two lines
/// (gpt-4o, Claude) reach past the window's end and are left out. The gateway log priced: gpt-4o on 1 Jan
/// (4,000 + 500 × 4) × 1.25 = 7,500 quota = 0.015 expected, logged 7,501; on 2 Jan gpt-4o
/// (2,000 + 300 × 4) × 1.25 = 4,000 = 0.008 and Claude (1,000 + 200 × 5) × 1.5 = 3,000 =
/// 0.006, logged as derived. Variance 0.015 − 0.029 = −0.014: rounding +1 quota =
/// 0.000002 (gateway − expected); the straddling buckets −(4,000 + 3,000) ÷ 500,000 =
/// −0.014 (what the bill leaves out of what the gateway charged); the residual −0.000002
/// is the bill against the gateway on 1 Jan (0.015 − 0.015002), which nothing explains.
#[test]
fn buckets_straddling_the_window_by_hand() {
    let mut doc = settings_json();
    doc["incident_window_utc"]["end"] = json!("2026-01-02T12:00:00Z");
    doc["provider_side"] = json!("billing");
    let files = [
        ("log.jsonl", fixture("causes/straddling-log.jsonl")),
        ("bill.csv", fixture("causes/straddling-bill.csv")),
    ];
    let review = run(&files, &settings(&doc));
    let f = figures(&review);
    assert_eq!(f.reconciliation.total.provider, Some(dec("0.015")));
    assert_eq!(f.reconciliation.total.variance, Some(dec("-0.014")));
    let b = bridge(f);
    let steps: Vec<(Cause, Decimal)> = b.steps.iter().map(|s| (s.cause, s.amount)).collect();
    assert_eq!(
        steps,
        [
            (Cause::IntegerQuotaRounding, dec("0.000002")),
            (Cause::StraddlingBucket, dec("-0.014")),
        ]
    );
    assert_eq!(b.residual, dec("-0.000002"));
    let straddling = &b.steps[1];
    assert_eq!(
        straddling.class,
        spend_reconciler::classify::VarianceClass::TimeWindowMismatch
    );
    assert_eq!(
        straddling.evidence,
        "left out of the provider-side figure: 2 charge lines in 1 bucket reaching past the window's edge, within which the gateway log charged 2 rows inside the window (claude-sonnet-4-5-20250929, gpt-4o)"
    );
    // The bill keeps its lines, not rows, so the rows' conservation is not asked here.
    let explained: Decimal = b.steps.iter().map(|s| s.amount).sum();
    assert_eq!(explained + b.residual, dec("-0.014"));
    // With the gateway's own quota as the provider-side figure nothing is left out: no
    // straddling step.
    doc["provider_side"] = json!("gateway_log");
    let review = run(&files, &settings(&doc));
    let b = bridge(figures(&review));
    assert!(b.steps.iter().all(|s| s.cause != Cause::StraddlingBucket));
}

/// A daily bill by model against the gateway log, 1 Jan 00:00 to 3 Jan 00:00 UTC, every
/// row's quota what its ratios give at the card's rates. The bill: 1 Jan gpt-4o 0.015 and
/// Claude 0.009, 2 Jan gpt-4o 0.008 (0.032). The log: 1 Jan gpt-4o 7,500 quota = 0.015,
/// 2 Jan gpt-4o 4,000 = 0.008 and Claude 3,000 = 0.006 (0.029 expected and logged).
/// Variance 0.032 − 0.029 = 0.003: the bill's 1 Jan Claude line, for which the log charged
/// Claude nothing that day, +0.009; the log's 2 Jan Claude row, for which the bill has no
/// Claude line that day, −0.006. Both gpt-4o days agree: nothing is left.
#[test]
fn usage_one_side_has_and_the_other_not_by_hand() {
    let mut doc = settings_json();
    doc["incident_window_utc"]["end"] = json!("2026-01-03T00:00:00Z");
    doc["provider_side"] = json!("billing");
    let files = [
        ("log.jsonl", fixture("causes/by-model-log.jsonl")),
        ("bill.csv", fixture("causes/by-model-bill.csv")),
    ];
    let review = run(&files, &settings(&doc));
    let f = figures(&review);
    let total = &f.reconciliation.total;
    assert_eq!(
        (total.expected, total.provider, total.variance),
        (Some(dec("0.029")), Some(dec("0.032")), Some(dec("0.003")))
    );
    let b = bridge(f);
    let steps: Vec<(Cause, Decimal)> = b.steps.iter().map(|s| (s.cause, s.amount)).collect();
    assert_eq!(
        steps,
        [
            (Cause::BilledWithoutLoggedUsage, dec("0.009")),
            (Cause::LoggedUsageNotBilled, dec("-0.006")),
        ]
    );
    assert_eq!(b.residual, Decimal::ZERO);
    let evidence: Vec<(&str, spend_reconciler::classify::VarianceClass)> = b
        .steps
        .iter()
        .map(|s| (s.evidence.as_str(), s.class))
        .collect();
    let capture = spend_reconciler::classify::VarianceClass::UsageCaptureGap;
    assert_eq!(
        evidence,
        [
            (
                "1 bill line in 1 bucket for a model the gateway log charged nothing for in that bucket (claude-sonnet-4-5-20250929)",
                capture
            ),
            (
                "1 row the gateway log charged inside the window with no bill line for its model in its bucket (claude-sonnet-4-5-20250929)",
                capture
            ),
        ]
    );
    // A bill that does not name models ("all services") cannot be compared by model:
    // its difference stays in the residual.
    let bill = String::from_utf8(fixture("causes/by-model-bill.csv"))
        .unwrap()
        .replace(",gpt-4o,", ",,")
        .replace(",claude-sonnet-4-5-20250929,", ",,");
    let files = [
        ("log.jsonl", fixture("causes/by-model-log.jsonl")),
        ("bill.csv", bill.into_bytes()),
    ];
    let b = bridge(figures(&run(&files, &settings(&doc)))).clone();
    assert!(b.steps.is_empty(), "{:?}", b.steps);
    assert_eq!(b.residual, dec("0.003"));
}

/// A FOCUS bill of two daily buckets for gpt-4o: 1 Jan (inside the window) and 2 Jan
/// (reaching past its end at 12:00), in millionths of a dollar.
fn daily_bill(jan1: u64, jan2: u64) -> Vec<u8> {
    let header = String::from_utf8(fixture("causes/straddling-bill.csv")).unwrap();
    let header = header.lines().next().unwrap().to_string();
    let line = |start: &str, end: &str, micros: u64| {
        let cost = Decimal::new(micros as i64, 6);
        format!("{start},{end},Usage,,{cost},{cost},{cost},2.50,2.50,0.001,1000000 Tokens,1000,Tokens,USD,CometAPI,AI and Machine Learning,gpt-4o,gpt-4o:all,CometAPI,")
    };
    let lines = [
        header,
        line("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", jan1),
        line("2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", jan2),
    ];
    (lines.join("\n") + "\n").into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The same mix spread over 1 Jan 00:00 to 2 Jan 12:00, against a daily bill of
    /// gpt-4o: the straddling step is exactly −(the gateway's 2 Jan charge); on 1 Jan the
    /// other models' charge is logged usage the bill does not have, the bill's line is
    /// billed usage the log does not have when the log charged gpt-4o nothing, and what
    /// is left is the bill's gpt-4o line against the gateway's — every row's own causes
    /// explain (gateway − expected) in full.
    #[test]
    fn a_straddling_bill_bridges_exactly(
        rows in proptest::collection::vec((cause_row(), 0i64..129_600), 1..12),
        // A bill line of 0 is an empty bucket, not usage: the 1 Jan line has an amount.
        jan1 in 1u64..1_000_000,
        jan2 in 0u64..1_000_000,
    ) {
        // Error rows are left out: the policy may exclude them, and this property adds
        // up the gateway's charge by hand.
        let rows: Vec<(CauseRow, i64)> =
            rows.into_iter().filter(|(r, _)| r.meant != Meant::Error).collect();
        prop_assume!(!rows.is_empty(), "a log with no rows gives no figures");
        let start = 1_767_225_600i64;
        let lines: Vec<String> = (rows.iter())
            .map(|(r, offset)| r.json(start + offset).to_string())
            .collect();
        let mut doc = cause_settings();
        doc["incident_window_utc"]["end"] = json!("2026-01-02T12:00:00Z");
        doc["provider_side"] = json!("billing");
        let files = [
            ("mix.jsonl", (lines.join("\n") + "\n").into_bytes()),
            ("bill.csv", daily_bill(jan1, jan2)),
        ];
        let review = run(&files, &settings(&doc));
        let f = figures(&review);
        let variance = f.reconciliation.total.variance.expect("a variance");
        let b = bridge(f);
        let explained: Decimal = b.steps.iter().map(|s| s.amount).sum();
        prop_assert_eq!(explained + b.residual, variance);
        // The gateway's net charge on a day, for gpt-4o (the bill's one model) or the rest.
        let charged = |on_jan1: bool, gpt_4o: bool| -> Decimal {
            let quota: i64 = (rows.iter())
                .filter(|(_, offset)| (*offset < 86_400) == on_jan1)
                .filter(|(r, offset)| (r.json(start + offset)["model_name"] == "gpt-4o") == gpt_4o)
                .map(|(r, _)| match r.meant {
                    Meant::Refund => -r.logged_quota(),
                    _ => r.logged_quota(),
                })
                .sum();
            Decimal::from(quota) / dec("500000")
        };
        let step = |cause: Cause| cause_amount(b, cause);
        let day = |gpt_4o: bool| charged(true, gpt_4o);
        prop_assert_eq!(step(Cause::StraddlingBucket), -(charged(false, true) + charged(false, false)));
        // 1 Jan by model: the other models' charge is not on the bill; the bill's gpt-4o
        // line is all unlogged when the gateway charged gpt-4o nothing that day, and
        // otherwise what the two sides both have and price differently: the residual.
        prop_assert_eq!(step(Cause::LoggedUsageNotBilled), -day(false));
        let bill = Decimal::new(jan1 as i64, 6);
        let (unlogged, residual) = if day(true).is_zero() {
            (bill, Decimal::ZERO)
        } else {
            (Decimal::ZERO, bill - day(true))
        };
        prop_assert_eq!(step(Cause::BilledWithoutLoggedUsage), unlogged);
        prop_assert_eq!(b.residual, residual);
    }
}

/// The record's schema names every cause the bridge can write, and no other.
#[test]
fn the_schema_lists_every_cause() {
    let schema: Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemas/reconciliation-record.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let listed = &schema["properties"]["variance_bridge"]["properties"]["steps"]["items"]
        ["properties"]["cause"]["enum"];
    let mut listed: Vec<&str> = (listed.as_array().expect("an enum of causes").iter())
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut causes: Vec<String> = (Cause::ALL.iter())
        .map(|c| {
            serde_json::to_value(c)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    listed.sort();
    causes.sort();
    assert_eq!(listed, causes);
}

/// The bridge chart shows the new causes as it shows any step: by their own words, each
/// with its class, the running total moving by exactly the step (the mixed log above:
/// 0.13 expected, 0.149002 recorded).
#[test]
fn the_bridge_chart_names_the_new_causes() {
    let review = run_fixture("causes/field-gaps-mixed.jsonl");
    let drawn = spend_reconciler::charts::all(figures(&review)).unwrap();
    let chart = drawn.iter().find(|c| c.name == "bridge").unwrap();
    let rows: Vec<[&str; 3]> = (chart.table.rows.iter())
        .map(|r| [r[0].as_str(), r[1].as_str(), r[2].as_str()])
        .collect();
    assert_eq!(
        rows,
        [
            ["Expected", "0.13", "0.13"],
            [
                "integer-quota rounding (pricing-source mismatch)",
                "+0.000002",
                "0.130002"
            ],
            [
                "cached tokens counted twice (field interpretation gap)",
                "+0.02",
                "0.150002"
            ],
            [
                "cached tokens read as inside the prompt (field interpretation gap)",
                "-0.024",
                "0.126002"
            ],
            [
                "reasoning tokens counted twice (field interpretation gap)",
                "+0.015",
                "0.141002"
            ],
            [
                "cache writes counted as input (field interpretation gap)",
                "+0.006",
                "0.147002"
            ],
            [
                "missing usage field (field interpretation gap)",
                "+0.002",
                "0.149002"
            ],
            ["Unexplained (residual)", "0", "0.149002"],
            ["Recorded by the provider", "0.149002", "0.149002"],
        ]
    );
}
