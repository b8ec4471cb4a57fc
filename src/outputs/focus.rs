//! The expected charge (and, when a billing export was loaded, the billed lines beside
//! it) as a FinOps FOCUS 1.2 CSV, the shape cost tools and warehouses ingest.
//!
//! One row per UTC day × model × dimension × tier of the expected charge, priced lines
//! only (FOCUS has no null cost: unpriced usage is in the charge-lines CSV and the
//! record, and `x_ExpectedComplete` says so on every row), then one row per billed
//! bucket and line item. Costs are exact decimals in the billing currency. What the
//! evidence does not give is written as FOCUS's rules allow and `docs/formats.md`
//! states: the billing account is `unspecified`, the billing period is the charge's UTC
//! month, the provider, publisher and invoice issuer are the review's provider.

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::csv::{write, Cell, CsvStyle};
use crate::decimal::exact_mul;
use crate::figures::Figures;
use crate::ingest::{FileReport, Stream};
use crate::price::{DayLine, LineStatus, PriceLine};
use crate::ratecard::Dimension;
use crate::sanitize;

/// FOCUS 1.2 columns we write (mandatory ones first), then our extensions (`x_`).
pub const FOCUS_COLUMNS: [&str; 38] = [
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ContractedCost",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "ServiceCategory",
    "ServiceName",
    "ChargeFrequency",
    "ServiceSubcategory",
    "ListUnitPrice",
    "ContractedUnitPrice",
    "ConsumedQuantity",
    "ConsumedUnit",
    "SkuId",
    "SkuPriceId",
    "SkuMeter",
    "ResourceId",
    "Tags",
    "x_Source",
    "x_ReconciliationRunId",
    "x_RateLabel",
    "x_ExpectedComplete",
    "x_StraddlesWindow",
    "x_VarianceClass",
];

/// What the file says of the rows it could not place in a charge period.
pub struct FocusCsv {
    pub text: String,
    /// Priced lines of requests that state no time, left out: without an incident
    /// window there is no charge period to give them.
    pub untimed_lines_left_out: u64,
}

fn month_of(at: Timestamp) -> Option<(Timestamp, Timestamp)> {
    let date = at.to_zoned(jiff::tz::TimeZone::UTC).date();
    let first = date.first_of_month();
    let next = first.checked_add(jiff::Span::new().months(1)).ok()?;
    let start = first.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    let end = next.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    Some((start, end))
}

fn time(at: Timestamp) -> Cell {
    Cell::word(at)
}

/// "1000000 Tokens", "Requests", … (FOCUS unit format: a count, then plural units).
fn units(dimension: Dimension, size: Decimal) -> (String, &'static str) {
    let unit = match dimension {
        d if d.is_token() => "Tokens",
        Dimension::Calls | Dimension::ToolCalls => "Requests",
        Dimension::Images => "Images",
        _ => "Seconds",
    };
    let pricing = if size == Decimal::ONE {
        unit.to_string()
    } else {
        format!("{} {unit}", crate::decimal::format(size))
    };
    (pricing, unit)
}

/// The parts every row shares.
struct Common<'a> {
    currency: &'a str,
    provider: String,
    run_id: String,
    complete: bool,
}

/// What one row says beyond the parts every row shares.
struct Charge {
    period: (Timestamp, Timestamp),
    billed: Decimal,
    list: Decimal,
    description: String,
    /// SkuId, SkuPriceId, SkuMeter.
    sku: [String; 3],
    /// PricingQuantity, PricingUnit, ListUnitPrice, ContractedUnitPrice,
    /// ConsumedQuantity, ConsumedUnit.
    pricing: [Cell; 6],
    /// x_Source, x_RateLabel, x_StraddlesWindow, x_VarianceClass.
    extra: [Cell; 4],
}

impl Common<'_> {
    fn row(&self, charge: Charge) -> Vec<Cell> {
        let (start, end) = charge.period;
        let (period_start, period_end) = month_of(start).unwrap_or((start, end));
        let [pricing_quantity, pricing_unit, list_unit, contracted_unit, consumed, consumed_unit] =
            charge.pricing;
        let [source, label, straddles, class] = charge.extra;
        let [sku_id, sku_price_id, sku_meter] = charge.sku;
        vec![
            Cell::Number(charge.billed),
            Cell::word("unspecified"),
            Cell::Absent,
            Cell::word(self.currency),
            time(period_start),
            time(period_end),
            Cell::word("Usage"),
            Cell::Absent,
            Cell::Text(charge.description),
            time(start),
            time(end),
            Cell::Number(charge.billed),
            Cell::Number(charge.billed),
            Cell::text(&self.provider),
            Cell::Number(charge.list),
            pricing_quantity,
            pricing_unit,
            Cell::text(&self.provider),
            Cell::text(&self.provider),
            Cell::word("AI and Machine Learning"),
            Cell::text(&self.provider),
            Cell::word("Usage-Based"),
            Cell::word("Generative AI"),
            list_unit,
            contracted_unit,
            consumed,
            consumed_unit,
            Cell::Text(sku_id),
            Cell::Text(sku_price_id),
            if sku_meter.is_empty() {
                Cell::Absent
            } else {
                Cell::Word(sku_meter)
            },
            Cell::Absent,
            Cell::Absent,
            source,
            Cell::text(&self.run_id),
            label,
            Cell::word(self.complete),
            straddles,
            class,
        ]
    }
}

