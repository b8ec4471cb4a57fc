//! The `other` field of a new-api log row: a JSON object (usually written as a string)
//! with the multipliers that priced the row and the usage split behind it.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::newapi::LoggedRatios;
use crate::decimal::{parse_count, parse_exact, quote};

#[derive(Debug, Default)]
pub struct Other(Map<String, Value>);

/// Token counts that only `other` carries.
pub struct OtherUsage {
    pub cache_read: u64,
    pub cache_write_5m: u64,
    pub cache_write_1h: u64,
    pub reasoning: u64,
    pub tool_calls: u64,
}

impl Other {
    pub fn parse(text: &str) -> Result<Other, String> {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Ok(Other(map)),
            _ => Err(format!(
                "expected the JSON object of billing ratios, but found {}",
                quote(text)
            )),
        }
    }

    fn text(&self, key: &str) -> Option<String> {
        match self.0.get(key)? {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    fn count(&self, key: &str) -> Result<Option<u64>, String> {
        self.text(key)
            .map(|t| parse_count(&t).map_err(|m| format!("{key}: {m}")))
            .transpose()
    }

    fn decimal(&self, key: &str) -> Result<Option<Decimal>, String> {
        self.text(key)
            .map(|t| parse_exact(&t).map_err(|m| format!("{key}: {m}")))
            .transpose()
    }

    pub fn anthropic_semantics(&self) -> bool {
        self.text("usage_semantic")
            .is_some_and(|s| s.eq_ignore_ascii_case("anthropic"))
    }

    /// Cache writes: `cache_creation_tokens` is the total when present; the `_1h` part is
    /// priced apart and the rest counts at the default 5-minute lifetime.
    pub fn usage(&self) -> Result<OtherUsage, String> {
        let five = self.count("cache_creation_tokens_5m")?.unwrap_or(0);
        let hour = self.count("cache_creation_tokens_1h")?.unwrap_or(0);
        let total = self
            .count("cache_creation_tokens")?
            .unwrap_or(five.saturating_add(hour));
        let reasoning = match self.count("reasoning_tokens")? {
            Some(n) => n,
            None => self.count("thinking_tokens")?.unwrap_or(0),
        };
        Ok(OtherUsage {
            cache_read: self.count("cache_tokens")?.unwrap_or(0),
            cache_write_5m: total.saturating_sub(hour).max(five),
            cache_write_1h: hour,
            reasoning,
            tool_calls: self
                .tool_surcharges()?
                .iter()
                .map(|(count, _)| *count)
                .sum(),
        })
    }

    /// `[{name, count, price}]`: price is USD per 1,000 calls.
    fn tool_surcharges(&self) -> Result<Vec<(u64, Decimal)>, String> {
        let Some(Value::Array(items)) = self.0.get("tool_surcharges") else {
            return Ok(Vec::new());
        };
        items
            .iter()
            .map(|item| {
                let field = |key: &str| item.get(key).and_then(super::newapi::json_cell);
                let count = field("count")
                    .map_or(Ok(0), |t| parse_count(&t))
                    .map_err(|m| format!("tool_surcharges count: {m}"))?;
                let price = field("price")
                    .map_or(Ok(Decimal::ZERO), |t| parse_exact(&t))
                    .map_err(|m| format!("tool_surcharges price: {m}"))?;
                Ok((count, price))
            })
            .collect()
    }

    /// None when the row logged no ratios at all (nothing to re-derive its quota from).
    pub fn ratios(&self) -> Result<Option<LoggedRatios>, String> {
        if !self.0.contains_key("model_ratio") && !self.0.contains_key("model_price") {
            return Ok(None);
        }
        let mut surcharge = Decimal::ZERO;
        for (count, price) in self.tool_surcharges()? {
            let usd = Decimal::from(count)
                .checked_mul(price)
                .and_then(|v| v.checked_div(Decimal::ONE_THOUSAND));
            surcharge = usd
                .and_then(|v| surcharge.checked_add(v))
                .ok_or("tool_surcharges: too large to compute exactly")?;
        }
        Ok(Some(LoggedRatios {
            model_ratio: self.decimal("model_ratio")?,
            completion_ratio: self.decimal("completion_ratio")?,
            cache_ratio: self.decimal("cache_ratio")?,
            cache_creation_ratio: self.decimal("cache_creation_ratio")?,
            cache_creation_ratio_1h: self.decimal("cache_creation_ratio_1h")?,
            group_ratio: match self.decimal("user_group_ratio")? {
                // new-api uses the special user-group ratio instead of the group ratio when set.
                Some(special) if !special.is_sign_negative() => Some(special),
                _ => self.decimal("group_ratio")?,
            },
            model_price: self.decimal("model_price")?,
            tool_surcharge_usd: surcharge,
        }))
    }
}
