//! A group's sums with the value *and* the scale the row path's sums have. A row's amount
//! is `quantity × rate ÷ unit × factor` through [`crate::decimal::exact_mul`] and
//! [`crate::decimal::exact_div`]; its scale follows from the trailing zeros of
//! `quantity × rate`, so the largest over a group follows from the fewest factors 2 and
//! 5 among the group's quantities. Every limit a row's arithmetic checks is checked here
//! on the group's largest quantity: where a row could fail or be rounded, None.

use rust_decimal::Decimal;

use super::DimSum;

/// Below this a mantissa never needs rounding in any step of a row's arithmetic.
const SAFE: i128 = 10i128.pow(26);

/// The factors 2 and 5 in `x` (x > 0).
pub(super) fn twos_and_fives(x: u128) -> (u32, u32) {
    if x == 0 {
        return (u32::MAX, u32::MAX);
    }
    let twos = x.trailing_zeros();
    let (mut rest, mut fives) = (x >> twos, 0);
    // In u64 where it fits: a u128 remainder is a call, not an instruction.
    if let Ok(mut small) = u64::try_from(rest) {
        while small % 5 == 0 {
            small /= 5;
            fives += 1;
        }
        return (twos, fives);
    }
    while rest % 5 == 0 {
        rest /= 5;
        fives += 1;
    }
    (twos, fives)
}

/// `value` written with `scale` decimal places (at least its own, normalized); None when
/// it has more places, or its mantissa leaves the safe range.
pub(super) fn at_scale(value: Decimal, scale: u32) -> Option<Decimal> {
    let normal = value.normalize();
    let extra = scale.checked_sub(normal.scale())?;
    let mantissa = normal.mantissa().checked_mul(10i128.checked_pow(extra)?)?;
    if mantissa.abs() >= SAFE || scale > 28 {
        return None;
    }
    Decimal::try_from_i128_with_scale(mantissa, scale).ok()
}

/// `unit` as a whole number dividing a power of ten: (places, 10^places ÷ unit).
fn shift(unit: Decimal) -> Option<(u32, i128)> {
    let unit = unit.normalize();
    if unit.scale() != 0 || unit.is_sign_negative() {
        return None;
    }
    crate::decimal::shift_for(u64::try_from(unit.mantissa()).ok()?)
}

/// Σ over the group's rows of `quantity × rate ÷ unit × factor` (each row's amount as
/// `row_charge::amount` computes it), with the row path's scale: the largest row's.
pub(super) fn amount(d: &DimSum, rate: Decimal, unit: Decimal, factor: Decimal) -> Option<Decimal> {
    let (rate, factor) = (rate.normalize(), factor.normalize());
    let (places, multiplier) = shift(unit)?;
    if rate.is_zero() || factor.is_zero() {
        // Decimal's product of a zero is a zero without places.
        return Some(Decimal::ZERO);
    }
    // A row: q × rate (scale of the rate), shifted by `places` without a division.
    let per = rate.mantissa().checked_mul(multiplier)?;
    let point = rate.scale() + places;
    let largest = i128::from(d.max).checked_mul(per)?;
    if largest.abs() >= SAFE || point >= 28 {
        return None;
    }
    // Normalized before the factor: the row with the fewest trailing zeros has the most places.
    let row_places = if per == 0 {
        0
    } else {
        let (twos, fives) = twos_and_fives(per.unsigned_abs());
        let zeros = d
            .twos
            .saturating_add(twos)
            .min(d.fives.saturating_add(fives));
        point.saturating_sub(zeros)
    };
    let scale = row_places + factor.scale();
    if scale > 28 || largest.checked_mul(factor.mantissa())?.abs() >= SAFE * 100 {
        return None;
    }
    let total = i128::from(d.sum)
        .checked_mul(per)?
        .checked_mul(factor.mantissa())?;
    let total = Decimal::try_from_i128_with_scale(total, point + factor.scale()).ok()?;
    at_scale(total, scale)
}

/// Σ over the group's rows of `quantity × difference ÷ unit`, as the rate-difference
/// step computes each row's (its scale: the difference's, shifted by the unit's places).
pub(super) fn difference(d: &DimSum, difference: Decimal, unit: Decimal) -> Option<Decimal> {
    let difference = difference.normalize();
    let (places, multiplier) = shift(unit)?;
    let per = difference.mantissa().checked_mul(multiplier)?;
    let scale = difference.scale() + places;
    if i128::from(d.max).checked_mul(per)?.abs() >= SAFE || scale >= 28 {
        return None;
    }
    let total = i128::from(d.sum).checked_mul(per)?;
    let total = Decimal::try_from_i128_with_scale(total, scale).ok()?;
    at_scale(total, scale)
}
