//! Decimal products and sums in plain integers, for the one formula every checked row
//! goes through ([`super::quota::derive`]): a `Decimal` multiplication or addition
//! handles every case (192-bit products, rounding to fit) and costs several times what
//! an `i128` one does. These answer only where the exact result fits a `Decimal`
//! unrounded, with the scale `Decimal` gives it, and otherwise leave the answer to
//! `Decimal` (None): so the value *and* its decimal places are `Decimal`'s.

use rust_decimal::Decimal;

/// `mantissa × 10^-scale`, with the mantissa in 64 bits (well inside a `Decimal`'s 96)
/// and scale ≤ 28: the ratios and token counts of a log row, and their products.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Fixed {
    mantissa: i64,
    scale: u32,
}

/// 10^k for the k a 64-bit mantissa can be moved by.
const POWERS: [i64; 19] = {
    let mut p = [1i64; 19];
    let mut k = 1;
    while k < 19 {
        p[k] = p[k - 1] * 10;
        k += 1;
    }
    p
};

impl Fixed {
    pub(super) const ZERO: Fixed = Fixed {
        mantissa: 0,
        scale: 0,
    };

    /// None for a negative zero (a mantissa cannot tell it from zero) and for a
    /// mantissa beyond 64 bits.
    pub(super) fn of(value: Decimal) -> Option<Fixed> {
        let negative_zero = value.is_zero() && value.is_sign_negative();
        let mantissa = i64::try_from(value.mantissa()).ok()?;
        (!negative_zero).then_some(Fixed {
            mantissa,
            scale: value.scale(),
        })
    }

    pub(super) fn whole(n: u64) -> Option<Fixed> {
        Some(Fixed {
            mantissa: i64::try_from(n).ok()?,
            scale: 0,
        })
    }

    fn checked(mantissa: i64, scale: u32) -> Option<Fixed> {
        (scale <= Decimal::MAX_SCALE).then_some(Fixed { mantissa, scale })
    }

    /// A zero `Decimal` gives back from a sum or a product: scale 0. A zero of another
    /// scale is left to `Decimal`, whose sums treat it by cases.
    fn plain_zero(self) -> Option<bool> {
        match (self.mantissa, self.scale) {
            (0, 0) => Some(true),
            (0, _) => None,
            _ => Some(false),
        }
    }

    /// `Decimal::checked_mul`: a zero factor gives plain zero, else the scales add.
    pub(super) fn mul(self, other: Fixed) -> Option<Fixed> {
        if self.mantissa == 0 || other.mantissa == 0 {
            return Some(Fixed::ZERO);
        }
        Fixed::checked(
            mul(self.mantissa, other.mantissa)?,
            self.scale + other.scale,
        )
    }

    /// `Decimal::checked_add`: adding plain zero gives the other as it is, else both
    /// are moved to the larger scale. A sum of zero is left to `Decimal`.
    pub(super) fn add(self, other: Fixed) -> Option<Fixed> {
        if self.plain_zero()? {
            return Some(other);
        }
        if other.plain_zero()? {
            return Some(self);
        }
        let scale = self.scale.max(other.scale);
        let at = |f: Fixed| {
            let power = POWERS.get(usize::try_from(scale - f.scale).ok()?)?;
            mul(f.mantissa, *power)
        };
        let sum = at(self)?.checked_add(at(other)?)?;
        if sum == 0 {
            return None;
        }
        Fixed::checked(sum, scale)
    }

    /// The mantissa and the scale.
    pub(super) fn parts(self) -> (i64, u32) {
        (self.mantissa, self.scale)
    }

    pub(super) fn decimal(self) -> Decimal {
        Decimal::new(self.mantissa, self.scale)
    }
}

/// `a.checked_mul(b)`. WebAssembly has no overflow flag, so a checked 64-bit product is a
/// call to a 128-bit multiplication there; two factors below 2^31 cannot overflow and
/// take the plain instruction (a row's tokens and ratios nearly always).
fn mul(a: i64, b: i64) -> Option<i64> {
    const SMALL: u64 = 1 << 31;
    if a.unsigned_abs() < SMALL && b.unsigned_abs() < SMALL {
        Some(a * b)
    } else {
        a.checked_mul(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decimal() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            // Ratios and prices as logs write them.
            (0i64..100_000, 0u32..8).prop_map(|(m, s)| Decimal::new(m, s)),
            (-100_000i64..100_000, 0u32..8).prop_map(|(m, s)| Decimal::new(m, s)),
            // Near the limits: products and sums that do not fit.
            (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
            (any::<i128>(), 0u32..=28)
                .prop_map(|(m, s)| { Decimal::from_i128_with_scale(m % (1i128 << 96), s) }),
            Just(Decimal::ZERO),
            Just(Decimal::new(0, 3)),
            Just(-Decimal::new(0, 2)),
        ]
    }

    fn bytes(d: Option<Decimal>) -> Option<[u8; 16]> {
        d.map(|d| d.serialize())
    }

    proptest! {
        /// The product with its shortcut is `checked_mul`'s, small factors or not.
        #[test]
        fn mul_is_checked_mul(
            a in prop_oneof![-(1i64 << 32)..1i64 << 32, any::<i64>()],
            b in prop_oneof![-(1i64 << 32)..1i64 << 32, any::<i64>()],
        ) {
            prop_assert_eq!(mul(a, b), a.checked_mul(b));
        }

        /// Wherever it answers, the same value and scale (and sign of zero) as Decimal.
        #[test]
        fn sums_and_products_are_decimals(a in decimal(), b in decimal()) {
            let (Some(fa), Some(fb)) = (Fixed::of(a), Fixed::of(b)) else {
                let left_out = |d: Decimal| d.is_sign_negative() && d.is_zero() || i64::try_from(d.mantissa()).is_err();
                prop_assert!(left_out(a) || left_out(b));
                return Ok(());
            };
            if let Some(product) = fa.mul(fb) {
                prop_assert_eq!(bytes(Some(product.decimal())), bytes(a.checked_mul(b)), "{} × {}", a, b);
            }
            if let Some(sum) = fa.add(fb) {
                prop_assert_eq!(bytes(Some(sum.decimal())), bytes(a.checked_add(b)), "{} + {}", a, b);
            }
        }
    }

    #[test]
    fn typical_ratios_are_answered() {
        let d = |m, s| Fixed::of(Decimal::new(m, s)).unwrap();
        assert_eq!(d(125, 2).mul(d(16, 1)), Some(d(2000, 3)));
        assert_eq!(Fixed::whole(1200).unwrap().mul(d(1, 1)), Some(d(1200, 1)));
        assert_eq!(Fixed::ZERO.add(d(15, 1)), Some(d(15, 1)));
        assert_eq!(d(15, 1).add(d(25, 3)), Some(d(1525, 3)));
        assert_eq!(Fixed::whole(0).unwrap().mul(d(125, 2)), Some(Fixed::ZERO));
    }
}
