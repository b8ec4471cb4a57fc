//! The ratio set a row's `other` logs: what new-api priced its quota with
//! ([`Other::ratios`]), and the text that names it ([`Other::ratio_key`]), by which a file's
//! rows parse each distinct set once.

use std::borrow::Cow;

use rust_decimal::Decimal;

use super::{
    count, Other, AUDIO_COMPLETION_RATIO, AUDIO_INPUT_PRICE, AUDIO_RATIO, CACHE_CREATION_RATIO,
    CACHE_CREATION_RATIO_1H, CACHE_RATIO, COMPLETION_RATIO, GROUP_RATIO, MODEL_PRICE, MODEL_RATIO,
    USER_GROUP_RATIO,
};
use crate::decimal::{parse_exact, quote};
use crate::ingest::formats::row::LoggedRatios;
use crate::ingest::text::json::value;

impl Other<'_> {
    /// `[{name, count, price}]`: price is USD per 1,000 calls.
    pub(super) fn tool_surcharges(&self) -> Result<Vec<(u64, Decimal)>, String> {
        let Some(items) = &self.tool_surcharges else {
            return Ok(Vec::new());
        };
        items
            .iter()
            .map(|item| {
                let field = |key: &str| {
                    let value = item.get(key)?;
                    value::cell(&value.to_string()).map(Cow::into_owned)
                };
                let count = field("count")
                    .map_or(Ok(0), |t| count(&t))
                    .map_err(|m| format!("tool_surcharges count: {m}"))?;
                let price = field("price")
                    .map_or(Ok(Decimal::ZERO), |t| parse_exact(&t))
                    .map_err(|m| format!("tool_surcharges price: {m}"))?;
                Ok((count, price))
            })
            .collect()
    }

    /// Writes the text behind [`Other::ratios`] into `key`; false when the ratios also
    /// depend on more than that text (tool surcharges).
    pub fn ratio_key(&self, key: &mut String) -> bool {
        key.push(if self.has_ratios { 'r' } else { '-' });
        // Every key `ratios` reads (all of them from model_ratio on, the 1h cache ratio too).
        for text in &self.texts[MODEL_RATIO..=AUDIO_INPUT_PRICE] {
            // Length-prefixed, so no two different sets of texts give one key.
            match text
                .as_deref()
                .map(|t| (t, char::from_u32(t.len() as u32 + 1)))
            {
                Some((text, Some(length))) => {
                    key.push(length);
                    key.push_str(text);
                }
                Some((_, None)) => return false,
                None => key.push('\0'),
            }
        }
        self.tool_surcharges.is_none() && self.other_ratios.is_none()
    }

    /// The product of `other_ratios`' numbers, and its image count and seconds; all None
    /// when the row logs no such multiplier. A value that is not a number is refused.
    fn multipliers(&self) -> Result<[Option<Decimal>; 3], String> {
        let Some(items) = self.other_ratios.as_ref().filter(|m| !m.is_empty()) else {
            return Ok([None; 3]);
        };
        let (mut product, mut images, mut seconds) = (Decimal::ONE, None, None);
        for (name, value) in items {
            let text = value::cell(&value.to_string()).map(Cow::into_owned);
            let Some(text) = text else {
                return Err(format!(
                    "other_ratios {}: expected a number, but found {value}",
                    quote(name)
                ));
            };
            let factor =
                parse_exact(&text).map_err(|m| format!("other_ratios {}: {m}", quote(name)))?;
            product = product
                .checked_mul(factor)
                .ok_or("other_ratios: too large to compute exactly")?;
            match name.as_str() {
                "n" => images = Some(factor),
                "seconds" => seconds = Some(factor),
                _ => {}
            }
        }
        Ok([Some(product), images, seconds])
    }

    /// None when the row logged no ratios at all (nothing to re-derive its quota from).
    pub fn ratios(&self) -> Result<Option<LoggedRatios>, String> {
        if !self.has_ratios {
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
        let [factors, images, seconds] = self.multipliers()?;
        Ok(Some(LoggedRatios {
            model_ratio: self.decimal(MODEL_RATIO)?,
            completion_ratio: self.decimal(COMPLETION_RATIO)?,
            cache_ratio: self.decimal(CACHE_RATIO)?,
            cache_creation_ratio: self.decimal(CACHE_CREATION_RATIO)?,
            cache_creation_ratio_1h: self.decimal(CACHE_CREATION_RATIO_1H)?,
            group_ratio: match self.decimal(USER_GROUP_RATIO)? {
                // new-api uses the special user-group ratio instead of the group ratio when set.
                Some(special) if !special.is_sign_negative() => Some(special),
                _ => self.decimal(GROUP_RATIO)?,
            },
            model_price: self.decimal(MODEL_PRICE)?,
            tool_surcharge_usd: surcharge,
            audio_ratio: self.decimal(AUDIO_RATIO)?,
            audio_completion_ratio: self.decimal(AUDIO_COMPLETION_RATIO)?,
            audio_input_price: self.decimal(AUDIO_INPUT_PRICE)?,
            factors,
            images,
            seconds,
        }))
    }
}