/// One expected day line as a FOCUS row; None when it cannot be one exactly.
fn expected_row(
    c: &Common,
    day: &DayLine,
    line: &PriceLine,
    period: (Timestamp, Timestamp),
    fx: Decimal,
) -> Option<Vec<Cell>> {
    let (rate, amount) = (day.rate?, day.amount?);
    let quantity = crate::decimal::exact_div(Decimal::from(day.quantity), line.unit_size)?;
    let list_unit = exact_mul(rate, fx)?;
    let contracted_unit = exact_mul(rate, line.factor)?;
    let list = exact_mul(quantity, list_unit)?;
    let (pricing_unit, consumed_unit) = units(day.dimension, line.unit_size);
    let model = sanitize::label(&day.model);
    let dimension = super::key_name(&day.dimension);
    let meter = day.dimension.label();
    let tier = if day.long_context {
        " (long context)"
    } else {
        ""
    };
    let description = format!("{model} {meter}{tier}, expected from the verified rate card");
    let sku = [
        model.clone(),
        format!("{model}:{dimension}"),
        meter.to_string(),
    ];
    let pricing = [
        Cell::Number(quantity),
        Cell::Word(pricing_unit),
        Cell::Number(list_unit),
        Cell::Number(contracted_unit),
        Cell::word(day.quantity),
        Cell::word(consumed_unit),
    ];
    let extra = [
        Cell::word("expected"),
        super::key(&line.label),
        Cell::word(false),
        Cell::Absent,
    ];
    Some(c.row(Charge {
        period,
        billed: amount,
        list,
        description,
        sku,
        pricing,
        extra,
    }))
}

/// The FOCUS CSV of the figures, with the billed lines of `files` beside them.
pub fn focus_csv(files: &[FileReport], figures: &Figures, style: CsvStyle) -> FocusCsv {
    let settings = &figures.settings;
    let common = Common {
        currency: &settings.billing_currency,
        provider: sanitize::label(&settings.provider),
        run_id: sanitize::label(&settings.reconciliation_run_id),
        complete: figures.reconciliation.total.expected_complete,
    };
    // FX converts the card's prices into the billing currency; other factors are
    // discounts, so the list price takes FX alone.
    let fx = settings.fx.as_ref().map_or(Decimal::ONE, |f| f.rate);
    let window = settings.window.map(|w| (w.start, w.end));
    let mut rows = Vec::new();
    let mut untimed_lines_left_out = 0;
    if let Some(pricing) = &figures.pricing {
        for day in pricing
            .days
            .iter()
            .filter(|d| d.status == LineStatus::Expected)
        {
            let Some(line) = pricing.lines.iter().find(|l| day.of(l)) else {
                continue;
            };
            let period = match (day.day.zip(day.end()), window) {
                (Some(period), _) => period,
                (None, Some(window)) => window,
                (None, None) => {
                    untimed_lines_left_out += 1;
                    continue;
                }
            };
            rows.extend(expected_row(&common, day, line, period, fx));
        }
    }
    let billed = files
        .iter()
        .filter(|f| f.gives_evidence() && f.stream() == Stream::Billing)
        .flat_map(|f| &f.evidence.charges);
    for charge in billed {
        let item = sanitize::label_text(&charge.item);
        let description = format!("{item}, billed by the provider");
        let pricing = [
            Cell::Absent,
            Cell::Absent,
            Cell::Absent,
            Cell::Absent,
            Cell::Absent,
            Cell::Absent,
        ];
        let extra = [
            Cell::word("billed"),
            Cell::Absent,
            Cell::word(charge.straddles),
            if charge.straddles {
                Cell::word("time_window_mismatch")
            } else {
                Cell::Absent
            },
        ];
        // A bill gives no list price: the billed cost stands for it (x_Source says so).
        rows.push(common.row(Charge {
            period: (charge.start, charge.end),
            billed: charge.amount,
            list: charge.amount,
            description,
            sku: [item.clone(), item, String::new()],
            pricing,
            extra,
        }));
    }
    FocusCsv {
        text: write(style, &FOCUS_COLUMNS, rows),
        untimed_lines_left_out,
    }
}
